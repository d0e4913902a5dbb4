"""Approval modes and approver actions, including the cases mature engines get wrong."""
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CarbonCopy, HumanTask, Notification
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.workflow import cases, deploy, pages, tasks
from app.services.workflow.approval import case_actions, handover, signers

YES = {"decision": "approve", "opinion": "同意"}
NO = {"decision": "reject", "opinion": "不同意"}
BACK = {"decision": "return", "opinion": "请修改"}
REVIEWERS = ["district_tianhe", "district_haizhu", "district_panyu", "district_liwan", "district_baiyun"]


def diagram(key, mode="countersign", users=REVIEWERS[:3], props="", fill_step=False):
    """start → [fill by the initiator →] review (the mode under test) → approved / rejected / back."""
    props_xml = f'<camunda:property name="approvalMode" value="{mode}" />{props}'
    fill = ""
    first = "review"
    if fill_step:
        first = "fill"
        fill = """<bpmn:userTask id="fill" name="填写" camunda:assignee="${initiator}" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f_fill" sourceRef="fill" targetRef="review" />"""
    back = '<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="fill"><bpmn:conditionExpression>decision == \'return\'</bpmn:conditionExpression></bpmn:sequenceFlow>' \
        if fill_step else '<bpmn:sequenceFlow id="f_back" sourceRef="gw" targetRef="returned"><bpmn:conditionExpression>decision == \'return\'</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:endEvent id="returned" />'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="{first}" />
    {fill}
    <bpmn:userTask id="review" name="评审" camunda:candidateUsers="{','.join(users)}" camunda:formKey="review_opinion">
      <bpmn:extensionElements><camunda:properties>{props_xml}</camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="approved"><bpmn:conditionExpression>decision == 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="rejected"><bpmn:conditionExpression>decision == 'reject'</bpmn:conditionExpression></bpmn:sequenceFlow>
    {back}
    <bpmn:endEvent id="approved" />
    <bpmn:endEvent id="rejected" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


@pytest.fixture
def start(app, user):
    def go(key, **kwargs):
        deploy.deploy(user("admin"), diagram(key, **kwargs), f"{key}.bpmn")
        return cases.start_instance(user("applicant"), key)
    return go


def open_rows(instance):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == "open").order_by(HumanTask.slot)).scalars().all()


def row_of(instance, username):
    return next(r for r in open_rows(instance) if r.assignee and r.assignee.username == username)


def decide(user, instance, username, data):
    tasks.complete(user(username), row_of(instance, username).id, data)
    db.session.refresh(instance)


def test_or_sign_first_decision_decides(start, user):
    case = start("or_case", mode="or_sign")
    assert [r.assignee.username for r in open_rows(case)] == REVIEWERS[:3]
    decide(user, case, "district_haizhu", YES)
    assert case.outcome == "approved" and open_rows(case) == []


def test_countersign_needs_everyone_and_one_rejection_ends_it(start, user):
    case = start("cs_case")
    decide(user, case, "district_tianhe", YES)
    decide(user, case, "district_haizhu", YES)
    assert case.status == "running" and len(open_rows(case)) == 1
    decide(user, case, "district_panyu", YES)
    assert case.outcome == "approved"

    second = cases.start_instance(user("applicant"), "cs_case")
    decide(user, second, "district_tianhe", YES)
    decide(user, second, "district_haizhu", NO)
    assert second.outcome == "rejected" and open_rows(second) == []
    cancelled = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == second.id, HumanTask.status == "cancelled")).scalars().all()
    assert [r.assignee.username for r in cancelled] == ["district_panyu"]


def test_return_out_of_and_back_into_a_countersign(start, user):
    case = start("cs_loop", fill_step=True)
    tasks.complete(user("applicant"), open_rows(case)[0].id, {"decision": "approve", "opinion": "提交"})
    decide(user, case, "district_tianhe", YES)
    decide(user, case, "district_haizhu", BACK)           # one return ends the step and goes back
    rows = open_rows(case)
    assert [r.element_id for r in rows] == ["fill"]
    assert db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.kind == "return", Notification.user_id == user("applicant").id)).scalar() == 1
    tasks.complete(user("applicant"), rows[0].id, {"decision": "approve", "opinion": "已修改"})
    # back in the countersign: all three must approve again, including the one who approved before
    assert sorted(r.assignee.username for r in open_rows(case)) == sorted(REVIEWERS[:3])
    for name in REVIEWERS[:3]:
        decide(user, case, name, YES)
    assert case.outcome == "approved"


