"""Who sees which project, on every read path: the list page, the detail page, the Excel export
and each API read. Consortium A (lead unit: the `applicant`/`leader` unit, Huangpu) and B (the
`applicant2`/`leader2` unit, Panyu) have one project each (tests/project_support.py)."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import BreakthroughProject, QualityProblem
from tests.project_support import world as build_world

# who -> which of the two projects they see
MATRIX = {
    None: set(),                        # not logged in
    "leader": {"A"},                    # member of A (its lead unit)
    "leader2": {"B"},                   # member of B
    "district_huangpu": {"A"},          # the district office of A's district
    "district_tianhe": set(),           # a district office elsewhere
    "city": {"A", "B"},
    "auditor": {"A", "B"},
    "admin": {"A", "B"},
    "manager": {"A", "B"},              # the managing body
    "expert1": set(),                   # an expert in no consortium
}
PROJECT_READS = ("", "/task-book/versions", "/task-book/diff?from=1&to=2", "/reports", "/alerts")


@pytest.fixture
def world(app):
    return build_world()


def _client(browser, who):
    return browser(who) if who else browser(None)


def _for_every_role(check, browser, world):
    for who in MATRIX:
        try:
            check(_client(browser, who), world, who)
        except AssertionError as exc:
            raise AssertionError(f"as {who or 'anonymous'}: {exc}") from exc


def _seen_in(text, world):
    return {name for name, (_id, number) in world.items() if number in text}


def test_list_page(browser, world):
    def check(client, world, who):
        response = client.get("/projects")
        if who is None:
            assert response.status_code == 302 and "/login" in response.location
            return
        assert response.status_code == 200
        assert _seen_in(response.get_data(as_text=True), world) == MATRIX[who]
    _for_every_role(check, browser, world)


def test_detail_page_is_404_for_a_project_one_may_not_see(browser, world):
    def check(client, world, who):
        for name, (project_id, number) in world.items():
            response = client.get(f"/projects/{project_id}")
            if who is None:
                assert response.status_code == 302
            elif name in MATRIX[who]:
                assert response.status_code == 200 and number in response.get_data(as_text=True)
            else:
                assert response.status_code == 404 and number not in response.get_data(as_text=True)
    _for_every_role(check, browser, world)


def test_excel_export(browser, world):
    def check(client, world, who):
        response = client.get("/projects/export.xlsx")
        if who is None:
            assert response.status_code == 302
            return
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(response.data)).active
        numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert {name for name, (_i, number) in world.items() if number in numbers} == MATRIX[who]
    _for_every_role(check, browser, world)


def test_api_list(browser, world):
    def check(client, world, who):
        response = client.get("/api/v1/projects")
        if who is None:
            assert response.status_code == 401
            return
        numbers = {item["number"] for item in response.get_json()["items"]}
        assert {name for name, (_i, number) in world.items() if number in numbers} == MATRIX[who]
        assert response.get_json()["total"] == len(MATRIX[who])
    _for_every_role(check, browser, world)


def test_api_reads_of_one_project(browser, world):
    """Detail, versions, diff, reports, alerts: 200 for a reader of A's project, 404 for anyone else."""
    project_id, number = world["A"]

    def check(client, world, who):
        for tail in PROJECT_READS:
            response = client.get(f"/api/v1/projects/{project_id}{tail}")
            expected = 401 if who is None else 200 if "A" in MATRIX[who] else 404
            assert response.status_code == expected, (tail, response.get_data(as_text=True)[:300])
    _for_every_role(check, browser, world)


def test_a_project_id_no_row_can_have_is_404(browser, world):
    client = browser("manager")
    for path in ("/projects/0", "/projects/99999999999999999999", "/api/v1/projects/99999"):
        assert client.get(path).status_code == 404, path


def test_a_problem_of_another_consortium_is_not_shown_to_who_may_not_see_it(browser, world):
    """A's project also addresses B's problem: a member of A sees the project, not B's problem."""
    project = db.session.get(BreakthroughProject, world["A"][0])
    other = db.session.execute(select(QualityProblem).where(QualityProblem.title == "电池包密封失效")).scalar_one()
    project.problems.append(other)
    db.session.commit()
    db.session.remove()
    for who, sees in (("leader", False), ("manager", True)):
        client = browser(who)
        for path in ("/projects", f"/projects/{world['A'][0]}", "/api/v1/projects", f"/api/v1/projects/{world['A'][0]}"):
            text = client.get(path).get_data(as_text=True)
            assert ("电池包密封失效" in text or other.number in text) == sees, (who, path)
            assert "GZ-IEQ-2026-0001" in text or "柔轮早期断裂" in text, (who, path)
        sheet = load_workbook(io.BytesIO(client.get("/projects/export.xlsx").data)).active
        problems = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}[world["A"][1]]
        assert (other.number in problems) == sees and "GZ-IEQ-2026-0001" in problems, who
