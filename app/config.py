"""Configuration, read from the environment with development defaults."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = ROOT / "instance" / "secret_key"     # written by `make run` / `make setup` on first run
KNOWN_KEYS = frozenset({"dev-only-change-me"})          # published defaults: never a key outside development


def secret_key(environ=os.environ, key_file=SECRET_KEY_FILE):
    """CHAINQ_SECRET_KEY, else the key in instance/secret_key, else None (app/__init__.py refuses to
    start without one outside debug and testing)."""
    if environ.get("CHAINQ_SECRET_KEY"):
        return environ["CHAINQ_SECRET_KEY"]
    try:
        return Path(key_file).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def env_flag(name, environ=os.environ):
    """True/False for 1/0 (also true/false, yes/no, on/off); None when the variable is unset or empty."""
    value = environ.get(name, "").strip().lower()
    if not value:
        return None
    return value in ("1", "true", "yes", "on")


class Config:
    SECRET_KEY = secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get("CHAINQ_DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'chainq.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("CHAINQ_UPLOAD_FOLDER", str(ROOT / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024          # whole request
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024        # one file
    BPMN_FOLDER = str(ROOT / "bpmn")
    FORMS_FOLDER = str(ROOT / "forms")
    # the modeler's element templates (element-templates/), its UI texts and bpmnlint rule descriptions
    MODELER_FOLDER = str(ROOT / "modeler")
    RULES_FOLDER = str(ROOT / "rules")
    DEPLOY_ON_START = os.environ.get("CHAINQ_DEPLOY_ON_START", "1") == "1"
    # where uploaded files live: "local" (UPLOAD_FOLDER; a shared volume when several hosts serve the app)
    ATTACHMENT_STORAGE = os.environ.get("CHAINQ_ATTACHMENT_STORAGE", "local")
    # the scheduler runs as its own process (`flask scheduler`); "1" runs it inside the serving process
    # too (`make run` sets it for the development server)
    SCHEDULER_IN_APP = os.environ.get("CHAINQ_SCHEDULER_IN_APP", "0") == "1"
    SCHEDULER_RECHECK_SECONDS = float(os.environ.get("CHAINQ_SCHEDULER_RECHECK_SECONDS", "5"))
    SCHEDULER_BACKOFF_MAX_SECONDS = float(os.environ.get("CHAINQ_SCHEDULER_BACKOFF_MAX_SECONDS", "60"))
    # logs: "text" (development) or "json" (one object a line, plus one access line per request)
    LOG_FORMAT = os.environ.get("CHAINQ_LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("CHAINQ_LOG_LEVEL", "INFO")
    # /metrics: with a token, `Authorization: Bearer <token>`; without, loopback clients only
    METRICS_TOKEN = os.environ.get("CHAINQ_METRICS_TOKEN", "")
    # the zone people read times in, and date filters cut days in (app/localtime.py)
    TIMEZONE = os.environ.get("CHAINQ_TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_SUPPORTED_LOCALES = ["zh_CN", "en"]
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: on unless debugging or testing (app/__init__.py); `make run` serves plain HTTP and sets it to 0
    SESSION_COOKIE_SECURE = env_flag("CHAINQ_SESSION_COOKIE_SECURE")
    HSTS_MAX_AGE = int(os.environ.get("CHAINQ_HSTS_MAX_AGE", str(365 * 24 * 3600)))   # sent when cookies are secure
    # login throttling (app/services/identity/throttle.py): failures counted in the database
    LOGIN_WINDOW_MINUTES = int(os.environ.get("CHAINQ_LOGIN_WINDOW_MINUTES", "15"))
    LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("CHAINQ_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
    LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("CHAINQ_LOGIN_MAX_FAILURES_PER_IP", "50"))
    API_TOKEN_DAYS = int(os.environ.get("CHAINQ_API_TOKEN_DAYS", "90"))
    # demo mode (`make run` sets CHAINQ_DEMO=1): the demo accounts log in with the published demo password
    DEMO_MODE = env_flag("CHAINQ_DEMO") or False
    # an account flagged by its administrator (created, password reset) or seeded with the demo password
    # must choose a new password before anything else; None: on unless in demo mode (app/__init__.py)
    FORCE_PASSWORD_CHANGE = env_flag("CHAINQ_FORCE_PASSWORD_CHANGE")
    # reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug's ProxyFix):
    # the client's address (login throttling) and scheme come from them; 0 trusts no such header
    PROXY_HOPS = int(os.environ.get("CHAINQ_PROXY_HOPS", "0"))
    WTF_CSRF_TIME_LIMIT = None
    PAGE_SIZE = 20
    # e-mail copies of notifications, when an SMTP server is configured
    SMTP_HOST = os.environ.get("CHAINQ_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("CHAINQ_SMTP_PORT", "25"))
    SMTP_FROM = os.environ.get("CHAINQ_SMTP_FROM", "chainq@localhost")
    SMTP_USER = os.environ.get("CHAINQ_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("CHAINQ_SMTP_PASSWORD", "")
    SMTP_TLS = os.environ.get("CHAINQ_SMTP_TLS", "0") == "1"
    # flask-smorest / OpenAPI
    API_TITLE = "ChainQ API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    # third-party browser libraries built by `make vendor` (outside app/: not our code)
    VENDOR_FOLDER = str(ROOT / "build" / "vendor")
    # the security schemes, error answers and operation ids: app/api/openapi.py
    API_SPEC_OPTIONS = {
        "info": {"description": "ChainQ workflow API. Authenticate with `Authorization: Bearer <api token>`, "
                                "or with the browser session (send the X-CSRFToken header on writes)."},
        # relative: the server that serves this document (paths start with /api/v1)
        "servers": [{"url": "/", "description": "the server that serves this document"}],
    }
