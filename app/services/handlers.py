"""Whitelisted service-task handlers: the only side effects a diagram can cause.

A diagram names one with `camunda:topic`; deploy refuses unknown topics. Each
handler runs inside the command that reached the service task, so what it
writes commits or rolls back with the step.
"""
from sqlalchemy import insert

from ..extensions import db
from ..models import Consortium, ConsortiumMember
from . import rows


def create_consortium(instance, data):
    """City approval creates the consortium record (standard §5.2, App. A)."""
    consortium = rows.insert_persistent(
        db.session, Consortium,
        instance_id=instance.id,
        name=data["consortium_name"], chain_domain=data["chain_domain"],
        lead_unit_name=data["lead_unit_name"], lead_unit_type=data["lead_unit_type"],
        lead_unit_credit_code=data.get("lead_unit_credit_code", ""),
        lead_person=data["lead_person"], phone=data.get("phone", ""), mobile=data.get("mobile", ""),
        district=data["district"], goals=data.get("goals", ""), work_plan=data.get("work_plan", ""))
    members = [rows.full_row(ConsortiumMember, {
        "consortium_id": consortium.id, "name": m["name"], "credit_code": m["credit_code"],
        "contact": m.get("contact", ""), "phone": m.get("phone", "")}) for m in data.get("members", [])]
    if members:
        db.session.connection().execute(insert(ConsortiumMember), members)
    return {"consortium_id": consortium.id}


HANDLERS = {
    "create_consortium": create_consortium,
}


def bound_handlers(instance):
    """The handlers as the engine calls them: with the case data only."""
    return {topic: (lambda data, _h=handler, **_kw: _h(instance, data)) for topic, handler in HANDLERS.items()}
