"""A form edited in the browser is deployed with the diagrams that use it: version N+1 of every
process whose newest version pins it, the new schema pinned there, the other forms kept; running
cases keep their form. An unchanged form deploys nothing; a broken one is refused naming its path
and line; only administrators may do it."""
import copy
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ProcessDefinition
from app.services.errors import Forbidden, ValidationFailed
from app.services.workflow import cases, definitions, form_versions, tasks

USERS_OF_REVIEW_OPINION = {"achievement_admission", "breakthrough_project", "consortium_application", "expert_review"}


def _with_field(schema, name="risk_note", required=False):
    changed = copy.deepcopy(schema)
    changed["properties"][name] = {"type": "string", "title": "风险说明", "x-widget": "textarea"}
    if required:
        changed["required"] = [*changed.get("required", []), name]
    return changed


def _versions(key):
    return db.session.execute(select(ProcessDefinition.version).where(ProcessDefinition.key == key)
                              .order_by(ProcessDefinition.version)).scalars().all()


def test_a_form_deploys_every_process_that_pins_it(app, user):
    admin = user("admin")
    entry = form_versions.form_for_editing(admin, "review_opinion")
    assert {p.key for p in entry.pinned_by if p.newest} == USERS_OF_REVIEW_OPINION
    other_form = definitions.latest("consortium_application").forms["consortium_application"]

    redeployed = form_versions.deploy_form(admin, "review_opinion", json.dumps(_with_field(entry.schema)),
                                           "区办审核须写明风险")

    assert sorted(redeployed) == sorted((key, 2) for key in USERS_OF_REVIEW_OPINION)
    for key in USERS_OF_REVIEW_OPINION:
        newest = definitions.latest(key)
        assert newest.version == 2 and "risk_note" in newest.forms["review_opinion"]["properties"]
    assert definitions.latest("consortium_application").forms["consortium_application"] == other_form
    assert _versions("problem_report") == [1]                   # does not use the form: untouched
    event = db.session.execute(select(AuditEvent).where(AuditEvent.type == "form_deployed")).scalar_one()
    assert event.data["note"] == "区办审核须写明风险" and event.data["key"] == "review_opinion"
    assert sorted(map(tuple, event.data["processes"])) == sorted(redeployed)


def test_a_running_case_keeps_its_form_and_a_new_case_gets_the_new_one(app, user, open_task, application_form):
    admin, applicant = user("admin"), user("applicant")
    running = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(running).id, application_form())
    schema = form_versions.form_for_editing(admin, "review_opinion").schema
    form_versions.deploy_form(admin, "review_opinion", json.dumps(_with_field(schema, required=True)), "必填风险")

    started = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(started).id, application_form(name="新案件"))
    assert "risk_note" not in tasks.form_of(open_task(running))["properties"]
    assert "risk_note" in tasks.form_of(open_task(started))["required"]


def test_an_unchanged_form_deploys_nothing(app, user):
    admin = user("admin")
    entry = form_versions.form_for_editing(admin, "review_opinion")
    assert form_versions.deploy_form(admin, "review_opinion", entry.text, "没有变化") == []
    assert _versions("consortium_application") == [1]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.type == "form_deployed")).first() is None


def test_a_broken_schema_is_refused_naming_the_path_and_line(app, user):
    admin = user("admin")
    schema = form_versions.form_for_editing(admin, "review_opinion").schema
    broken = _with_field(schema)
    broken["properties"]["risk_note"]["type"] = "strin"
    text = json.dumps(broken, indent=2, ensure_ascii=False)
    line = text.splitlines().index('      "type": "strin",') + 1
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationFailed) as refused:
        form_versions.deploy_form(admin, "review_opinion", text, "坏的")
    assert refused.value.errors["schema"][0].startswith(f"Line {line}, properties.risk_note.type: ")
    assert _versions("consortium_application") == [1]


@pytest.mark.parametrize("change, path", [
    (lambda s: s["properties"].update(initiator={"type": "string"}), "properties.initiator"),
    (lambda s: s["required"].append("nobody"), "required"),
    (lambda s: s["properties"].update({"Bad-Name": {"type": "string"}}), "properties.Bad-Name"),
    (lambda s: s["properties"].update(rows={"type": "array", "x-widget": "table"}), "properties.rows"),
])
def test_what_the_renderer_or_the_workflow_cannot_take_is_refused(app, user, change, path):
    admin = user("admin")
    schema = copy.deepcopy(form_versions.form_for_editing(admin, "review_opinion").schema)
    change(schema)
    checked = form_versions.check_form(admin, "review_opinion", json.dumps(schema, indent=2))
    assert [p.path for p in checked.problems] == [path]
    with pytest.raises(ValidationFailed):
        form_versions.deploy_form(admin, "review_opinion", json.dumps(schema), "不行")


def test_unreadable_json_names_the_line(app, user):
    checked = form_versions.check_form(user("admin"), "review_opinion", '{\n  "type": "object",\n  oops\n}')
    assert checked.schema is None and checked.problems[0].line == 3


def test_a_new_required_field_is_warned_about(app, user):
    admin = user("admin")
    schema = form_versions.form_for_editing(admin, "review_opinion").schema
    checked = form_versions.check_form(admin, "review_opinion", json.dumps(_with_field(schema, required=True)))
    assert checked.problems == [] and checked.required_added == ["risk_note"]


def test_a_change_note_is_required(app, user):
    admin = user("admin")
    entry = form_versions.form_for_editing(admin, "review_opinion")
    with pytest.raises(ValidationFailed) as refused:
        form_versions.deploy_form(admin, "review_opinion", json.dumps(_with_field(entry.schema)), "  ")
    assert "note" in refused.value.errors


def test_only_administrators_edit_forms(app, user):
    city = user("city")
    with pytest.raises(Forbidden):
        form_versions.form_catalogue(city)
    with pytest.raises(Forbidden):
        form_versions.check_form(city, "review_opinion", "{}")
    with pytest.raises(Forbidden):
        form_versions.deploy_form(city, "review_opinion", "{}", "x")
    assert _versions("consortium_application") == [1]
