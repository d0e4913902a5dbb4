"""The case page (timeline, audit chain, district scope) and the inbox (filters, paging)."""
import re

import pytest

from app.services.workflow import cases, tasks

APPROVE = {"decision": "approve", "opinion": "同意"}


@pytest.fixture
def submitted(user, open_task, application_form):
    """submitted('tianhe') -> a case filled in and waiting for the lead unit."""
    def make(district="tianhe", name="智能装备"):
        instance = cases.start_instance(user("applicant"), "consortium_application")
        tasks.complete(user("applicant"), open_task(instance).id, application_form(district, name=name))
        return instance.id
    return make


def approve(user, open_task, instance_id, username):
    from app.extensions import db
    from app.models import ProcessInstance
    task = open_task(db.session.get(ProcessInstance, instance_id))
    tasks.claim(user(username), task.id)
    tasks.complete(user(username), task.id, APPROVE)


def row_count(html, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, table_id
    return len(re.findall(r"<tr[ >]", table.group(1)))


def test_case_page_shows_the_timeline_and_a_verified_audit_chain(browser, submitted, user, open_task):
    case = submitted("tianhe")
    approve(user, open_task, case, "leader")
    response = browser("applicant").get(f"/instances/{case}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="chain-status">\s*Audit chain verified', html)
    # every audit event is a row: started, fill task created+completed, lead task created+claimed+completed, ...
    events = browser("applicant").get(f"/api/v1/instances/{case}").get_json()["events"]
    assert len(events) >= 7 and row_count(html, "timeline") == len(events)
    assert "同意" in html and "智能装备产业链质量创新联合体" in html
    assert f'data-xml-url="/instances/{case}/diagram.xml"' in html
    diagram = browser("applicant").get(f"/instances/{case}/diagram.xml")
    assert diagram.status_code == 200 and b"consortium_application" in diagram.data


def test_the_diagram_is_served_with_the_reader_s_names(browser, submitted, user, open_task):
    """bpmn-js draws the names in the XML: English (nameEn) for an English reader, Chinese otherwise."""
    case = submitted("tianhe")
    english = browser("applicant").get(f"/instances/{case}/diagram.xml").get_data(as_text=True)
    assert 'name="Lead unit opinion"' in english and 'name="District office review"' in english
    assert 'name="approve"' in english and "牵头单位意见" not in english
    assert 'name="nameEn"' in english and "<bpmndi:BPMNDiagram" in english     # the rest as deployed
    chinese = browser("applicant", lang="zh_CN").get(f"/instances/{case}/diagram.xml").get_data(as_text=True)
    assert 'name="牵头单位意见"' in chinese and 'name="Lead unit opinion"' not in chinese


def test_the_auditors_diagram_is_served_with_the_reader_s_names(browser, submitted):
    from app.services.workflow import definitions
    submitted("tianhe")
    definition_id = definitions.latest_version("consortium_application").id
    english = browser("auditor").get(f"/audit/definitions/{definition_id}/diagram.xml").get_data(as_text=True)
    assert 'name="Lead unit opinion"' in english and "牵头单位意见" not in english
    chinese = browser("auditor", lang="zh_CN").get(f"/audit/definitions/{definition_id}/diagram.xml")
    assert 'name="牵头单位意见"' in chinese.get_data(as_text=True)


def test_case_page_is_403_for_another_district(browser, submitted):
    case = submitted("tianhe")
    for username, status in [("district_haizhu", 403), ("applicant2", 403), ("district_tianhe", 200),
                             ("city", 200), ("auditor", 200)]:
        response = browser(username).get(f"/instances/{case}")
        assert response.status_code == status, username
        assert response.mimetype == "text/html"
    assert browser("district_haizhu").get(f"/instances/{case}/diagram.xml").status_code == 403


def test_case_lists_are_scoped_to_the_district(browser, submitted):
    tianhe, haizhu = submitted("tianhe", "天河装备"), submitted("haizhu", "海珠装备")
    html = browser("district_haizhu").get("/instances").get_data(as_text=True)
    assert "海珠装备产业链质量创新联合体" in html and "天河装备产业链质量创新联合体" not in html
    html = browser("city").get("/instances").get_data(as_text=True)
    assert "海珠装备产业链质量创新联合体" in html and "天河装备产业链质量创新联合体" in html
    mine = browser("applicant").get("/instances/mine").get_data(as_text=True)
    assert f"/instances/{tianhe}" in mine and f"/instances/{haizhu}" in mine


def test_inbox_filters_by_district_and_process(browser, submitted):
    _tianhe, _haizhu = submitted("tianhe", "天河装备"), submitted("haizhu", "海珠装备")
    leader = browser("leader")

    def listed(query):
        html = leader.get(f"/tasks?{query}").get_data(as_text=True)
        return row_count(html, "inbox-table") if "data-task-id" in html else 0, html

    count, html = listed("")
    assert count == 2
    count, html = listed("district=haizhu")
    assert count == 1 and "海珠装备" in html and "天河装备" not in html
    assert '<option value="haizhu" selected' in html                  # the filter is shown as chosen
    count, html = listed("district=panyu")
    assert count == 0
    count, _ = listed("process=consortium_application")
    assert count == 2
    count, _ = listed("process=no_such_process")
    assert count == 0
    count, html = listed("district=tianhe&process=consortium_application&scope=group")
    assert count == 1 and "天河装备" in html
    count, html = listed("from=not-a-date")                               # a bad date is explained, not a crash
    assert count == 2 and "YYYY-MM-DD" in html


def test_inbox_pages_after_twenty_tasks(browser, user):
    for _ in range(21):
        cases.start_instance(user("applicant"), "consortium_application")
    client = browser("applicant")
    first = client.get("/tasks").get_data(as_text=True)
    assert first.count("data-task-id=") == 20
    pager = re.search(r'<nav class="pager">(.*?)</nav>', first, re.S)
    assert pager and 'href="/tasks?page=2"' in pager.group(1) and "21" in pager.group(1)
    second = client.get("/tasks?page=2").get_data(as_text=True)
    assert second.count("data-task-id=") == 1
    assert 'page=1' in re.search(r'<nav class="pager">(.*?)</nav>', second, re.S).group(1)
    first_ids = set(re.findall(r'data-task-id="(\d+)"', first))
    assert not first_ids & set(re.findall(r'data-task-id="(\d+)"', second))
    # the filter is kept when paging
    filtered = client.get("/tasks?process=consortium_application").get_data(as_text=True)
    assert "process=consortium_application" in re.search(r'<nav class="pager">(.*?)</nav>', filtered, re.S).group(1)
    assert client.get("/tasks?page=abc").status_code == 200
    # the other lists page the same way
    for url in ("/instances/mine", "/instances/mine?page=2"):
        response = client.get(url)
        assert response.status_code == 200 and '<nav class="pager">' in response.get_data(as_text=True), url


def test_inbox_with_twenty_tasks_or_fewer_has_no_paging_links(browser, user):
    cases.start_instance(user("applicant"), "consortium_application")
    html = browser("applicant").get("/tasks").get_data(as_text=True)
    assert '<nav class="pager">' not in html and "page=2" not in html


def test_a_district_office_is_offered_only_its_own_district(browser, submitted):
    submitted("tianhe", "天河装备")
    office = browser("district_tianhe").get("/tasks").get_data(as_text=True)
    assert 'name="district"' not in office                # one district: nothing to choose
    city = browser("city").get("/tasks").get_data(as_text=True)
    assert '<option value="haizhu"' in city
