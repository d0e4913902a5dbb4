"""A case whose path just stops (no end event: an implicit end, valid BPMN) ends as completed, through
the services: deploy, start, complete the task; nothing is left "running" with nothing to do."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.models.states import InstanceStatus, TaskStatus
from app.services.workflow import cases, deploy, tasks

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="t">\n')


def _deploy(admin, process_id, body):
    xml = f'{HEADER}<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
    definition, created = deploy.deploy(admin, xml.encode("utf-8"), f"{process_id}.bpmn", forms={})
    assert created
    return definition


def _events(instance, kind):
    return db.session.execute(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                       AuditEvent.type == kind)).scalars().all()


def test_a_case_of_a_lone_start_event_is_completed_when_started(app, user):
    admin = user("admin")
    _deploy(admin, "lone_start", '<bpmn:startEvent id="start" />')
    instance = cases.start_instance(admin, "lone_start")
    assert instance.status == InstanceStatus.COMPLETED and instance.ended_at is not None
    assert len(_events(instance, "instance_completed")) == 1


def test_a_case_ending_after_a_task_without_outgoing_flow_is_completed(app, user):
    admin = user("admin")
    _deploy(admin, "open_ended", '<bpmn:startEvent id="start" />'
                                 '<bpmn:userTask id="confirm" name="Confirm" camunda:assignee="${initiator}" />'
                                 '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="confirm" />')
    instance = cases.start_instance(admin, "open_ended")
    assert instance.status == InstanceStatus.RUNNING
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                      HumanTask.status == TaskStatus.OPEN)).scalar_one()
    tasks.complete(admin, task.id, {"note": "done"})
    db.session.refresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert len(_events(instance, "instance_completed")) == 1
    assert cases.case_view(admin, instance.id)["data"]["note"] == "done"     # the data it ended with