def test_sequential_goes_in_order(start, user):
    case = start("seq_case", mode="sequential")
    assert [r.assignee.username for r in open_rows(case)] == ["district_tianhe"]
    with pytest.raises(StopIteration):
        row_of(case, "district_haizhu")                    # not their turn: no row yet
    decide(user, case, "district_tianhe", YES)
    assert [r.assignee.username for r in open_rows(case)] == ["district_haizhu"]
    decide(user, case, "district_haizhu", NO)
    assert case.outcome == "rejected"


def test_vote_passes_at_the_configured_share(start, user):
    props = '<camunda:property name="votePassRate" value="0.6" />'
    case = start("vote_case", mode="vote", users=REVIEWERS, props=props)
    decide(user, case, "district_tianhe", YES)
    decide(user, case, "district_haizhu", NO)
    decide(user, case, "district_panyu", YES)
    assert case.status == "running"                          # 2 of 5 approve: not yet 60 %
    decide(user, case, "district_liwan", YES)
    assert case.outcome == "approved" and open_rows(case) == []

    lost = cases.start_instance(user("applicant"), "vote_case")
    for name in REVIEWERS[:3]:
        decide(user, lost, name, NO)                         # 60 % can no longer be reached
    assert lost.outcome == "rejected"


ALLOW_SIGNERS = '<camunda:property name="signerChanges" value="allowed" />'


def test_signers_change_only_where_the_step_allows_and_with_a_reason(start, user):
    case = start("cs_fixed_panel", users=["expert1", "expert2"])
    with pytest.raises(Forbidden):                           # off by default
        signers.add_signer(user("expert1"), row_of(case, "expert1").id, "expert4", reason="回避")
    with pytest.raises(ValidationFailed) as refused:         # an administrator may, with a reason
        signers.add_signer(user("admin"), row_of(case, "expert1").id, "expert4")
    assert "reason" in refused.value.errors
    signers.add_signer(user("admin"), row_of(case, "expert1").id, "expert4", reason="补充检测专家")
    assert {r.assignee.username for r in open_rows(case)} == {"expert1", "expert2", "expert4"}


def test_add_and_remove_signers_while_others_already_approved(start, user):
    case = start("cs_signers", users=["expert1", "expert2", "expert3"], props=ALLOW_SIGNERS)
    decide(user, case, "expert1", YES)
    mine = row_of(case, "expert2")
    with pytest.raises(Forbidden):                           # never to the case's own applicant
        signers.add_signer(user("expert2"), mine.id, "applicant", reason="x")
    signers.add_signer(user("expert2"), mine.id, "expert4", reason="需要检测专家")
    decide(user, case, "expert2", YES)
    decide(user, case, "expert3", YES)
    assert case.status == "running"                          # the added signer has not approved yet
    baiyun_row = row_of(case, "expert4")
    with pytest.raises(Forbidden):                           # only who added a signer removes them
        signers.remove_signer(user("expert4"), baiyun_row.id, "expert4", reason="x")
    with pytest.raises((Forbidden, Conflict)):               # and a decision already given stays
        signers.remove_signer(user("expert4"), baiyun_row.id, "expert1", reason="x")
    signers.remove_signer(user("admin"), baiyun_row.id, "expert4", reason="不再需要")
    db.session.refresh(case)
    assert case.outcome == "approved"                        # everyone left has approved: the step is done


def test_sequential_add_before_me(start, user):
    case = start("seq_add", mode="sequential", users=["expert1", "expert2", "expert3"], props=ALLOW_SIGNERS)
    signers.add_signer(user("expert1"), row_of(case, "expert1").id, "expert4", "before", reason="先请检测专家")
    assert [r.assignee.username for r in open_rows(case)] == ["expert4"]
    decide(user, case, "expert4", YES)
    assert [r.assignee.username for r in open_rows(case)] == ["expert1"]


