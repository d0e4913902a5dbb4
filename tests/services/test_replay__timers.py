"""Re-execution of a case that passed a BPMN timer: the recorded firing is fired again."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from app.extensions import db
from app.models import ProcessInstance
from app.services.audit import replay, trail as audit
from app.services.workflow import cases, deploy, tasks, timer_firing
from tests.services.test_timers__jobs import timer_diagram


def _later(**kwargs):
    return datetime.now(timezone.utc) + timedelta(**kwargs)


def test_a_case_that_passed_a_timer_re_executes(app, user, open_task):
    deploy.deploy(user("admin"), timer_diagram("replay_timer"), "replay_timer.bpmn")
    instance = cases.start_instance(user("applicant"), "replay_timer")
    assert timer_firing.fire_due(at=_later(hours=2)) == 1
    task = open_task(instance)
    tasks.claim(user("city"), task.id)
    tasks.complete(user("city"), task.id, {"decision": "approve", "opinion": "同意"})
    instance = db.session.get(ProcessInstance, instance.id)

    report = replay.reexecute(user("auditor"), instance)
    assert report.ok, report.reason
    assert "timer_fired" in [e.type for e in audit.events_of(instance.id)]


def test_a_timer_firing_recorded_with_another_path_diverges(app, user):
    deploy.deploy(user("admin"), timer_diagram("replay_timer_edit"), "replay_timer_edit.bpmn")
    instance = cases.start_instance(user("applicant"), "replay_timer_edit")
    timer_firing.fire_due(at=_later(hours=2))
    fired = next(e for e in audit.events_of(instance.id) if e.type == "timer_fired")
    # an edited record (the hash check would also see it: re-execution names the step)
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE id = :i"),
                       {"d": '{"path": ["wait", "done"], "waiting": []}', "i": fired.id})
    db.session.commit()
    db.session.expire_all()
    report = replay.reexecute(user("auditor"), db.session.get(ProcessInstance, instance.id))
    assert not report.ok and report.diverging_seq == fired.seq and "after the timer" in report.reason
