"""Groups (roles, district offices, units' leaders) and units, kept by administrators: each command
refused to others, each change an audit event, bad input refused naming the field."""
import pytest
from sqlalchemy import select

from app.domain.credit_code import make_credit_code
from app.extensions import db
from app.models import AuditEvent, Group, Unit
from app.services.audit import search
from app.services.errors import Forbidden, NotFound, ValidationFailed
from app.services.identity import accounts, organisation, users

GOOD_CODE = make_credit_code("9144010112345678")


def events(event_type):
    return [e.data for e in db.session.execute(select(AuditEvent).where(AuditEvent.type == event_type)
                                               .order_by(AuditEvent.id)).scalars()]


def test_a_group_is_created_renamed_and_given_members(app, user):
    admin = user("admin")
    group = organisation.create_group(admin, "reviewers", "评审组")
    assert group.kind == "role"
    organisation.rename_group(admin, group.id, "评审专家组")
    organisation.add_member(admin, group.id, "expert1")
    organisation.add_member(admin, group.id, "expert1")           # already in: nothing recorded
    organisation.remove_member(admin, group.id, "expert1")
    assert [u.username for u in organisation.members_of(admin, group.id)] == []
    assert events("group_created") == [{"group": "reviewers", "name": "评审组", "kind": "role"}]
    assert events("group_changed") == [{"group": "reviewers", "name": ["评审组", "评审专家组"]},
                                       {"group": "reviewers", "added": "expert1"},
                                       {"group": "reviewers", "removed": "expert1"}]
    assert {"group_created", "group_changed", "unit_created", "unit_changed"} <= set(search.ADMIN_EVENT_TYPES)


def test_a_district_office_must_name_a_district_and_a_units_leaders_a_unit(app, user):
    admin = user("admin")
    with pytest.raises(ValidationFailed) as unknown:
        organisation.create_group(admin, "district_office:atlantis", "x")
    assert "atlantis" in unknown.value.errors["key"][0]
    with pytest.raises(ValidationFailed) as exists:
        organisation.create_group(admin, "district_office:tianhe", "x")
    assert list(exists.value.errors) == ["key"]
    with pytest.raises(ValidationFailed) as bad:
        organisation.create_group(admin, "Bad Key", "")
    assert set(bad.value.errors) == {"key", "name"}
    organisation.create_unit(admin, organisation.UnitInput(key="gz_new", name="广州新单位", credit_code=GOOD_CODE))
    assert organisation.create_group(admin, "unit_leader:gz_new", "广州新单位 负责人").kind == "unit"


def test_missing_district_offices_are_created_once(app, user):
    admin = user("admin")
    db.session.delete(db.session.execute(select(Group).where(Group.key == "district_office:conghua")).scalar_one())
    db.session.commit()
    assert organisation.ensure_district_offices(admin) == ["district_office:conghua"]
    assert organisation.ensure_district_offices(admin) == []
    assert len(events("group_created")) == 1


def test_a_unit_needs_a_valid_unique_credit_code_a_known_type_and_district(app, user):
    admin = user("admin")
    with pytest.raises(ValidationFailed) as refused:
        organisation.create_unit(admin, organisation.UnitInput(
            key="X", name=" ", unit_type="castle", credit_code=GOOD_CODE[:-1] + "0", district="atlantis"))
    assert set(refused.value.errors) == {"key", "name", "unit_type", "credit_code", "district"}
    unit = organisation.create_unit(admin, organisation.UnitInput(
        key="gz_lab", name="广州实验室", unit_type="research_institute", credit_code=GOOD_CODE.lower(),
        district="huangpu"))
    assert unit.credit_code == GOOD_CODE
    with pytest.raises(ValidationFailed) as duplicate:
        organisation.create_unit(admin, organisation.UnitInput(key="gz_lab2", name="另一个", credit_code=GOOD_CODE))
    assert list(duplicate.value.errors) == ["credit_code"]
    organisation.update_unit(admin, unit.id, organisation.UnitInput(
        name="广州实验室（黄埔）", unit_type="research_institute", credit_code=GOOD_CODE, district="huangpu"))
    assert events("unit_changed") == [{"unit": "gz_lab", "changes": {"name": ["广州实验室", "广州实验室（黄埔）"]}}]
    assert events("unit_created")[0]["credit_code"] == GOOD_CODE
    with pytest.raises(NotFound):
        organisation.update_unit(admin, 999999, organisation.UnitInput(name="x"))


@pytest.mark.parametrize("command", [
    lambda actor: organisation.create_group(actor, "reviewers", "评审组"),
    lambda actor: organisation.rename_group(actor, 1, "x"),
    lambda actor: organisation.add_member(actor, 1, "expert1"),
    lambda actor: organisation.remove_member(actor, 1, "admin"),
    lambda actor: organisation.ensure_district_offices(actor),
    lambda actor: organisation.create_unit(actor, organisation.UnitInput(key="gz_x", name="X")),
    lambda actor: organisation.update_unit(actor, 1, organisation.UnitInput(name="X")),
    lambda actor: organisation.list_groups(actor),
    lambda actor: organisation.list_units(actor),
])
def test_only_administrators_keep_the_organisation(app, user, command):
    with pytest.raises(Forbidden):
        command(user("auditor"))
    assert events("group_created") == [] and events("unit_created") == [] and events("group_changed") == []
    assert db.session.execute(select(Unit).where(Unit.key == "gz_x")).first() is None


def test_the_people_search_finds_active_people_by_name_unit_or_group(app, user):
    assert [u.username for u in users.search_people("天河区办")] == ["district_tianhe"]
    by_unit = {u.username for u in users.search_people("新能源汽车")}
    assert by_unit == {"applicant2", "leader2"}
    by_group = {u.username for u in users.search_people("experts")}
    assert by_group == {f"expert{i}" for i in range(1, 6)}
    assert {u.username for u in users.search_people("专家")} >= by_group
    organisation.remove_member(user("admin"), user("expert1").groups[0].id, "expert1")
    accounts.deactivate(user("admin"), user("expert2").id)
    assert {u.username for u in users.search_people("experts")} == {"expert3", "expert4", "expert5"}