def test_transfer_of_a_delegated_task(start, user):
    case = start("deleg", mode="or_sign", users=["expert1"])
    row = row_of(case, "expert1")
    with pytest.raises(Forbidden):                          # not to someone outside the step and the office
        handover.delegate(user("expert1"), row.id, "district_tianhe")
    handover.delegate(user("expert1"), row.id, "expert2", "请先看")
    with pytest.raises(Forbidden):                          # the delegate does not decide
        tasks.complete(user("expert2"), row.id, YES)
    with pytest.raises(Conflict):                           # nor change the step's signers or send it back
        case_actions.return_to(user("expert2"), row.id, "review", "x")
    handover.transfer(user("expert2"), row.id, "expert3")   # the delegate passes it on; the owner stays
    handover.resolve_delegation(user("expert3"), row.id, "可以通过")
    db.session.refresh(row)
    assert row.assignee.username == "expert1" and row.delegation_state == "resolved"   # back to the owner
    tasks.complete(user("expert1"), row.id, YES)
    db.session.refresh(case)
    assert case.outcome == "approved"


def test_transfer_only_to_the_step_or_the_same_office(start, user):
    case = start("xfer", mode="or_sign", users=["district_panyu"])
    row = row_of(case, "district_panyu")
    for outsider in ("applicant", "district_tianhe", "leader2"):
        with pytest.raises(Forbidden):
            handover.transfer(user("district_panyu"), row.id, outsider)


def test_urge_is_rate_limited_and_notifies(start, user):
    case = start("urge_case")
    assert case_actions.urge(user("applicant"), case.id) == 3
    with pytest.raises(Conflict):
        case_actions.urge(user("applicant"), case.id)
    with pytest.raises(Forbidden):
        case_actions.urge(user("district_tianhe"), case.id)
    urged = db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.kind == "urge")).scalar()
    assert urged == 3


def test_configured_and_ad_hoc_copies(start, user):
    props = '<camunda:property name="cc" value="auditor,group:city_office" />'
    case = start("cc_case", mode="or_sign", props=props)
    decide(user, case, "district_tianhe", YES)
    copied = {c.user_id for c in db.session.execute(select(CarbonCopy)).scalars()}
    assert {user("auditor").id, user("city").id} <= copied
    with pytest.raises(ValidationFailed):                    # not to another company
        case_actions.carbon_copy(user("applicant"), case.id, ["leader2"], "供参考")
    case_actions.carbon_copy(user("applicant"), case.id, ["leader"], "供参考")
    inbox = case_actions.cc_inbox(user("leader"), unread_only=True)
    assert len(inbox) == 1 and cases.get_instance(user("leader"), case.id)     # a copy lets them read the case
    with pytest.raises(Forbidden):                           # a recipient does not copy it further
        case_actions.carbon_copy(user("auditor"), case.id, ["city2"])
    case_actions.read_cc(user("leader"), inbox[0].id)
    assert case_actions.cc_inbox(user("leader"), unread_only=True) == []


def test_no_approver_and_initiator_policies(start, user):
    auto = start("auto_case", users=["nobody_here"], props='<camunda:property name="noApprover" value="auto_approve" />')
    assert auto.outcome == "approved"
    refused = start("refuse_case", users=["nobody_here"], props='<camunda:property name="noApprover" value="auto_reject" />')
    assert refused.outcome == "rejected"
    skipped = start("skip_case", users=["applicant", "district_tianhe"],
                    props='<camunda:property name="initiatorIsApprover" value="skip" />')
    assert [r.assignee.username for r in open_rows(skipped)] == ["district_tianhe"]


