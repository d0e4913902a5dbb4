"""The problem list page: filters, sorting, pages, bad parameters, the export of the filtered list,
the detail's App. C layout; both languages. Data: the demo library (20 problems, 5 chains)."""
import io
import re

import pytest
from openpyxl import load_workbook

from app.services import demo


@pytest.fixture
def library(app):
    assert demo.seed_problems() == 20


def _numbers(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return re.findall(r"GZ-[A-Z]+-\d{4}-\d{4}", response.get_data(as_text=True).split('id="problems-table"')[1])


def test_filters_narrow_the_list(browser, library):
    city = browser("city")
    assert len(_numbers(city.get("/problems"))) == 20
    assert {n.split("-")[1] for n in _numbers(city.get("/problems?chain=NEV"))} == {"NEV"}
    assert len(_numbers(city.get("/problems?grade=critical"))) == 5
    assert len(_numbers(city.get("/problems?status=merged"))) == 1
    assert len(_numbers(city.get("/problems?chain=SEMI&segment=midstream"))) == 2
    assert len(_numbers(city.get("/problems?category=infrastructure"))) == 4
    assert _numbers(city.get("/problems?unit=市质量检测")) == ["GZ-BIO-2026-0003"]
    assert _numbers(city.get("/problems?from=2026-03-20&to=2026-03-20")) == ["GZ-SEMI-2026-0004"]


def test_sorting_and_pages(browser, library):
    city = browser("city")
    by_total = _numbers(city.get("/problems?sort=-total"))
    assert by_total[0] == "GZ-SEMI-2026-0001"                       # 5.00, the highest total
    assert _numbers(city.get("/problems?sort=number"))[0] == "GZ-BIO-2026-0001"
    assert _numbers(city.get("/problems?sort=-number"))[0] == "GZ-UHD-2026-0004"
    seen = []
    for page in (1, 2):
        seen += _numbers(city.get(f"/problems?sort=number&page={page}"))
    assert len(seen) == 20 and len(set(seen)) == 20 and seen == sorted(seen)
    assert _numbers(city.get("/problems?sort=number&page=abc"))[0] == "GZ-BIO-2026-0001"   # a bad page: the first


@pytest.mark.parametrize("query, field", [
    ("grade=urgent", "grade"), ("status=done", "status"), ("chain=MARS", "chain"), ("segment=x", "segment"),
    ("category=x", "category"), ("from=yesterday", "from"), ("to=2026-02-30", "to"), ("sort=colour", "sort"),
])
def test_bad_filters_are_a_clear_422_naming_the_parameter(browser, library, query, field):
    for url in (f"/problems?{query}", f"/problems/export.xlsx?{query}"):
        response = browser("city").get(url)
        assert response.status_code == 422 and field in response.get_data(as_text=True)


def test_huge_and_unknown_ids_are_404(browser, library):
    for problem_id in (0, 999, 2**63, 2**64):
        assert browser("city").get(f"/problems/{problem_id}").status_code == 404


def test_the_export_is_the_filtered_list(browser, library):
    response = browser("city").get("/problems/export.xlsx?chain=NEV&sort=number")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Number", "Problem")
    assert [r[0] for r in rows[1:]] == [f"GZ-NEV-2026-000{i}" for i in range(1, 6)]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Defect rate (%)"] == 3.2 and first["Total score"] == 4.55 and first["Grade"] == "Critical"


def test_the_detail_shows_app_c_scores_history_and_links_in_chinese(browser, library):
    city = browser("city", lang=None)                     # the default language
    page = city.get("/problems?sort=number&chain=NEV").get_data(as_text=True)
    kept_id = re.search(r'href="/problems/(\d+)">GZ-NEV-2026-0002', page).group(1)
    merged_id = re.search(r'href="/problems/(\d+)">GZ-NEV-2026-0005', page).group(1)
    text = city.get(f"/problems/{kept_id}").get_data(as_text=True)
    assert "中游-零部件" in text and "电驱系统装配" in text and "★★" in text and "重要" in text
    assert "GZ-NEV-2026-0005" in text                       # merged into this one
    merged = city.get(f"/problems/{merged_id}").get_data(as_text=True)
    assert "已合并" in merged and "GZ-NEV-2026-0002" in merged and "已识别" in merged   # its history stays
    assert "Problem library" not in text and "问题库" in text


def test_the_menu_leads_to_the_library_in_each_language(browser, library):
    assert 'id="nav-problems">Problem library<' in browser("leader").get("/tasks").get_data(as_text=True)
    assert 'id="nav-problems">质量问题库<' in browser("leader", lang="zh_CN").get("/tasks").get_data(as_text=True)
