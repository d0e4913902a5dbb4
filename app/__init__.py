"""ChainQ: configurable approval pipelines for industrial-chain quality programmes."""
import os

from flask import Flask, request, session

from . import sqlite_pragmas
from .api import init_app as init_api
from .cli import init_app as init_cli
from .config import Config
from .extensions import babel, csrf, db, migrate
from .ops import init_app as init_ops
from .services.workflow.attachment_store import init_app as init_attachment_store
from .web import init_app as init_web
from .web.errors import init_app as init_errors


def select_locale():
    chosen = session.get("locale") if request else None
    if chosen in ("zh_CN", "en"):
        return chosen
    return "zh_CN"


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
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
    init_web(app)
    init_api(app)
    init_cli(app)
    init_errors(app)   # last: replaces flask-smorest's JSON-only HTTP error handler for pages
    return app