@pytest.mark.parametrize("mode", ["single", "countersign"])
def test_approvers_that_cannot_be_worked_out_go_to_the_administrators_with_the_reason(start, mode):
    """`${reviewers}` names nothing in the case data: not a 500 nor a stuck case, and never an
    automatic decision on an error, whatever noApprover says."""
    instance = start(f"unresolved_{mode}", mode=mode, users=["${reviewers}"],
                     props='<camunda:property name="noApprover" value="auto_approve" />')
    assert instance.status == "running" and instance.outcome == ""
    [row] = open_rows(instance)
    assert row.assignee_id is None and row.candidate_groups == "admins"
    created = db.session.execute(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                          AuditEvent.type == "task_created")).scalar_one()
    assert created.data["unresolved_fallback"] is True and "reviewers" in created.data["unresolved_reason"]


@pytest.mark.parametrize("props, words", [
    ('<camunda:property name="approvalMode" value="majority" />', "unknown approvalMode"),
    ('<camunda:property name="approvalMode" value="vote" /><camunda:property name="votePassRate" value="1.5" />', "votePassRate"),
])
def test_misconfigured_steps_are_refused_naming_the_element(app, user, props, words):
    xml = diagram("bad_mode").replace(
        b'<camunda:property name="approvalMode" value="countersign" />', props.encode())
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationFailed) as refused:
        deploy.deploy(user("admin"), xml, "bad_mode.bpmn")
    assert words in refused.value.message and "review" in refused.value.message


def test_a_countersign_case_replays_and_reexecutes(start, user):
    from app.services.audit import replay
    case = start("cs_replay")
    decide(user, case, "district_tianhe", YES)
    steps = replay.steps_of(case)
    assert steps[-1].active.count("review") == 2               # two approvers still hold tokens
    for name in ("district_haizhu", "district_panyu"):
        decide(user, case, name, YES)
    assert replay.reexecute(user("auditor"), case).ok
    assert replay.steps_of(case)[-1].active == []


def test_inbox_sorts_by_urgency(start, user):
    from datetime import datetime, timedelta, timezone

    from app.services.workflow import queries
    first, second = start("urgent_a", mode="or_sign"), cases.start_instance(user("applicant"), "urgent_a")
    soon = row_of(second, "district_tianhe")
    soon.due_at = datetime.now(timezone.utc) + timedelta(hours=1)
    later = row_of(first, "district_tianhe")
    later.due_at = datetime.now(timezone.utc) + timedelta(days=3)
    db.session.commit()
    page = queries.inbox(user("district_tianhe"), queries.InboxFilter(sort="urgency"))
    assert [t.id for t in page.items[:2]] == [soon.id, later.id]
    newest = queries.inbox(user("district_tianhe"), queries.InboxFilter())
    assert newest.items[0].instance_id == second.id


def test_withdraw_while_no_one_acted_and_reclaim_by_the_last_approver(app, user, open_task, application_form):
    from app.services.audit import replay
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    case_actions.take_back(applicant, case.id, "withdraw")                    # 撤回: nobody has acted yet
    assert open_task(case).element_id == "fill_application"
    shown = pages.task_page(applicant, open_task(case).id).values             # the form as it was sent
    assert {k: shown.get(k) for k in application_form("tianhe") if k != "decision"} == \
        {k: v for k, v in application_form("tianhe").items() if k != "decision"}
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    lead = open_task(case)
    tasks.claim(user("leader"), lead.id)
    with pytest.raises(Conflict):                                         # the leader has claimed it
        case_actions.take_back(applicant, case.id, "withdraw")
    tasks.complete(user("leader"), lead.id, YES)
    case_actions.take_back(user("leader"), case.id, "reclaim")               # 拿回: district has not acted
    assert open_task(case).element_id == "lead_unit_opinion"
    with pytest.raises(Conflict):
        case_actions.take_back(user("district_tianhe"), case.id, "reclaim")   # not the last to act
    assert replay.reexecute(user("auditor"), case).ok
    assert replay.steps_of(case)[-1].active == ["lead_unit_opinion"]


def test_withdraw_after_part_of_a_countersign_is_refused(start, user):
    case = start("cs_withdraw", fill_step=True)
    tasks.complete(user("applicant"), open_rows(case)[0].id, {"decision": "approve", "opinion": "提交"})
    decide(user, case, "district_tianhe", YES)
    with pytest.raises(Conflict):
        case_actions.take_back(user("applicant"), case.id, "withdraw")


