"""Deploying diagrams through the API, and paging of lists."""
import io
from pathlib import Path

from app.services.workflow import cases as case_service

from .conftest import assert_error_shape

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "consortium_application.bpmn"

SCRIPT_DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="https://chainq.example/test">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="compute_total" scriptFormat="python"><bpmn:script>total = 1 + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute_total" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute_total" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def upload(client, headers, content, filename="consortium_application.bpmn"):
    return client.post("/api/v1/definitions", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename)})


def test_deploying_the_same_diagram_again_creates_nothing(client, auth):
    response = upload(client, auth("admin"), BPMN.read_bytes())
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["created"] is False
    assert (body["definition"]["key"], body["definition"]["version"]) == ("consortium_application", 1)


def test_a_changed_diagram_becomes_version_2_and_new_cases_use_it(client, auth):
    original = BPMN.read_bytes()
    changed = original.replace('name="填写申请"'.encode(), 'name="填写申请表"'.encode())
    assert changed != original
    response = upload(client, auth("admin"), changed)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["created"] is True and body["definition"]["version"] == 2
    assert set(body["definition"]["forms"]) == {"consortium_application", "review_opinion"}

    latest = client.get("/api/v1/definitions", headers=auth("applicant")).get_json()
    assert ("consortium_application", 2) in [(d["key"], d["version"]) for d in latest]
    assert ("consortium_application", 1) not in [(d["key"], d["version"]) for d in latest]
    every = client.get("/api/v1/definitions?all_versions=true", headers=auth("applicant")).get_json()
    assert sorted(d["version"] for d in every if d["key"] == "consortium_application") == [1, 2]

    case = client.post("/api/v1/instances", json={"process_key": "consortium_application"},
                       headers=auth("applicant")).get_json()
    assert case["definition_version"] == 2
    task = client.get("/api/v1/tasks", headers=auth("applicant")).get_json()["items"][0]
    assert task["name"] == "填写申请表"


def test_the_diagram_may_also_be_sent_as_the_request_body(client, auth):
    response = client.post("/api/v1/definitions?filename=consortium_application.bpmn", data=BPMN.read_bytes(),
                           headers={**auth("admin"), "Content-Type": "application/xml"})
    assert response.status_code == 200 and response.get_json()["created"] is False


def test_only_administrators_may_deploy(client, auth):
    changed = BPMN.read_bytes().replace(b'camunda:versionTag="App. A"', b'camunda:versionTag="App. A2"')
    for username in ["applicant", "city", "district_tianhe", "auditor"]:
        assert_error_shape(upload(client, auth(username), changed), 403)
    shipped = len(list(BPMN.parent.glob("*.bpmn")))
    assert len(client.get("/api/v1/definitions?all_versions=true", headers=auth("admin")).get_json()) == shipped


def test_a_diagram_with_a_script_task_is_refused_naming_the_element(client, auth):
    body = assert_error_shape(upload(client, auth("admin"), SCRIPT_DIAGRAM, "scripted.bpmn"), 422)
    assert "compute_total" in body["message"]
    assert "compute_total" in " ".join(body["errors"]["bpmn"])
    keys = [d["key"] for d in client.get("/api/v1/definitions", headers=auth("admin")).get_json()]
    assert "scripted" not in keys


def test_an_empty_or_broken_upload_is_422(client, auth):
    for content in [b"", b"not xml at all", b"<bpmn:definitions"]:
        assert_error_shape(upload(client, auth("admin"), content, "broken.bpmn"), 422)


def test_per_page_limits_the_items_and_total_counts_all(client, auth, user):
    for _ in range(3):
        case_service.start_instance(user("applicant"), "consortium_application")
    headers = auth("applicant")
    first = client.get("/api/v1/tasks?per_page=1", headers=headers).get_json()
    assert (len(first["items"]), first["total"], first["page"], first["per_page"]) == (1, 3, 1, 1)
    pages = [client.get(f"/api/v1/tasks?per_page=1&page={n}", headers=headers).get_json()["items"] for n in (1, 2, 3)]
    assert len({p[0]["id"] for p in pages}) == 3
    assert client.get("/api/v1/tasks?per_page=1&page=4", headers=headers).get_json()["items"] == []
    cases = client.get("/api/v1/instances?mine=true&per_page=2", headers=headers).get_json()
    assert (len(cases["items"]), cases["total"]) == (2, 3)


def test_out_of_range_paging_is_422_not_a_crash(client, auth):
    for query in ["per_page=0", "per_page=101", "page=0", "page=-1", "per_page=abc", "from=yesterday"]:
        for path in ("/api/v1/tasks", "/api/v1/instances", "/api/v1/tasks/done"):
            if query.startswith("from") and path != "/api/v1/tasks":
                continue
            body = assert_error_shape(client.get(f"{path}?{query}", headers=auth("applicant")), 422)
            assert body["errors"], (path, query)


def test_a_refused_diagram_is_explained_in_chinese_by_default(client, auth):
    response = upload(client, auth("admin"), SCRIPT_DIAGRAM, "scripted.bpmn")
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == ("scripted.bpmn, 第 6 行, 元素“compute_total”："
                               "不允许脚本任务；请使用带白名单 camunda:topic 的服务任务")
    assert body["errors"]["bpmn"] == [body["message"]]


def test_a_refused_diagram_is_explained_in_english_to_an_english_reader(client, auth):
    headers = {**auth("admin"), "Accept-Language": "en-GB,en;q=0.9"}
    response = upload(client, headers, SCRIPT_DIAGRAM, "scripted.bpmn")
    assert response.status_code == 422
    assert response.get_json()["message"].startswith(
        "scripted.bpmn, line 6, element 'compute_total': script tasks are not allowed; use a service task")


def test_a_refused_condition_names_the_refused_name_in_chinese(client, auth):
    diagram = BPMN.read_bytes().replace(b"<bpmn:conditionExpression", b"<bpmn:conditionExpression", 1)
    text = diagram.decode()
    start = text.index("<bpmn:conditionExpression")
    end = text.index("</bpmn:conditionExpression>", start)
    opening = text[start:text.index(">", start) + 1]
    text = text[:start] + opening + "__import__('os')" + text[end:]
    response = upload(client, auth("admin"), text.encode())
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert "条件被拒绝：不允许使用名称“__import__”" in message and "第 " in message, message
