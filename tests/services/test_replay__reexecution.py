"""The auditor's re-execution check agrees with every kind of recorded step: timers that fired
(intermediate, boundary, repeating), the instances of a multi-instance step completed in any
order, and a case of every shipped process as the demo leaves it."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, ProcessInstance
from app.services import demo
from app.services.audit import replay
from app.services.workflow import cases, deploy, tasks, timer_firing
from tests.services.test_timers__jobs import timer_diagram

BOUNDARY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:boundaryEvent id="timer" name="计时" attachedToRef="review" cancelActivity="{cancel}">
      <bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="side" />
    <bpmn:endEvent id="done" /><bpmn:endEvent id="side" />
  </bpmn:process>
</bpmn:definitions>"""


def later(**kwargs):
    return datetime.now(timezone.utc) + timedelta(**kwargs)


def _reexecutes(user, case):
    report = replay.reexecute(user("auditor"), db.session.get(ProcessInstance, case.id))
    assert report.ok, (case.process_key, report)


def test_cases_that_passed_timers_reexecute_as_recorded(app, user):
    deploy.deploy(user("admin"), timer_diagram("waits"), "waits.bpmn")
    for key, cancel, timer in (("interrupted", "true", "<bpmn:timeDuration>P3D</bpmn:timeDuration>"),
                               ("nudged", "false", "<bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>")):
        deploy.deploy(user("admin"), BOUNDARY.format(key=key, cancel=cancel, timer=timer).encode("utf-8"), f"{key}.bpmn")
    started = [cases.start_instance(user("applicant"), key) for key in ("waits", "interrupted", "nudged")]
    assert timer_firing.fire_due(at=later(hours=1, minutes=1)) == 2          # waits, and the first nudge
    assert timer_firing.fire_due(at=later(hours=2, minutes=5)) == 1          # the second nudge
    assert timer_firing.fire_due(at=later(days=4)) == 1                      # interrupted
    for case in started:
        _reexecutes(user, case)


def test_every_demo_process_reexecutes_with_multi_instance_steps_done_out_of_order(app, user):
    demo.seed_cases(), demo.seed_problems(), demo.seed_problem_processes()
    review = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "problem_library_review").order_by(ProcessInstance.id).limit(1)).scalar_one()
    rows = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == review.id, HumanTask.status == "open").order_by(HumanTask.id.desc())).scalars().all()
    assert len(rows) > 1
    for row in rows[:2]:                                  # the last instances first
        tasks.claim(user("manager"), row.id)
        tasks.complete(user("manager"), row.id, {"review_action": "keep", "decision": "approve"})
    instances = db.session.execute(select(ProcessInstance)).scalars().all()
    assert {i.process_key for i in instances} == {"consortium_application", "expert_review", "problem_report",
                                                  "problem_library_review"}
    for case in instances:
        _reexecutes(user, case)
