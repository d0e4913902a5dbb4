"""Two versions of one small process for the migration tests.

v1: fill → (route) review → end, or → side_step → end.
v2: `review` renamed `check`, a new step `extra` after it, `side_step` removed."""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" name="迁移测试" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="填报" camunda:candidateGroups="applicants" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="route" />
    <bpmn:exclusiveGateway id="route" />"""
TAIL = """
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>"""


def version_1(key):
    return (HEAD.format(key=key) + """
    <bpmn:sequenceFlow id="f3" sourceRef="route" targetRef="review"><bpmn:conditionExpression>way == 'main'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="route" targetRef="side_step"><bpmn:conditionExpression>way != 'main'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="done" />
    <bpmn:userTask id="side_step" name="旁路" camunda:candidateGroups="city_office" />
    <bpmn:sequenceFlow id="f6" sourceRef="side_step" targetRef="done" />""" + TAIL).encode("utf-8")


def version_2(key, check_form="review_opinion"):
    return (HEAD.format(key=key) + f"""
    <bpmn:sequenceFlow id="f3" sourceRef="route" targetRef="check"><bpmn:conditionExpression>way == 'main'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="route" targetRef="done"><bpmn:conditionExpression>way != 'main'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="check" name="复核" camunda:candidateGroups="city_office" camunda:formKey="{check_form}" />
    <bpmn:sequenceFlow id="f5" sourceRef="check" targetRef="extra" />
    <bpmn:userTask id="extra" name="加审" camunda:candidateGroups="city_office" />
    <bpmn:sequenceFlow id="f7" sourceRef="extra" targetRef="done" />""" + TAIL).encode("utf-8")
