"""The auditor's pages: search, replay a case step by step, proof; nobody else gets in."""
from app.services.workflow import cases, tasks


def _approved_case(user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form("liwan"))
    for name in ("leader", "district_liwan", "city"):
        task = open_task(instance)
        tasks.claim(user(name), task.id)
        tasks.complete(user(name), task.id, {"decision": "approve", "opinion": "同意"})
    return instance


def test_auditor_searches_and_steps_through_a_case(browser, user, open_task, application_form):
    instance = _approved_case(user, open_task, application_form)
    auditor = browser("auditor")
    found = auditor.get("/audit/?district=liwan&actor=district_liwan&status=approved")
    assert found.status_code == 200 and instance.business_key in found.get_data(as_text=True)
    assert instance.business_key not in auditor.get("/audit/?district=tianhe").get_data(as_text=True)

    page = auditor.get(f"/audit/cases/{instance.id}?step=3")
    assert page.status_code == 200 and 'id="step-slider"' in page.get_data(as_text=True)
    step = auditor.get(f"/audit/cases/{instance.id}/steps/3.json").get_json()
    assert step["n"] == 3 and step["active"] == ["fill_application"] and "html" in step
    last = auditor.get(f"/audit/cases/{instance.id}/steps/999.json").get_json()
    assert last["n"] == last["total"] and "city_review" in last["completed"] and last["active"] == []
    check = auditor.get(f"/audit/cases/{instance.id}/reexecute").get_data(as_text=True)
    assert 'id="reexecution-result"' in check and "badge ok" in check


def test_proof_page_and_operations(browser, user, open_task, application_form):
    _approved_case(user, open_task, application_form)
    auditor = browser("auditor")
    proof = auditor.get("/audit/proof").get_data(as_text=True)
    assert 'id="proof-status"' in proof and "badge ok" in proof
    operations = auditor.get("/audit/operations").get_data(as_text=True)
    assert "consortium_application" in operations        # the deploy is an administrative operation


def test_non_auditors_are_refused(browser, user, open_task, application_form):
    instance = _approved_case(user, open_task, application_form)
    for name in ("applicant", "district_liwan", "city"):
        client = browser(name)
        assert client.get("/audit/").status_code == 403
        assert client.get(f"/audit/cases/{instance.id}/steps/1.json").status_code == 403


def test_bottlenecks_show_waits_per_step(browser, user, open_task, application_form):
    _approved_case(user, open_task, application_form)
    page = browser("auditor").get("/audit/bottlenecks?process=consortium_application")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-element="district_review"' in html and "data-heat" in html


def test_waitpercentiles():
    from app.services.audit.bottlenecks import percentile
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert percentile([], 0.9) == 0.0


def test_exports_download_for_a_filter_and_for_one_case(browser, user, open_task, application_form, app, tmp_path):
    instance = _approved_case(user, open_task, application_form)
    auditor = browser("auditor")
    csv = auditor.get("/audit/export.csv?district=liwan")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"   # the charset once
    assert instance.business_key in csv.get_data(as_text=True)
    xes = auditor.get(f"/audit/export.xes?case={instance.id}")
    assert xes.status_code == 200 and b"<trace>" in xes.data
    ocel = auditor.get("/audit/export.ocel").get_json(force=True)
    assert any(o["type"] == "consortium" for o in ocel["objects"])
    assert browser("city").get("/audit/export.csv").status_code == 403
    out = tmp_path / "log.xes"
    result = app.test_cli_runner().invoke(args=["export-log", "--format", "xes", "--out", str(out)])
    assert result.exit_code == 0 and out.read_bytes().count(b"<trace>") == 1
