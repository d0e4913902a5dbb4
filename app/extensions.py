"""Unbound Flask extensions, bound in create_app()."""
from datetime import timezone

from flask_babel import Babel
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import JSON, DateTime
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


# An optional JSON value: None is stored as SQL NULL, whether the ORM or a Core INSERT of
# queued rows writes it, so a row reads the same whichever path wrote it (SQLAlchemy's
# default would store the JSON text 'null').
NULLABLE_JSON = JSON(none_as_null=True)


class Base(DeclarativeBase):
    pass


# Objects are not expired when a transaction commits, so a page shows a command's result without
# reading it again; the next command expires them as it begins (app/services/command.py, _begin).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
api = Api()
