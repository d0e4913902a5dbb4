"""The modeler's commands: the check gives every deploy problem with element and line, a deploy needs
a change note and is version N+1 (recorded, the draft gone), drafts per administrator, new processes
from the blank template or a copy."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ModelerDraft
from app.services.errors import Forbidden, ValidationFailed
from app.services.workflow import cases, definitions, drafts, modeler

KEY = "consortium_application"


def _current():
    return definitions.latest(KEY).bpmn_xml


def _without_approver(xml, element="district_review"):
    """The step's approvers removed (its candidate groups attribute)."""
    import re
    pattern = re.compile(r'(<bpmn:userTask id="%s"[^>]*?) camunda:candidateGroups="[^"]*"' % element)
    changed = pattern.sub(r"\1", xml, count=1)
    assert changed != xml
    return changed


def test_the_check_lists_every_problem_with_its_element_and_line(app, user):
    admin = user("admin")
    assert modeler.check(admin, KEY, _current()) == []
    broken = _without_approver(_without_approver(_current()), "city_review")
    problems = modeler.check(admin, KEY, broken)
    assert {p["element"] for p in problems} >= {"district_review", "city_review"}
    assert all(p["line"] for p in problems)
    assert any("candidateGroups" in p["message"] for p in problems)


def test_the_check_speaks_the_readers_language(app, user):
    from flask_babel import force_locale
    with force_locale("zh_CN"):
        problems = modeler.check(user("admin"), KEY, _without_approver(_current()))
    assert problems and not any("user task needs" in p["message"] for p in problems)


def test_the_process_id_must_stay_the_key(app, user):
    xml = _current().replace(f'<bpmn:process id="{KEY}"', '<bpmn:process id="another_key"')
    [problem] = modeler.check(user("admin"), KEY, xml)
    assert problem["element"] == "another_key"


def test_unreadable_xml_is_a_problem_not_a_crash(app, user):
    [problem] = modeler.check(user("admin"), KEY, "<bpmn:definitions")
    assert problem["message"]


def test_only_administrators_check_deploy_and_draft(app, user):
    applicant = user("applicant")
    for call in (lambda: modeler.check(applicant, KEY, _current()),
                 lambda: modeler.deploy_edited(applicant, KEY, _current(), "note"),
                 lambda: drafts.save(applicant, KEY, _current()),
                 lambda: modeler.new_process(applicant, "x_new", "", "")):
        with pytest.raises(Forbidden):
            call()


def test_deploy_needs_a_note_and_makes_version_n_plus_1_with_it(app, user):
    admin = user("admin")
    running = cases.start_instance(user("applicant"), KEY)
    changed = _current().replace("区办审核", "区办初审")
    with pytest.raises(ValidationFailed) as refused:
        modeler.deploy_edited(admin, KEY, changed, "  ")
    assert "change_note" in refused.value.errors
    drafts.save(admin, KEY, changed)
    definition, created = modeler.deploy_edited(admin, KEY, changed, "District review renamed")
    assert created and definition.version == 2 and definition.change_note == "District review renamed"
    assert definitions.get(running.definition_id).version == 1          # the running case stays on v1
    assert drafts.get(admin, KEY) is None
    event = db.session.execute(select(AuditEvent).where(AuditEvent.type == "definition_deployed")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert event.data["change_note"] == "District review renamed" and event.data["version"] == 2
    again, created_again = modeler.deploy_edited(admin, KEY, changed, "same again")
    assert (again.version, created_again) == (2, False)


def test_a_refused_diagram_deploys_nothing_and_keeps_the_draft(app, user):
    admin = user("admin")
    broken = _without_approver(_current())
    drafts.save(admin, KEY, broken)
    with pytest.raises(ValidationFailed) as refused:
        modeler.deploy_edited(admin, KEY, broken, "try")
    assert refused.value.errors["bpmn"]
    assert definitions.latest(KEY).version == 1
    assert drafts.get(admin, KEY).bpmn_xml == broken


def test_deploy_keeps_the_forms_the_newest_version_pinned(app, user):
    """A form changed since on the newest version (the browser's form editor) is the one a new version pins."""
    admin = user("admin")
    newest = definitions.latest(KEY)
    forms = dict(newest.forms)
    form_key = sorted(forms)[0]
    forms[form_key] = dict(forms[form_key], title="edited in the browser")
    newest.forms = forms
    db.session.commit()
    definition, _created = modeler.deploy_edited(admin, KEY, _current().replace("区办审核", "区办初审"), "note")
    assert definition.forms[form_key]["title"] == "edited in the browser"


def test_drafts_are_per_administrator_and_replaced(app, user):
    admin = user("admin")
    drafts.save(admin, KEY, "<first/>")
    drafts.save(admin, KEY, "<second/>")
    assert drafts.get(admin, KEY).bpmn_xml == "<second/>"
    assert db.session.execute(select(ModelerDraft)).scalars().all().__len__() == 1
    drafts.discard(admin, KEY)
    assert drafts.get(admin, KEY) is None
    with pytest.raises(ValidationFailed):
        drafts.save(admin, "bad key!", "<x/>")
    with pytest.raises(ValidationFailed):
        drafts.save(admin, KEY, "")


def test_a_new_process_from_the_blank_template_or_a_copy(app, user):
    admin = user("admin")
    blank = modeler.new_process(admin, "street_filing", "街道备案", "")
    assert 'id="street_filing"' in blank.bpmn_xml and modeler.check(admin, "street_filing", blank.bpmn_xml) == []
    definition, created = modeler.deploy_edited(admin, "street_filing", blank.bpmn_xml, "first version")
    assert (definition.key, definition.version, created) == ("street_filing", 1, True)
    copy = modeler.new_process(admin, "consortium_copy", "", KEY)
    assert 'bpmnElement="consortium_copy"' in copy.bpmn_xml
    assert modeler.check(admin, "consortium_copy", copy.bpmn_xml) == []
    with pytest.raises(ValidationFailed):
        modeler.new_process(admin, KEY, "", "")                 # an existing key
    with pytest.raises(ValidationFailed):
        modeler.new_process(admin, "consortium_copy", "", "")   # a draft of it exists
