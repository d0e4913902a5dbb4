"""Hand edits of the audit trail in the database are detected and pinpointed."""
import pytest
from sqlalchemy import text

from app.extensions import db
from app.services.audit import trail as audit
from app.services.workflow import cases, tasks


@pytest.fixture
def case(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form())
    task = open_task(instance)
    tasks.claim(user("leader"), task.id)
    tasks.complete(user("leader"), task.id, {"decision": "approve", "opinion": "同意"})
    assert audit.verify_chain(audit.chain_of(instance.id)).ok
    return instance


def _report(instance):
    db.session.expire_all()
    return audit.verify_chain(audit.chain_of(instance.id))


def test_an_updated_event_is_detected(case):
    db.session.execute(text("UPDATE audit_event SET actor_name = 'someone else' WHERE chain = :c AND seq = 3"),
                       {"c": audit.chain_of(case.id)})
    db.session.commit()
    report = _report(case)
    assert not report.ok and report.broken_seq == 3 and "altered" in report.reason


def test_a_deleted_event_is_detected(case):
    db.session.execute(text("DELETE FROM audit_event WHERE chain = :c AND seq = 2"), {"c": audit.chain_of(case.id)})
    db.session.commit()
    report = _report(case)
    assert not report.ok and report.broken_seq == 3 and "missing" in report.reason


def test_reordered_events_are_detected(case):
    chain = audit.chain_of(case.id)
    for old, new in ((2, 1000), (3, 2), (1000, 3)):
        db.session.execute(text("UPDATE audit_event SET seq = :new WHERE chain = :c AND seq = :old"),
                           {"c": chain, "old": old, "new": new})
    db.session.commit()
    report = _report(case)
    assert not report.ok and report.broken_seq == 2


def test_cli_names_the_first_broken_link(case, app):
    db.session.execute(text("UPDATE audit_event SET data = '{}' WHERE chain = :c AND seq = 4"),
                       {"c": audit.chain_of(case.id)})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN instance:{case.id}: event #4" in result.output


def test_cli_passes_an_intact_trail(case, app):
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0 and "0 broken" in result.output
