"""The consortium registry (standard §5.2, App. A): written by the application process."""
from sqlalchemy import false, insert, or_, select, true

from ...extensions import db
from ...models import Consortium, ConsortiumMember
from ..identity.permissions import ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY, districts_of, is_global_reader


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


# who reads every library record of every consortium
LIBRARY_READ_ALL = frozenset({ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY})


def sees_every_library(user):
    return user is not None and bool(LIBRARY_READ_ALL & user.group_keys)


def in_readable_consortium(user, consortium_column):
    """A SQL condition on a library record's consortium column: true for the records `user` may
    read. Every consortium's for the city office, the managing body, auditors and administrators;
    a district office's: its district's consortia; a member's (whose unit's credit code is the
    lead unit's or a member unit's): that consortium's; anyone else's: none."""
    if user is None:
        return false()
    if sees_every_library(user):
        return true()
    conditions = []
    districts = districts_of(user)
    if districts:
        conditions.append(consortium_column.in_(select(Consortium.id).where(Consortium.district.in_(sorted(districts)))))
    consortia = consortium_ids_of_unit(user.unit.credit_code if user.unit is not None else "")
    if consortia is not None:
        conditions.append(consortium_column.in_(consortia))
    return or_(*conditions) if conditions else false()


def consortium_ids_of_unit(credit_code):
    """A select of the ids of the consortia a unit leads or belongs to; None for no unit code."""
    if not credit_code:
        return None
    return select(Consortium.id).where(Consortium.lead_unit_credit_code == credit_code).union(
        select(ConsortiumMember.consortium_id).where(ConsortiumMember.credit_code == credit_code))
