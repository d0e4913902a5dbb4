"""Configuration, read from the environment with development defaults."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    SECRET_KEY = os.environ.get("CHAINQ_SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("CHAINQ_DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'chainq.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("CHAINQ_UPLOAD_FOLDER", str(ROOT / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024          # whole request
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024        # one file
    BPMN_FOLDER = str(ROOT / "bpmn")
    FORMS_FOLDER = str(ROOT / "forms")
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
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_SUPPORTED_LOCALES = ["zh_CN", "en"]
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
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
    API_SPEC_OPTIONS = {
        "info": {"description": "ChainQ workflow API. Authenticate with a browser session "
                                "(send the X-CSRFToken header on writes) or with "
                                "`Authorization: Bearer <api token>`."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
