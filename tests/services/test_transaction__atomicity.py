"""Every command is all-or-nothing: a failure mid-command leaves no trace, and
two people completing the same task at once get one success and one conflict."""
import threading
import time

import pytest
from sqlalchemy import func, select

from app.engine import runner
from app.extensions import db
from app.models import AuditEvent, Consortium, HumanTask, Incident, ProcessInstance
from app.services.audit import trail as audit
from app.services.errors import Conflict
from app.services.workflow import cases, handlers, steps, tasks

APPROVE = {"decision": "approve", "opinion": "同意"}


def _to_city_review(user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form("tianhe"))
    for name in ("leader", "district_tianhe"):
        task = open_task(instance)
        tasks.claim(user(name), task.id)
        tasks.complete(user(name), task.id, APPROVE)
    return instance


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_failure_mid_command_leaves_no_partial_state(app, user, open_task, application_form, monkeypatch):
    instance = _to_city_review(user, open_task, application_form)
    city_task = open_task(instance)
    tasks.claim(user("city"), city_task.id)
    before = (instance.version, instance.state, _count(AuditEvent, AuditEvent.instance_id == instance.id))

    real_apply = steps.apply_step

    def apply_then_fail(*args, **kwargs):
        real_apply(*args, **kwargs)                  # the consortium rows, the case's state ...
        raise RuntimeError("disk full")              # ... then the command fails
    monkeypatch.setattr(steps, "apply_step", apply_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        tasks.complete(user("city"), city_task.id, APPROVE)

    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert (instance.version, instance.state, _count(AuditEvent, AuditEvent.instance_id == instance.id)) == before
    assert _count(Consortium) == 0
    task = db.session.get(HumanTask, city_task.id)
    assert task.status == "open" and task.completed_by_id is None
    assert audit.verify_chain(audit.chain_of(instance.id)).ok

    monkeypatch.undo()   # the fault is gone: the same command now succeeds
    tasks.complete(user("city"), city_task.id, APPROVE)
    assert _count(Consortium) == 1


def test_a_failed_step_after_a_decision_keeps_the_decision_and_nothing_of_the_step(
        app, user, open_task, application_form, monkeypatch):
    """The service task after the city's approval fails after writing: its writes are undone (a
    savepoint), the approval is kept, and an incident says what failed (docs/operations-on-cases.md)."""
    instance = _to_city_review(user, open_task, application_form)
    city_task = open_task(instance)
    tasks.claim(user("city"), city_task.id)

    def create_then_fail(inst, data):
        handlers.create_consortium(inst, data)      # writes the consortium rows ...
        raise RuntimeError("disk full")              # ... then the step fails
    monkeypatch.setitem(handlers.HANDLERS, "create_consortium", create_then_fail)
    tasks.complete(user("city"), city_task.id, APPROVE)

    db.session.expire_all()
    assert _count(Consortium) == 0
    assert db.session.get(HumanTask, city_task.id).status == "completed"
    [incident] = db.session.execute(select(Incident).where(Incident.instance_id == instance.id)).scalars().all()
    assert incident.status == "open" and "disk full" in incident.error
    assert audit.verify_chain(audit.chain_of(instance.id)).ok


def test_concurrent_completions_of_one_task_one_wins(app, user, open_task, application_form, monkeypatch):
    """The second command waits for the first (the case row lock; SQLite's write lock), then
    finds the task completed: a conflict, never a second completion."""
    instance = _to_city_review(user, open_task, application_form)
    task_id = open_task(instance).id
    city_id = user("city").id
    first_inside, release = threading.Event(), threading.Event()
    original = runner.complete_user_task

    def complete_once_the_other_waits(workflow, spiff_id, data, **options):
        first_inside.set()
        release.wait(10)            # the second command is started meanwhile, and must wait
        return original(workflow, spiff_id, data, **options)
    monkeypatch.setattr(runner, "complete_user_task", complete_once_the_other_waits)

    outcomes = []

    def approve():
        with app.app_context():
            from app.models import User
            actor = db.session.get(User, city_id)
            try:
                tasks.complete(actor, task_id, APPROVE)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    threads[0].start()
    assert first_inside.wait(10)
    threads[1].start()
    time.sleep(0.5)                 # the second is now waiting for the first's lock
    release.set()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    db.session.expire_all()
    assert _count(AuditEvent, AuditEvent.instance_id == instance.id, AuditEvent.type == "task_completed",
                  AuditEvent.task_id == task_id) == 1
    assert _count(Consortium) == 1
    assert audit.verify_chain(audit.chain_of(instance.id)).ok
