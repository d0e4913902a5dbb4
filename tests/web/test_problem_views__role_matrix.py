"""Who sees which problem, on every read path: the list page, the detail page, the API list and
detail, the Excel export and the download of the report's file. Consortium A (lead unit: the
`applicant`/`leader` unit, Huangpu) and B (the `applicant2`/`leader2` unit, Panyu) each have one
problem, reported through the report process with a PDF."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, QualityProblem
from tests.problem_support import A, B, make_consortium, problem_data, report_through_process

# who -> which of the two problems they see
MATRIX = {
    None: set(),                        # not logged in
    "leader": {"A"},                    # member of A (its lead unit), no part in the report case
    "leader2": {"B"},                   # member of B
    "district_huangpu": {"A"},          # the district office of A's district
    "district_tianhe": set(),           # a district office elsewhere
    "city": {"A", "B"},
    "auditor": {"A", "B"},
    "admin": {"A", "B"},
    "manager": {"A", "B"},              # the managing body
    "expert1": set(),                   # an expert in no consortium
}


@pytest.fixture
def world(app):
    problems = {}
    for name, spec, reporter in (("A", A, "applicant"), ("B", B, "applicant2")):
        consortium = make_consortium(spec)
        case = report_through_process(reporter, problem_data(consortium.id, title=f"问题{name}"))
        problem = db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == case.id)).scalar_one()
        token = db.session.execute(select(Attachment.token).where(Attachment.instance_id == case.id)).scalar_one()
        problems[name] = (problem.id, problem.number, token)
    db.session.remove()
    return problems


def _client(browser, who):
    return browser(who) if who else browser(None)


def _as(who, check, browser, world):
    try:
        check(browser, world, who)
    except AssertionError as exc:
        raise AssertionError(f"as {who or 'anonymous'}: {exc}") from exc


def _seen_in(text, world):
    return {name for name, (_id, number, _token) in world.items() if number in text}


def test_list_page(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _list_page, browser, world)


def _list_page(browser, world, who):
    response = _client(browser, who).get("/problems")
    if who is None:
        assert response.status_code == 302 and "/login" in response.location
        return
    assert response.status_code == 200
    assert _seen_in(response.get_data(as_text=True), world) == MATRIX[who]


def test_detail_page(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _detail_page, browser, world)


def _detail_page(browser, world, who):
    client = _client(browser, who)
    for name, (problem_id, number, _token) in world.items():
        response = client.get(f"/problems/{problem_id}")
        if who is None:
            assert response.status_code == 302
        elif name in MATRIX[who]:
            assert response.status_code == 200 and number in response.get_data(as_text=True)
        else:
            assert response.status_code == 404 and number not in response.get_data(as_text=True)


def test_api_list(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _api_list, browser, world)


def _api_list(browser, world, who):
    response = _client(browser, who).get("/api/v1/problems")
    if who is None:
        assert response.status_code == 401
        return
    numbers = {item["number"] for item in response.get_json()["items"]}
    assert {name for name, (_i, number, _t) in world.items() if number in numbers} == MATRIX[who]
    assert response.get_json()["total"] == len(MATRIX[who])


def test_api_detail(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _api_detail, browser, world)


def _api_detail(browser, world, who):
    client = _client(browser, who)
    for name, (problem_id, number, _token) in world.items():
        response = client.get(f"/api/v1/problems/{problem_id}")
        if who is None:
            assert response.status_code == 401
        elif name in MATRIX[who]:
            assert response.status_code == 200 and response.get_json()["number"] == number
        else:
            assert response.status_code == 404


def test_excel_export(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _excel_export, browser, world)


def _excel_export(browser, world, who):
    response = _client(browser, who).get("/problems/export.xlsx")
    if who is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {name for name, (_i, number, _t) in world.items() if number in numbers} == MATRIX[who]


def test_attachment_download(browser, world):
    """Every role in MATRIX, one after the other (the world is built once)."""
    for who in MATRIX:
        _as(who, _attachment_download, browser, world)


def _attachment_download(browser, world, who):
    client = _client(browser, who)
    for name, (_id, _number, token) in world.items():
        response = client.get(f"/attachments/{token}")
        if who is None:
            assert response.status_code == 302
        elif name in MATRIX[who]:
            assert response.status_code == 200 and response.data.startswith(b"%PDF")
        else:
            assert response.status_code == 403      # as for any case file one may not see


def test_the_detail_lists_the_files_the_reader_may_download(browser, world):
    problem_id, _number, token = world["A"]
    text = browser("leader").get(f"/problems/{problem_id}").get_data(as_text=True)
    assert f"/attachments/{token}" in text and "检测报告.pdf" in text
