"""A service task's result is what the audit trail records and what re-execution replays, so it
must be JSON as it is: a handler returning anything else stops the step, and nothing is kept."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance
from app.services.workflow import cases, deploy, handlers
from app.services.workflow.engine_calls import ProcessFailed

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_results" targetNamespace="t">
  <bpmn:process id="results" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:serviceTask id="compute" camunda:type="external" camunda:topic="test_result" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="review" />
    <bpmn:userTask id="review" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("result, kept", [({"total": 4.12, "items": [1, "a", None]}, True),
                                          ({"total": Decimal("4.12")}, False), ({"total": float("nan")}, False)])
def test_only_json_results_are_accepted(app, user, monkeypatch, result, kept):
    monkeypatch.setitem(handlers.HANDLERS, "test_result", lambda instance, data: result)   # a whitelisted topic
    deploy.deploy(user("admin"), DIAGRAM, "results.bpmn")
    if kept:
        case = cases.start_instance(user("applicant"), "results")
        assert cases.case_view(user("auditor"), case.id)["data"]["total"] == 4.12
    else:
        with pytest.raises(ProcessFailed) as refused:
            cases.start_instance(user("applicant"), "results")
        assert "test_result" in refused.value.message
        assert db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == "results")).first() is None
