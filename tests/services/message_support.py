"""Helpers for the message tests: deploy the diagrams of tests/bpmn/messages, read a case's state."""
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, EventSubscription, HumanTask, ProcessInstance
from app.models.states import TaskStatus
from app.services.workflow import deploy

DIAGRAMS = Path(__file__).resolve().parent.parent / "bpmn" / "messages"


def deploy_diagram(admin, key):
    return deploy.deploy(admin, (DIAGRAMS / f"{key}.bpmn").read_bytes(), f"{key}.bpmn")[0]


def open_steps(instance):
    """Element ids of the case's open inbox rows, sorted."""
    return sorted(db.session.execute(select(HumanTask.element_id).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all())


def open_row(instance, element_id):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.element_id == element_id,
        HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).scalars().first()


def subscribed(instance):
    return sorted((s.kind, s.name, s.element_id) for s in db.session.execute(select(EventSubscription).where(
        EventSubscription.instance_id == instance.id)).scalars())


def events(instance_id, kind=None):
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    found = db.session.execute(query).scalars().all()
    return [e for e in found if kind is None or e.type == kind]


def cases_of(key):
    return db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == key)
                              .order_by(ProcessInstance.id)).scalars().all()
