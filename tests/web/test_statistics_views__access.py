"""The statistics page and its export, for the offices only."""


def test_offices_see_the_statistics_and_others_do_not(browser):
    city = browser("city", lang="zh")
    page = city.get("/statistics")
    assert page.status_code == 200 and 'id="chart-months"' in page.get_data(as_text=True)
    assert 'id="nav-statistics"' in page.get_data(as_text=True)
    export = city.get("/statistics/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert browser("district_tianhe").get("/statistics?district=haizhu").status_code == 403
    assert browser("applicant").get("/statistics").status_code == 403
    assert 'id="nav-statistics"' not in browser("applicant").get("/tasks").get_data(as_text=True)
    assert browser("city").get("/statistics?district=%E4%B8%8D").status_code == 422
