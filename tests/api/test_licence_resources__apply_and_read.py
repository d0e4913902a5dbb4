"""The licence API: applying (201, or a 4xx naming the field or the conflicting agreement), my
licences on both sides, one licence with its confirmations and revenue, and who may read it."""
from app.services.registries.achievements import licence_requests
from tests.licence_support import apply, paid_achievement, terms, to_in_force
from tests.problem_support import user


def test_apply_read_and_list(app, client, auth):
    achievement_id = paid_achievement()
    body = terms(licence_type="exclusive", fee_amount="50000")
    created = client.post(f"/api/v1/achievements/{achievement_id}/licences", json=body, headers=auth("applicant2"))
    assert created.status_code == 201, created.get_json()
    licence = created.get_json()
    assert (licence["status"], licence["licence_type"], licence["fee_amount"]) == ("applied", "exclusive", "50000.00")
    conflict = client.post(f"/api/v1/achievements/{achievement_id}/licences", json=terms(territory="全国"),
                           headers=auth("applicant3"))
    assert conflict.status_code == 409 and licence["number"] in conflict.get_json()["message"]
    mine = client.get("/api/v1/licences", headers=auth("applicant")).get_json()
    assert [x["number"] for x in mine["as_licensor"]] == [licence["number"]] and mine["as_licensee"] == []
    assert client.get(f"/api/v1/licences/{licence['id']}", headers=auth("applicant3")).status_code == 404
    row = to_in_force(licence["id"])
    licence_requests.record_revenue(user("manager"), row.id, "2026-12-01", "100.00")
    got = client.get(f"/api/v1/licences/{row.id}", headers=auth("applicant2")).get_json()
    assert got["status"] == "in_force" and got["text_sha256"] == got["current_sha256"]
    assert sorted(c["party"] for c in got["confirmations"]) == ["licensee", "licensor"]
    assert got["revenue_total"] == "100.00" and got["canonical_text"].startswith("{")


def test_bad_input_is_a_4xx_naming_the_field(app, client, auth):
    achievement_id = paid_achievement()
    url = f"/api/v1/achievements/{achievement_id}/licences"
    missing = client.post(url, json={**terms(), "term_to": "not a date", "licence_type": "forever"},
                          headers=auth("applicant2"))
    assert missing.status_code == 422 and {"term_to", "licence_type"} <= set(missing.get_json()["errors"])
    backwards = client.post(url, json=terms(term_to="2000-01-01"), headers=auth("applicant2"))
    assert backwards.status_code == 422 and "term_to" in backwards.get_json()["errors"]
    own = client.post(url, json=terms(), headers=auth("applicant"))
    assert own.status_code == 403
    assert client.post("/api/v1/achievements/999999/licences", json=terms(), headers=auth("applicant2")
                       ).status_code == 404
    assert client.post(url, json=terms()).status_code == 401
    assert apply(achievement_id).status == "applied"
