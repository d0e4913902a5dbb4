"""Text longer than its String(n) column is a 422 naming the column on both databases, never a
500 from PostgreSQL (nor kept whole by SQLite)."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Holiday
from app.services.command import command
from app.services.errors import ValidationFailed
from app.services.filenames import shorten


def test_a_long_value_is_refused_naming_its_column(app):
    with pytest.raises(ValidationFailed) as refused:
        with command():
            db.session.add(Holiday(day="2026-10-01", name="节" * 101))
    assert list(refused.value.errors) == ["name"] and "100" in refused.value.errors["name"][0]
    assert db.session.execute(select(func.count()).select_from(Holiday)).scalar() == 0


def test_a_long_value_met_by_an_autoflush_is_refused_too(app, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite keeps long text: only PostgreSQL refuses it during an autoflush")
    with pytest.raises(ValidationFailed) as refused:
        with command():
            db.session.add(Holiday(day="2026-10-01", name="节" * 101))
            db.session.execute(select(Holiday)).all()       # flushes first
    assert refused.value.errors


def test_a_shortened_file_name_keeps_its_extension():
    assert shorten("a" * 300 + ".pdf", 255) == "a" * 251 + ".pdf"
    assert shorten("short.bpmn", 200) == "short.bpmn"
    assert shorten("b" * 300, 10) == "b" * 10
