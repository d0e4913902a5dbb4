"""Deploying DMN files through the API: a new version, the processes that evaluate it
re-pinned, and a refused table named down to its rule rows and column."""
import io
from pathlib import Path

from .conftest import assert_error_shape

DMN = Path(__file__).resolve().parents[2] / "rules" / "problem_severity.dmn"


def upload(client, headers, content, filename="problem_severity.dmn"):
    return client.post("/api/v1/decisions", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename)})


def test_the_deployed_rules_are_listed(client, auth):
    listed = client.get("/api/v1/decisions", headers=auth("auditor")).get_json()
    assert [(d["key"], d["version"], d["decisions"]) for d in listed] == [
        ("problem_severity_rules", 1, ["problem_severity", "severity_score"]), ("project_risk_rules", 1, ["project_risk"])]


def test_an_unchanged_file_creates_nothing_and_a_changed_one_is_version_2(client, auth):
    same = upload(client, auth("admin"), DMN.read_bytes())
    assert same.status_code == 200 and same.get_json()["created"] is False
    changed = DMN.read_bytes().replace("建议启动跨组织协同攻关".encode(), "建议跨组织联合攻关".encode())
    response = upload(client, auth("admin"), changed)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["decision"]["version"] == 2


def test_going_back_to_the_first_rules_is_version_3_and_re_pins_the_processes(client, auth):
    changed = DMN.read_bytes().replace("建议启动跨组织协同攻关".encode(), "建议跨组织联合攻关".encode())
    assert upload(client, auth("admin"), changed).status_code == 201
    back = upload(client, auth("admin"), DMN.read_bytes())
    assert back.status_code == 201, back.get_data(as_text=True)
    body = back.get_json()
    assert body["decision"]["version"] == 3 and body["redeployed"], body
    assert upload(client, auth("admin"), DMN.read_bytes()).status_code == 200     # the newest already


def test_a_refused_table_names_rule_rows_and_column(client, auth):
    broken = DMN.read_bytes().replace(b"[2.5..4.0[", b"[2.5..4.5[")
    response = upload(client, auth("admin"), broken)
    assert_error_shape(response, 422)
    problems = response.get_json()["errors"]["dmn"]
    assert any("第 1 条与第 2 条规则重叠" in p and "Weighted total" in p and "第 84 行" in p
               for p in problems), problems


def test_a_refused_table_is_explained_in_english_to_an_english_reader(client, auth):
    broken = DMN.read_bytes().replace(b"[2.5..4.0[", b"[2.5..4.5[")
    response = upload(client, {**auth("admin"), "Accept-Language": "en"}, broken)
    assert_error_shape(response, 422)
    problems = response.get_json()["errors"]["dmn"]
    assert any("rules 1 and 2 overlap" in p and "Weighted total" in p and "line 84" in p
               for p in problems), problems


def test_malformed_xml_and_non_administrators_are_refused(client, auth):
    assert_error_shape(upload(client, auth("admin"), b"<definitions"), 422)
    assert_error_shape(upload(client, auth("admin"), b""), 422)
    assert_error_shape(upload(client, auth("applicant"), DMN.read_bytes()), 403)