def test_readonly_fields_keep_the_case_value(start, user):
    case = start("ro_case", mode="or_sign", fill_step=True,
                 props='<camunda:property name="fieldsReadonly" value="opinion" />')
    tasks.complete(user("applicant"), open_rows(case)[0].id, {"decision": "approve", "opinion": "申请人说明"})
    decide(user, case, "district_tianhe", {"decision": "approve", "opinion": "改写的说明"})
    done = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id,
                                                      HumanTask.element_id == "review",
                                                      HumanTask.status == "completed")).scalar_one()
    assert done.opinion == "申请人说明"


def test_return_to_a_named_earlier_step(app, user, open_task, application_form):
    from app.services.audit import replay
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    for name in ("leader", "district_tianhe"):
        task = open_task(case)
        tasks.claim(user(name), task.id)
        tasks.complete(user(name), task.id, YES)
    city_task = open_task(case)
    tasks.claim(user("city"), city_task.id)
    assert [e for e, _n in case_actions.return_targets(city_task)] == ["fill_application", "lead_unit_opinion",
                                                                   "district_review"]
    with pytest.raises(ValidationFailed):
        case_actions.return_to(user("city"), city_task.id, "lead_unit_opinion", "")      # an opinion is required
    case_actions.return_to(user("city"), city_task.id, "lead_unit_opinion", "请牵头单位重新确认成员单位")
    back = open_task(case)
    assert back.element_id == "lead_unit_opinion"                                      # skips the applicant
    tasks.claim(user("leader"), back.id)
    tasks.complete(user("leader"), back.id, YES)
    assert open_task(case).element_id == "district_review"                            # the path runs again
    assert replay.reexecute(user("auditor"), case).ok


def test_after_a_return_for_revision_the_applicant_cannot_send_the_case_ahead(app, user, open_task, application_form):
    # The reviewers' steps are in the applicant's past but ahead of the applicant's step.
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    task = open_task(case)
    tasks.claim(user("leader"), task.id)
    tasks.complete(user("leader"), task.id, YES)
    task = open_task(case)
    tasks.claim(user("district_tianhe"), task.id)
    assert [e for e, _n in case_actions.return_targets(task)] == ["fill_application", "lead_unit_opinion"]
    tasks.complete(user("district_tianhe"), task.id, {"decision": "return", "opinion": "请补充成员单位"})
    revision = open_task(case)
    assert revision.element_id == "fill_application"
    assert case_actions.return_targets(revision) == []
    with pytest.raises(ValidationFailed):
        case_actions.return_to(applicant, revision.id, "district_review", "直接送区办")
    assert open_task(case).element_id == "fill_application"


def test_the_same_person_twice_in_a_row_is_approved_automatically(app, user):
    xml = diagram("repeat_case", mode="or_sign", users=["city"], fill_step=True).replace(
        b'<bpmn:userTask id="fill" name="\xe5\xa1\xab\xe5\x86\x99" camunda:assignee="${initiator}"',
        b'<bpmn:userTask id="fill" name="\xe5\xa1\xab\xe5\x86\x99" camunda:assignee="city"').replace(
        b'<camunda:property name="approvalMode" value="or_sign" />',
        b'<camunda:property name="approvalMode" value="or_sign" /><camunda:property name="autoApproveRepeat" value="true" />')
    deploy.deploy(user("admin"), xml, "repeat_case.bpmn")
    case = cases.start_instance(user("applicant"), "repeat_case")
    tasks.complete(user("city"), open_rows(case)[0].id, YES)       # city fills and approves ...
    db.session.refresh(case)
    assert case.outcome == "approved"                                # ... so city's review is automatic
    auto = [e for e in audit_events(case) if e.type == "task_completed"][-1]
    assert "approved the step just before" in auto.data["auto"]


def audit_events(case):
    from app.services.audit import trail as audit
    return audit.events_of(case.id)


