"""The definitions page's services: versions with their case counts, the bundle of a version, and
stopping new cases of a process (refused by hand, through start forms and for timer starts; audited)."""
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import search
from app.services.errors import Forbidden, NotFound
from app.services.workflow import cases, definition_admin, definitions, modeler, start_forms

KEY = "consortium_application"


def test_overview_lists_versions_with_running_and_finished_counts(app, user):
    admin = user("admin")
    first = cases.start_instance(user("applicant"), KEY)
    modeler.deploy_edited(admin, KEY, definitions.latest(KEY).bpmn_xml.replace("区办审核", "区办初审"), "renamed")
    cases.start_instance(user("applicant"), KEY)
    row = next(r for r in definition_admin.overview(user("auditor")) if r.key == KEY)
    assert [v.definition.version for v in row.versions] == [2, 1]
    newest, oldest = row.versions
    assert (newest.running, newest.definition.change_note, newest.deployed_by) == (1, "renamed", admin.display_name)
    assert oldest.running >= 1 and oldest.definition.id == first.definition_id
    with pytest.raises(Forbidden):
        definition_admin.overview(user("applicant"))


def test_the_bundle_holds_the_diagram_its_forms_and_its_rules(app, user):
    definition = definitions.latest("problem_report")
    name, data = definition_admin.bundle(user("auditor"), definition.id)
    assert name == f"problem_report-v{definition.version}.zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"bpmn/{definition.filename}" in names
    assert {f"forms/{key}.json" for key in definition.forms} <= set(names)
    assert {f"rules/{key}.dmn" for key in (definition.decisions or {})} <= set(names) and definition.decisions
    form_key = sorted(definition.forms)[0]
    assert json.loads(zipfile.ZipFile(io.BytesIO(data)).read(f"forms/{form_key}.json")) == definition.forms[form_key]
    with pytest.raises(Forbidden):
        definition_admin.bundle(user("applicant"), definition.id)
    with pytest.raises(NotFound):
        definition_admin.bundle(user("admin"), 999999)


def test_stopping_new_cases_refuses_every_way_of_starting_and_is_audited(app, user):
    admin, applicant = user("admin"), user("applicant")
    running = cases.start_instance(applicant, KEY)
    assert definition_admin.set_start_enabled(admin, KEY, False) is True
    assert definition_admin.set_start_enabled(admin, KEY, False) is False     # already: nothing recorded
    with pytest.raises(definition_admin.StartDisabled) as refused:
        cases.start_instance(applicant, KEY)
    assert refused.value.status == 409
    with pytest.raises(definition_admin.StartDisabled):
        start_forms.start_form(applicant, KEY)
    assert running.status == "running"
    definition_admin.set_start_enabled(admin, KEY, True)
    assert cases.start_instance(applicant, KEY).process_key == KEY
    types = db.session.execute(select(AuditEvent.type).where(
        AuditEvent.type.in_(("process_start_disabled", "process_start_enabled")))).scalars().all()
    assert types == ["process_start_disabled", "process_start_enabled"]
    assert {"process_start_disabled", "process_start_enabled"} <= set(search.ADMIN_EVENT_TYPES)


def test_only_administrators_switch_and_only_known_keys(app, user):
    with pytest.raises(Forbidden):
        definition_admin.set_start_enabled(user("auditor"), KEY, False)
    with pytest.raises(NotFound):
        definition_admin.set_start_enabled(user("admin"), "no_such_process", False)


def test_a_stopped_timer_start_skips_its_occurrences_and_keeps_its_schedule(app, user):
    from datetime import datetime, timezone

    from app.models import ProcessInstance
    from app.services.workflow import deploy, timer_firing
    from tests.services.test_timers__start_events import periodic, start_jobs
    utc = timezone.utc
    app.config["TIMER_CLOCK"] = lambda: datetime(2026, 11, 25, 8, 0, tzinfo=utc)       # the deploy's moment
    admin = user("admin")
    deploy.deploy(admin, periodic("daily_check", "R3/2026-12-01T09:00:00+08:00/P1D"), "daily_check.bpmn")
    definition_admin.set_start_enabled(admin, "daily_check", False)

    def started():
        return db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == "daily_check")).all()
    assert timer_firing.fire_due(at=datetime(2026, 12, 1, 1, 0, 1, tzinfo=utc)) == 1
    assert started() == [] and start_jobs("daily_check")[0].status == "pending"      # skipped, next one waits
    definition_admin.set_start_enabled(admin, "daily_check", True)
    assert timer_firing.fire_due(at=datetime(2026, 12, 2, 1, 0, 1, tzinfo=utc)) == 1
    assert len(started()) == 1
