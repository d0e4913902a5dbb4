"""A refused diagram is explained in the reader's language: the engine's message template and its
parameters (element, line, file, the refused name) are rendered by the service with gettext."""
from flask_babel import force_locale

from app.engine.compiler import compile_definition
from app.engine.errors import DiagramError
from app.services.workflow.deploy import refusal_text

BAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="https://chainq.example/test">
  <bpmn:process id="bad_process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="choose" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
    <bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="end">
      <bpmn:conditionExpression>_secret == 1</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def _refusal():
    try:
        compile_definition(BAD, "bad_process.bpmn")
    except DiagramError as exc:
        return exc
    raise AssertionError("the diagram was accepted")


def test_the_engine_keeps_the_english_text_for_logs():
    refusal = _refusal()
    assert (refusal.template, refusal.element_id, refusal.line) == ("condition refused: %(reason)s", "f2", 9)
    assert str(refusal) == "bad_process.bpmn, line 9, element 'f2': condition refused: name '_secret' is not allowed"


def test_a_refusal_reads_in_chinese_and_in_english(app):
    refusal = _refusal()
    with app.test_request_context(), force_locale("zh_CN"):
        assert refusal_text(refusal) == "bad_process.bpmn, 第 9 行, 元素“f2”：条件被拒绝：不允许使用名称“_secret”"
    with app.test_request_context(), force_locale("en"):
        assert refusal_text(refusal) == str(refusal)


def test_a_syntax_error_keeps_the_parser_s_own_words(app):
    try:
        compile_definition(b"<bpmn:definitions", "broken.bpmn")
    except DiagramError as refusal:
        with app.test_request_context(), force_locale("zh_CN"):
            text = refusal_text(refusal)
        assert text.startswith("broken.bpmn, 第 1 行：XML 格式不正确：") and refusal.params["reason"] in text


def test_flask_deploy_names_a_refused_file_in_the_chosen_language(app, tmp_path):
    folder = tmp_path / "bpmn"
    folder.mkdir()
    (folder / "bad_process.bpmn").write_bytes(BAD)
    runner = app.test_cli_runner()
    chinese = runner.invoke(args=["deploy", "--folder", str(folder)])
    assert chinese.exit_code == 1
    assert "bad_process.bpmn, 第 9 行, 元素“f2”：条件被拒绝：不允许使用名称“_secret”" in chinese.output
    english = runner.invoke(args=["deploy", "--folder", str(folder), "--lang", "en"])
    assert english.exit_code == 1
    assert "bad_process.bpmn, line 9, element 'f2': condition refused: name '_secret' is not allowed" in english.output


TIMED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="https://chainq.example/test">
  <bpmn:process id="timed" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition>
      <bpmn:timeCycle>R0/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_refusal_from_deeper_in_the_engine_is_translated_too(app):
    try:
        compile_definition(TIMED, "timed.bpmn")
    except DiagramError as refusal:
        assert str(refusal) == "timed.bpmn, line 6, element 'tick': timer start event refused: " \
                               "a cycle of R0 never starts a case"
        with app.test_request_context(), force_locale("zh_CN"):
            assert refusal_text(refusal) == "timed.bpmn, 第 6 行, 元素“tick”：定时开始事件被拒绝：R0 循环永远不会发起案件"
    else:
        raise AssertionError("the diagram was accepted")