def test_a_reviewer_cannot_move_the_case_to_another_district(app, user, open_task, application_form):
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_m" targetNamespace="t">
  <bpmn:process id="move_case" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:extensionElements><camunda:properties><camunda:property name="scopeField" value="district" /></camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="fill" camunda:assignee="${initiator}" camunda:formKey="consortium_application" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="edit" />
    <bpmn:userTask id="edit" name="edit" camunda:candidateGroups="district_office:${district}" camunda:formKey="consortium_application" />
    <bpmn:sequenceFlow id="f3" sourceRef="edit" targetRef="check" />
    <bpmn:userTask id="check" name="check" camunda:candidateGroups="district_office:${district}" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")
    deploy.deploy(user("admin"), xml, "move_case.bpmn")
    case = cases.start_instance(user("applicant"), "move_case")
    form = application_form("tianhe")
    tasks.complete(user("applicant"), open_task(case).id, form)
    edit = open_task(case)
    tasks.claim(user("district_tianhe"), edit.id)
    tasks.complete(user("district_tianhe"), edit.id, dict(form, district="nansha"))
    db.session.refresh(case)
    assert case.district == "tianhe" and open_task(case).candidate_groups == "district_office:tianhe"


def test_after_resubmission_the_case_goes_straight_back_to_the_step_that_returned_it(
        app, user, open_task, application_form):
    from pathlib import Path

    from app.services.audit import replay
    source = (Path(app.root_path).parent / "bpmn" / "consortium_application.bpmn").read_bytes()
    marker = b'<bpmn:userTask id="district_review"'
    start = source.index(marker)
    cut = source.index(b'<camunda:property name="opinion" value="required"', start)
    edited = source[:cut] + b'<camunda:property name="afterResubmit" value="jump_back" />' + source[cut:]
    deploy.deploy(user("admin"), edited, "consortium_application.bpmn")
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))

    def act(name, data):
        task = open_task(case)
        tasks.claim(user(name), task.id)
        tasks.complete(user(name), task.id, data)
    act("leader", YES)
    act("district_tianhe", BACK)
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    assert open_task(case).element_id == "district_review"        # the lead unit is not asked again
    act("district_tianhe", YES)
    act("city", BACK)                                              # city has no jump-back: the path runs again
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    assert open_task(case).element_id == "lead_unit_opinion"
    assert replay.reexecute(user("auditor"), case).ok


def test_initiator_as_approver_passes_to_the_next_level(start, user):
    props = ('<camunda:property name="initiatorIsApprover" value="next_level" />'
             '<camunda:property name="nextLevelGroup" value="city_office" />')
    case = start("next_level", users=["applicant", "district_tianhe"], props=props)
    assert sorted(r.assignee.username for r in open_rows(case)) == ["city", "city2", "district_tianhe"]
    with pytest.raises(ValidationFailed):
        deploy.deploy(user("admin"), diagram("no_group", props='<camunda:property name="initiatorIsApprover" '
                                                                    'value="next_level" />'), "no_group.bpmn")


def _deactivate(user, username):
    user(username).active = False
    db.session.commit()


@pytest.mark.parametrize("mode", ["countersign", "or_sign", "sequential", "vote"])
def test_an_inactive_approver_is_left_out_of_the_plan(start, user, mode):
    _deactivate(user, "district_haizhu")
    case = start(f"{mode}_inactive", mode=mode, users=["district_tianhe", "district_haizhu", "district_yuexiu"])
    assert "district_haizhu" not in (open_rows(case)[0].plan or [])
    assert all(r.assignee.username != "district_haizhu" for r in open_rows(case))


def test_a_step_whose_only_approver_is_inactive_follows_no_approver(start, user):
    _deactivate(user, "district_haizhu")
    case = start("inactive_auto", users=["district_haizhu"],
                 props='<camunda:property name="noApprover" value="auto_reject" />')
    assert case.outcome == "rejected"
    case = start("inactive_admins", users=["district_haizhu"], mode="countersign")
    assert [r.candidate_groups for r in open_rows(case)] == ["admins"]
