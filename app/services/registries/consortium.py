"""The consortium registry (standard §5.2, App. A): written by the application process."""
from sqlalchemy import insert

from ...extensions import db
from ...models import Consortium, ConsortiumMember


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
