"""A step that fails after a person's decision: the decision is kept, the case waits at the failed
step with an incident (error, element, when); an administrator corrects the data and retries."""
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Incident
from app.services.audit import replay, trail as audit
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.operations import incidents, termination
from app.services.workflow import cases, deploy, handlers, tasks


def diagram(key, middle):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="填报" camunda:candidateGroups="applicants" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="middle" />
    {middle}
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" />
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


SERVICE = """<bpmn:serviceTask id="middle" name="计算" camunda:type="external" camunda:topic="test_checked" />
    <bpmn:sequenceFlow id="f3" sourceRef="middle" targetRef="review" />"""
GATEWAY = """<bpmn:exclusiveGateway id="middle" name="分流" />
    <bpmn:sequenceFlow id="f3" sourceRef="middle" targetRef="review"><bpmn:conditionExpression>score &gt; 5</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="middle" targetRef="done"><bpmn:conditionExpression>score &lt;= 5</bpmn:conditionExpression></bpmn:sequenceFlow>"""


@pytest.fixture
def checked_service(monkeypatch):
    """A whitelisted service task that fails unless the case data holds `amount`."""
    def checked(instance, data):
        if "amount" not in data:
            raise RuntimeError("amount missing")
        return {"checked": data["amount"]}
    monkeypatch.setitem(handlers.HANDLERS, "test_checked", checked)


def rows(case, status="open"):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == status)).scalars().all()


def events(case):
    return [e.type for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id).order_by(AuditEvent.seq)).scalars()]


def test_a_failed_service_task_keeps_the_decision_then_data_correction_and_retry(app, user, checked_service):
    deploy.deploy(user("admin"), diagram("failing", SERVICE), "failing.bpmn")
    case = cases.start_instance(user("applicant"), "failing")
    [fill] = rows(case)
    tasks.complete(user("applicant"), fill.id, {"title": "申报"})          # no 500, no lost work
    assert [r.status for r in rows(case, "completed")] == ["completed"] and rows(case) == []
    [incident] = incidents.list_incidents(user("admin")).steps
    assert (incident.element_id, incident.element_name) == ("middle", "计算") and "amount missing" in incident.error
    assert incident.created_at is not None and incident.task_id == fill.id
    assert events(case)[-2:] == ["task_completed", "incident_created"]
    assert incidents.incident_detail(user("admin"), incident.id).data["title"] == "申报"

    assert incidents.retry(user("admin"), incident.id).status == "open"   # not fixed yet: fails again
    assert incident.attempts == 2 and rows(case) == []

    with pytest.raises(ValidationFailed) as refused:
        incidents.correct_data(user("admin"), case.id, "{not json", "更正")
    assert "data" in refused.value.errors
    with pytest.raises(Forbidden):
        incidents.correct_data(user("city"), case.id, '{"title": "申报", "amount": 3}', "更正")
    edited = {**incidents.incident_detail(user("admin"), incident.id).data, "title": "申报（更正）", "amount": 3}
    with pytest.raises(ValidationFailed) as refused:
        incidents.correct_data(user("admin"), case.id, json.dumps(edited), "  ")
    assert "reason" in refused.value.errors
    incidents.correct_data(user("admin"), case.id, json.dumps(edited), "申报人补报金额")
    corrected = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "data_corrected")).scalar_one()
    assert corrected.data["before"] == {"title": "申报", "amount": None}
    assert corrected.data["after"] == {"title": "申报（更正）", "amount": 3}
    assert corrected.data["reason"] == "申报人补报金额"

    assert incidents.retry(user("admin"), incident.id).status == "resolved"
    assert [r.element_id for r in rows(case)] == ["review"]
    assert incidents.list_incidents(user("admin")).steps == []
    with pytest.raises(Conflict):
        incidents.retry(user("admin"), incident.id)
    trail = events(case)
    last_retry = len(trail) - 1 - trail[::-1].index("incident_retried")
    assert trail[last_retry + 1] == "service_task_completed"          # the step that failed, now done
    assert audit.verify_chain(audit.chain_of(case.id)).ok
    assert replay.reexecute(user("auditor"), case).ok          # the decision, the correction, the retry


def test_a_condition_that_cannot_be_evaluated_is_an_incident_too(app, user):
    deploy.deploy(user("admin"), diagram("cond_fail", GATEWAY), "cond_fail.bpmn")
    case = cases.start_instance(user("applicant"), "cond_fail")
    tasks.complete(user("applicant"), rows(case)[0].id, {"title": "无分数"})
    [incident] = db.session.execute(select(Incident).where(Incident.instance_id == case.id)).scalars().all()
    assert incident.element_id == "middle" and incident.status == "open"
    incidents.correct_data(user("admin"), case.id, json.dumps(
        {**incidents.incident_detail(user("admin"), incident.id).data, "score": 9}), "补录分数")
    incidents.retry(user("admin"), incident.id)
    assert [r.element_id for r in rows(case)] == ["review"]


def test_terminating_a_case_ends_its_incident(app, user):
    deploy.deploy(user("admin"), diagram("cond_ended", GATEWAY), "cond_ended.bpmn")
    case = cases.start_instance(user("applicant"), "cond_ended")
    tasks.complete(user("applicant"), rows(case)[0].id, {"title": "无分数"})
    [incident] = incidents.list_incidents(user("admin")).steps
    termination.terminate(user("admin"), case.id, "撤销")
    assert incidents.list_incidents(user("admin")).steps == []
    with pytest.raises(Conflict):
        incidents.retry(user("admin"), incident.id)
