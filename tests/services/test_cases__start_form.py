"""发起 without a case: the start form is shown without writing anything, and its first save or
submit creates the case and saves or completes the first step in one command, or nothing."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance
from app.services.errors import ValidationFailed
from app.services.workflow import start_forms

WRONG_CODE = "91440101MA59XXXXX1"


def _counts():
    return (db.session.scalar(select(func.count()).select_from(ProcessInstance)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.count()).select_from(HumanTask)))


def test_the_start_form_writes_nothing_and_prefills_the_unit(app, user):
    before = _counts()
    form = start_forms.start_form(user("applicant"), "consortium_application")
    assert form.element_id and "consortium_name" in form.schema["properties"]
    assert form.values.get("lead_unit_name") == "广州智能装备集团有限公司"     # x-default-from: initiator_unit_name
    assert _counts() == before


def test_a_refused_submit_creates_no_case_and_no_audit_event(app, user, application_form):
    before = _counts()
    data = application_form()
    data["members"][0]["credit_code"] = WRONG_CODE
    with pytest.raises(ValidationFailed) as refused:
        start_forms.start_with_form(user("applicant"), "consortium_application", data, submit=True)
    assert "members.0.credit_code" in refused.value.errors
    db.session.rollback()
    assert _counts() == before


def test_a_first_draft_creates_the_case_with_the_draft(app, user):
    applicant = user("applicant")
    instance, task = start_forms.start_with_form(applicant, "consortium_application",
                                                 {"consortium_name": "草稿联合体"}, submit=False)
    assert instance.business_key and instance.title == "草稿联合体"
    assert task.status == "open" and task.assignee_id == applicant.id
    assert task.draft_data == {"consortium_name": "草稿联合体"}
    kinds = db.session.execute(select(AuditEvent.type).where(AuditEvent.instance_id == instance.id)
                               .order_by(AuditEvent.seq)).scalars().all()
    assert kinds[0] == "instance_started" and kinds[-1] == "task_draft_saved"


def test_a_first_submit_creates_the_case_with_its_first_step_completed(app, user, application_form):
    form = application_form()
    instance, task = start_forms.start_with_form(user("applicant"), "consortium_application", form, submit=True)
    assert task.status == "completed" and instance.title == form["consortium_name"]
    rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)
                              .order_by(HumanTask.id)).scalars().all()
    assert [r.status for r in rows] == ["completed", "open"]       # the lead unit's step waits
    assert "task_completed" in db.session.execute(select(AuditEvent.type).where(
        AuditEvent.instance_id == instance.id)).scalars().all()
