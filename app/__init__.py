"""ChainQ: configurable approval pipelines for industrial-chain quality programmes."""
import os
import secrets

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import localtime, sqlite_pragmas
from .api import init_app as init_api
from .cli import init_app as init_cli
from .config import KNOWN_KEYS, Config
from .extensions import babel, csrf, db, migrate
from .ops import init_app as init_ops
from .security_headers import init_app as init_security_headers
from .services.workflow.attachment_store import init_app as init_attachment_store
from .web import init_app as init_web
from .web.errors import init_app as init_errors
from .web.input_guard import init_app as init_input_guard


def select_locale():
    """The language the reader chose (the session's); an API client without one may ask for English
    with Accept-Language. Chinese otherwise."""
    chosen = session.get("locale") if request else None
    if chosen in ("zh_CN", "en"):
        return chosen
    if request and request.path.startswith("/api/") and \
            request.accept_languages.best_match(("zh_CN", "zh", "en")) == "en":
        return "en"
    return "zh_CN"


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    _check_secret_key(app)
    localtime.zone_named(app.config["TIMEZONE"])      # a wrong zone name stops the start, naming the setting
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    if app.config.get("FORCE_PASSWORD_CHANGE") is None:
        app.config["FORCE_PASSWORD_CHANGE"] = not app.config.get("DEMO_MODE")
    init_ops(app)      # first: logging is configured before anything logs
    init_attachment_store(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]) or ".",
                    exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    sqlite_pragmas.init_app(app)
    init_input_guard(app)   # before the routes: their `int` converter binds when they are added
    init_web(app)
    init_api(app)
    init_cli(app)
    init_security_headers(app)
    init_errors(app)   # last: replaces flask-smorest's JSON-only HTTP error handler for pages
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


class MissingSecretKey(RuntimeError):
    """The app would sign its login cookies with no key, or with one that is published."""


def _check_secret_key(app):
    """Outside debugging and testing, refuse to start without a secret key of our own: with a
    known key anyone could sign a login cookie for any user. Debugging without one gets a random
    key for this process (logins end when it restarts)."""
    key = app.config.get("SECRET_KEY")
    if key and key not in KNOWN_KEYS:
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    raise MissingSecretKey(
        "No secret key is configured (or it is a published default): login cookies could be forged. "
        "Set CHAINQ_SECRET_KEY to a long random value, e.g. "
        "export CHAINQ_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
        "or write one into instance/secret_key (`make run` does this on first run).")
