"""The base class of our tables, as the type checker should see it."""
from typing import TYPE_CHECKING

from ..extensions import Base, db

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskModel

    class Model(FlaskModel, Base):
        """What Flask-SQLAlchemy builds `db.Model` from at run time (its Model mixin
        and our DeclarativeBase); mypy cannot follow that, so it is spelled out."""
else:
    Model = db.Model
