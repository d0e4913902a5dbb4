"""The consortium registry (standard §5.2, App. A): written by the application process."""
from sqlalchemy import insert, or_, select

from ...extensions import db
from ...models import Consortium, ConsortiumMember
from ..identity.permissions import districts_of, is_global_reader


def create_consortium(instance, data):
    """City approval creates the consortium record with its members (service task `create_consortium`)."""
    consortium = Consortium(
        instance_id=instance.id,
        name=data["consortium_name"], chain_domain=data["chain_domain"],
        lead_unit_name=data["lead_unit_name"], lead_unit_type=data["lead_unit_type"],
        lead_unit_credit_code=data.get("lead_unit_credit_code", ""),
        lead_person=data["lead_person"], phone=data.get("phone", ""), mobile=data.get("mobile", ""),
        district=data["district"], goals=data.get("goals", ""), work_plan=data.get("work_plan", ""))
    db.session.add(consortium)
    db.session.flush()     # the members point to it
    members = [{"consortium_id": consortium.id, "name": m["name"], "credit_code": m["credit_code"],
                "contact": m.get("contact", ""), "phone": m.get("phone", "")} for m in data.get("members", [])]
    if members:
        db.session.execute(insert(ConsortiumMember), members)
    return {"consortium_id": consortium.id}


def consortia_of(session, user):
    """The consortia `user`'s unit leads or belongs to (matched by unified social credit code)."""
    code = user.unit.credit_code if user is not None and user.unit is not None else None
    if not code:
        return []
    members = select(ConsortiumMember.consortium_id).where(ConsortiumMember.credit_code == code)
    return session.execute(select(Consortium).where(or_(
        Consortium.lead_unit_credit_code == code, Consortium.id.in_(members))).order_by(Consortium.id)).scalars().all()


def may_see_contacts(session, user, consortium):
    """Whether `user` may read the consortium's contact names and phone numbers (personal data)."""
    if is_global_reader(user) or consortium.district in districts_of(user):
        return True
    return any(c.id == consortium.id for c in consortia_of(session, user))


def consortium_choices(session, user):
    """(id, name) of the consortia a user may file under: a form's `x-widget: consortium` field."""
    return [(c.id, c.name) for c in consortia_of(session, user)]


def all_consortia(session):
    """Every consortium, oldest first (a timer start with startPerRecord=consortium opens a case for each)."""
    return session.execute(select(Consortium).order_by(Consortium.id)).scalars().all()
