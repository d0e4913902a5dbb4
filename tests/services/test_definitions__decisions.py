"""DMN files are deployed like diagrams: versioned by content, pinned with the processes that
evaluate them, so a changed rule grades new cases only; a refused table names row and column."""
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import DecisionDefinition, ProcessDefinition
from app.services.errors import Forbidden, ValidationFailed
from app.services.workflow import cases, deploy, tasks

GRADED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="graded_defs" targetNamespace="https://chainq.example/test">
  <bpmn:process id="graded_check" name="Graded check" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="scores" name="Scores" camunda:assignee="${initiator}" camunda:formKey="review_opinion">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:businessRuleTask id="grade" name="Grade" camunda:decisionRef="problem_severity"
        camunda:resultVariable="severity" camunda:mapDecisionResult="singleResult">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:userTask id="confirm" name="Confirm" camunda:assignee="${initiator}" camunda:formKey="review_opinion">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="done"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="scores" />
    <bpmn:sequenceFlow id="f2" sourceRef="scores" targetRef="grade" />
    <bpmn:sequenceFlow id="f3" sourceRef="grade" targetRef="confirm" />
    <bpmn:sequenceFlow id="f4" sourceRef="confirm" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>"""

SCORES = {"decision": "approve", "impact": 4, "diffusion": 4, "urgency": 3}   # total 3.7: important


@pytest.fixture
def severity_dmn(app):
    return (Path(app.root_path).parent / "rules" / "problem_severity.dmn").read_bytes()


def _graded(actor, instance, open_task):
    task = open_task(instance)
    tasks.complete(actor, task.id, dict(SCORES))
    return cases.case_view(actor, instance.id)["data"]["severity"]


def _with_scores_form(app):
    """review_opinion accepts only decision/opinion: the test's scores ride in a copy that allows them."""
    from app.services.workflow import forms
    schemas = forms.load_forms(app.config["FORMS_FOLDER"])
    opinion = dict(schemas["review_opinion"], properties=dict(
        schemas["review_opinion"]["properties"], **{k: {"type": "integer"} for k in ("impact", "diffusion", "urgency")}))
    return dict(schemas, review_opinion=opinion)


def test_rules_in_rules_folder_are_deployed_once_at_start(app):
    assert ("rules/problem_severity_rules", 1, False) in deploy.deploy_folder()
    stored = db.session.execute(select(DecisionDefinition)).scalars().all()
    assert [(d.key, d.version, d.decision_ids) for d in stored] == [
        ("problem_severity_rules", 1, ["problem_severity", "severity_score"]),
        ("project_risk_rules", 1, ["project_risk"])]


def test_an_edited_rule_grades_new_cases_only(app, user, open_task, severity_dmn):
    admin, applicant = user("admin"), user("applicant")
    definition, created = deploy.deploy(admin, GRADED, "graded_check.bpmn", forms=_with_scores_form(app))
    assert created and set(definition.decisions) == {"problem_severity_rules"}
    old_case = cases.start_instance(applicant, "graded_check")

    # the administrator lowers the bar for "critical" to 3.5
    edited = severity_dmn.replace(b"&gt;= 4.0", b"&gt;= 3.5").replace(b"[2.5..4.0[", b"[2.5..3.5[")
    decision, created, redeployed = deploy.deploy_decision(admin, edited, "problem_severity.dmn")
    assert (decision.version, created) == (2, True)
    assert ("graded_check", 2) in redeployed and ("problem_report", 2) in redeployed   # every process using it

    new_case = cases.start_instance(applicant, "graded_check")
    assert new_case.definition.version == 2
    assert _graded(applicant, old_case, open_task)["grade"] == "important"     # v1 rules: 3.7 < 4.0
    assert _graded(applicant, new_case, open_task)["grade"] == "critical"      # v2 rules: 3.7 >= 3.5

    # deploying the same file again changes nothing
    assert deploy.deploy_decision(admin, edited, "problem_severity.dmn")[1:] == (False, [])
    assert db.session.execute(select(ProcessDefinition.version).where(
        ProcessDefinition.key == "graded_check")).scalars().all() == [1, 2]


def test_a_refused_table_names_the_rule_row_and_the_column(app, user, severity_dmn):
    broken = severity_dmn.replace(b"[2.5..4.0[", b"[2.5..4.5[")       # overlaps the ">= 4.0" rule
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationFailed) as refused:
        deploy.deploy_decision(user("admin"), broken, "problem_severity.dmn")
    text = " ".join(refused.value.errors["dmn"])
    assert "problem_severity" in text and "rules 1 and 2" in text and "Weighted total" in text
    assert db.session.execute(select(DecisionDefinition.version).where(
        DecisionDefinition.key == "problem_severity_rules")).scalars().all() == [1]


def test_a_diagram_naming_an_undeployed_decision_is_refused(app, user):
    with pytest.raises(ValidationFailed) as refused:
        deploy.deploy(user("admin"), GRADED.replace(b'"problem_severity"', b'"no_such_rule"'), "graded.bpmn",
                      forms=_with_scores_form(app))
    assert "no_such_rule" in refused.value.message and "grade" in refused.value.message


def test_only_administrators_deploy_rules(app, user, severity_dmn):
    with pytest.raises(Forbidden):
        deploy.deploy_decision(user("applicant"), severity_dmn, "problem_severity.dmn")
