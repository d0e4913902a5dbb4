"""The consortium application through the service layer: approve, return, reject."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Consortium, HumanTask, ProcessInstance
from app.services.audit import trail as audit
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.workflow import cases, tasks

APPROVE = {"decision": "approve", "opinion": "同意"}


def act(actor, task, data):
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    return tasks.complete(actor, task.id, data)


def test_approved_application_creates_the_consortium(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    first = open_task(instance)
    assert first.element_id == "fill_application" and first.assignee_id == applicant.id
    form = application_form("tianhe")
    act(applicant, first, form)
    lead = open_task(instance)
    assert lead.element_id == "lead_unit_opinion" and lead.candidate_groups == "unit_leader:gz_smart_equipment"
    act(user("leader"), lead, APPROVE)
    district = open_task(instance)
    assert (district.element_id, district.candidate_groups, district.district) == \
        ("district_review", "district_office:tianhe", "tianhe")
    act(user("district_tianhe"), district, APPROVE)
    city = open_task(instance)
    assert city.candidate_groups == "city_office"
    act(user("city"), city, {"decision": "approve", "opinion": "同意组建"})

    db.session.refresh(instance)
    assert (instance.status, instance.outcome) == ("completed", "approved")
    consortium = db.session.execute(select(Consortium).where(Consortium.instance_id == instance.id)).scalar_one()
    assert consortium.name == form["consortium_name"]
    assert [m.credit_code for m in consortium.members] == [m["credit_code"] for m in form["members"]]
    assert consortium.district == "tianhe" and consortium.lead_unit_type == "chain_owner"
    events = [(e.type, e.element_id) for e in audit.events_of(instance.id)]
    assert events[0][0] == "instance_started" and events[-1][0] == "instance_completed"
    # the city office's decision, then the consortium record it caused: the trail reads in causal order
    decided = events.index(("task_completed", "city_review"))
    assert events[decided + 1] == ("service_task_completed", "create_consortium")
    assert audit.verify_chain(audit.chain_of(instance.id)).ok


def test_return_for_revision_goes_back_through_the_whole_chain(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    form = application_form("haizhu")
    act(applicant, open_task(instance), form)
    act(user("leader"), open_task(instance), APPROVE)
    act(user("district_haizhu"), open_task(instance), {"decision": "return", "opinion": "请补充成员单位"})
    revise = open_task(instance)
    assert revise.element_id == "fill_application" and revise.assignee_id == applicant.id
    assert tasks.form_of(revise)["title"] == "质量创新联合体组建申请表"
    form["members"].append({"name": "补充成员单位", "credit_code": form["members"][0]["credit_code"][:-1] + "0",
                            "contact": "王芳", "phone": "13700137000"})
    with pytest.raises(ValidationFailed) as bad:
        tasks.complete(applicant, revise.id, form)
    assert any(key.startswith("members.2.credit_code") for key in bad.value.errors) or \
        "members.2.credit_code" in bad.value.errors
    form["members"].pop()
    act(applicant, revise, form)
    assert open_task(instance).element_id == "lead_unit_opinion"   # through the chain again
    act(user("leader"), open_task(instance), APPROVE)
    assert open_task(instance).element_id == "district_review"


def test_reject_ends_the_case_and_the_applicant_sees_why(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    act(applicant, open_task(instance), application_form("panyu"))
    act(user("leader"), open_task(instance), APPROVE)
    act(user("district_panyu"), open_task(instance), {"decision": "reject", "opinion": "不符合申报条件"})
    db.session.refresh(instance)
    assert (instance.status, instance.outcome) == ("completed", "rejected")
    assert db.session.execute(select(func.count()).select_from(Consortium)).scalar() == 0
    view = cases.case_view(applicant, instance.id)
    rejected = [t for t in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.decision == "reject")).scalars()]
    assert rejected[0].opinion == "不符合申报条件" and view["instance"].outcome == "rejected"


def test_wrong_form_input_names_each_field(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    form = application_form()
    form["members"][1]["credit_code"] = "91440101MA59XXXXX1"
    form["mobile"] = "12345"
    del form["chain_domain"]
    with pytest.raises(ValidationFailed) as bad:
        tasks.complete(applicant, open_task(instance).id, form)
    errors = bad.value.errors
    assert set(errors) >= {"members.1.credit_code", "mobile", "chain_domain"}
    assert open_task(instance).element_id == "fill_application"   # nothing moved


def test_reviewer_must_give_an_opinion_where_the_step_requires_one(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    act(applicant, open_task(instance), application_form())
    lead = open_task(instance)
    with pytest.raises(ValidationFailed) as bad:
        act(user("leader"), lead, {"decision": "approve"})
    assert "opinion" in bad.value.errors


def test_draft_is_kept_and_nothing_moves(app, user, open_task):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    task = open_task(instance)
    tasks.save_draft(applicant, task.id, {"consortium_name": "半成品"})
    db.session.refresh(task)
    assert task.draft_data == {"consortium_name": "半成品"} and task.status == "open"


def test_completed_task_cannot_be_completed_again(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    task = open_task(instance)
    tasks.complete(applicant, task.id, application_form())
    with pytest.raises(Conflict):
        tasks.complete(applicant, task.id, application_form())
    completed = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == instance.id, AuditEvent.type == "task_completed")).scalar()
    assert completed == 1


def test_stale_version_is_a_conflict(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    act(applicant, open_task(instance), application_form())
    task = open_task(instance)
    seen = task.version
    tasks.claim(user("leader"), task.id, seen)
    tasks.release(user("leader"), task.id)
    with pytest.raises(Conflict):
        tasks.claim(user("leader"), task.id, seen)


def test_someone_elses_task_is_forbidden(app, user, open_task):
    instance = cases.start_instance(user("applicant"), "consortium_application")
    with pytest.raises(Forbidden):
        tasks.complete(user("applicant2"), open_task(instance).id, {})


def test_only_starter_groups_may_start(app, user):
    with pytest.raises(Forbidden):
        cases.start_instance(user("district_tianhe"), "consortium_application")
    assert db.session.execute(select(func.count()).select_from(ProcessInstance)).scalar() == 0


def test_a_step_nobody_can_take_goes_to_the_administrators(app, user, open_task, application_form):
    from app.services.command import command
    from app.services.identity.users import ensure_user
    with command():   # an applicant whose unit has no leader account
        ensure_user("loner", "无单位申报人", "pw-123456", [user("applicant").groups[0]])
    instance = cases.start_instance(user("loner"), "consortium_application")
    tasks.complete(user("loner"), open_task(instance).id, application_form())
    task = open_task(instance)
    assert task.element_id == "lead_unit_opinion" and task.candidate_groups == "admins"
    created = [e for e in audit.events_of(instance.id) if e.type == "task_created"][-1]
    assert created.data["unresolved_fallback"] is True
