"""A notification is read in the reader's language, whatever language the person who caused it used."""
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.services.notify import notifications
from app.services.workflow import cases, deploy, tasks


def _latest_for(user, kind):
    return db.session.execute(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
                              .order_by(Notification.id.desc()).limit(1)).scalar_one()


def test_a_return_written_in_english_reads_in_chinese_and_in_english(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form())
    review = open_task(instance)
    with app.test_request_context(), force_locale("en"):           # the lead unit uses the English UI
        tasks.claim(user("leader"), review.id)
        tasks.complete(user("leader"), review.id, {"decision": "return", "opinion": "补充材料"})
    note = _latest_for(applicant, "return")
    assert note.message == "在“牵头单位意见”环节被退回修改：补充材料"   # in the default language
    with app.test_request_context(), force_locale("zh_CN"):
        assert notifications.text_of(note) == note.message
    with app.test_request_context(), force_locale("en"):
        assert notifications.text_of(note) == "Returned for revision at Lead unit opinion: 补充材料"


def test_a_new_task_names_its_step_in_the_reader_s_language(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form())
    note = _latest_for(user("leader"), "task")
    assert note.message.startswith("新任务：牵头单位意见")                    # e-mail: the default language
    with app.test_request_context(), force_locale("zh_CN"):
        assert notifications.text_of(note).startswith("新任务：牵头单位意见")
    with app.test_request_context(), force_locale("en"):
        assert notifications.text_of(note).startswith("New task: Lead unit opinion — ")


def test_a_step_without_an_english_name_keeps_its_own(app):
    row = Notification(user_id=1, kind="task", message="", said=notifications.said(
        "New task: %(step)s — %(case)s", step=notifications.Name("会商"), case="X").to_json())
    with app.test_request_context(), force_locale("en"):
        assert notifications.text_of(row) == "New task: 会商 — X"


def test_an_outcome_label_is_translated_when_read(app):
    stored = notifications.said("Your case %(key)s has ended: %(outcome)s", key="CON-1",
                                outcome=notifications.said("approved")).to_json()
    row = Notification(user_id=1, kind="outcome", message="", said=stored)
    with app.test_request_context(), force_locale("zh_CN"):
        assert notifications.text_of(row) == "您的案件 CON-1 已办结：批准"
    with app.test_request_context(), force_locale("en"):
        assert notifications.text_of(row) == "Your case CON-1 has ended: approved"


def test_rows_from_before_templates_show_their_stored_text(app):
    assert notifications.text_of(Notification(user_id=1, kind="task", message="旧的消息", said=None)) == "旧的消息"


FILED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_filed" targetNamespace="t">
  <bpmn:process id="filed_case" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="confirm" />
    <bpmn:userTask id="confirm" name="确认" camunda:assignee="${initiator}">
      <bpmn:extensionElements><camunda:properties><camunda:property name="nameEn" value="Confirm"/>
      </camunda:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="confirm" targetRef="filed" />
    <bpmn:endEvent id="filed" name="已归档">
      <bpmn:extensionElements><camunda:properties><camunda:property name="nameEn" value="Filed"/>
      </camunda:properties></bpmn:extensionElements></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_a_case_ended_at_a_named_end_says_where_in_the_reader_s_language(app, user, open_task):
    deploy.deploy(user("admin"), FILED, "filed_case.bpmn")
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "filed_case")
    tasks.complete(applicant, open_task(instance).id, {})
    note = _latest_for(applicant, "outcome")
    with app.test_request_context(), force_locale("zh_CN"):
        assert notifications.text_of(note) == f"您的案件 {instance.business_key} 已办结：已归档"
    with app.test_request_context(), force_locale("en"):
        assert notifications.text_of(note) == f"Your case {instance.business_key} has ended: Filed"
