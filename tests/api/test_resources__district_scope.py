"""A district office sees its own district's cases and tasks only; the city office sees all."""
import pytest

from app.services.workflow import cases as case_service, tasks

from .conftest import APPROVE, assert_error_shape


@pytest.fixture
def cases(user, open_task, application_form):
    """Two cases at the district review: one in Tianhe, one in Haizhu."""
    made = {}
    for district in ("tianhe", "haizhu"):
        instance = case_service.start_instance(user("applicant"), "consortium_application")
        tasks.complete(user("applicant"), open_task(instance).id, application_form(district, name=district))
        lead = open_task(instance)
        tasks.claim(user("leader"), lead.id)
        tasks.complete(user("leader"), lead.id, APPROVE)
        made[district] = {"instance": instance.id, "task": open_task(instance).id}
    return made


def test_district_inbox_holds_only_its_own_district(client, auth, cases):
    haizhu = client.get("/api/v1/tasks", headers=auth("district_haizhu")).get_json()
    assert [t["id"] for t in haizhu["items"]] == [cases["haizhu"]["task"]]
    assert haizhu["total"] == 1 and haizhu["items"][0]["district"] == "haizhu"
    tianhe = client.get("/api/v1/tasks", headers=auth("district_tianhe")).get_json()
    assert [t["id"] for t in tianhe["items"]] == [cases["tianhe"]["task"]]
    assert client.get("/api/v1/tasks", headers=auth("district_panyu")).get_json()["total"] == 0


def test_another_districts_case_and_task_are_403(client, auth, cases):
    assert_error_shape(client.get(f"/api/v1/instances/{cases['tianhe']['instance']}",
                                  headers=auth("district_haizhu")), 403)
    assert_error_shape(client.get(f"/api/v1/tasks/{cases['tianhe']['task']}", headers=auth("district_haizhu")), 403)
    own = client.get(f"/api/v1/instances/{cases['haizhu']['instance']}", headers=auth("district_haizhu"))
    assert own.status_code == 200 and own.get_json()["district"] == "haizhu"


def test_case_list_is_scoped_to_the_district(client, auth, cases):
    listed = client.get("/api/v1/instances", headers=auth("district_haizhu")).get_json()
    assert [i["id"] for i in listed["items"]] == [cases["haizhu"]["instance"]] and listed["total"] == 1
    assert {i["district"] for i in listed["items"]} == {"haizhu"}


def test_city_office_and_auditor_see_every_case(client, auth, cases):
    for reader in ("city", "auditor"):
        listed = client.get("/api/v1/instances", headers=auth(reader)).get_json()
        assert {i["id"] for i in listed["items"]} == {c["instance"] for c in cases.values()}
        for case in cases.values():
            assert client.get(f"/api/v1/instances/{case['instance']}", headers=auth(reader)).status_code == 200


def test_applicant_sees_own_cases_and_others_see_none(client, auth, cases):
    mine = client.get("/api/v1/instances?mine=true", headers=auth("applicant")).get_json()
    assert mine["total"] == 2
    assert client.get("/api/v1/instances", headers=auth("applicant2")).get_json()["total"] == 0
    assert_error_shape(client.get(f"/api/v1/instances/{cases['haizhu']['instance']}", headers=auth("applicant2")),
                       403)
