"""A step's form starts from the case's data, but never from another step's decision or opinion,
and the submitted form shown beside it leaves those out too (the history table shows them by
step); a group task shows its read-only fields before it is claimed."""
import re

from app.services.workflow import cases
from tests.problem_support import EXPERTS, A, act, make_consortium, open_rows, report_form


def _page(client, login, username, row):
    login(client, username)
    return client.get(f"/tasks/{row.id}").get_data(as_text=True)


def test_the_next_step_does_not_inherit_the_last_decision_or_opinion(app, client, login, user):
    consortium = make_consortium(A)
    case = cases.start_instance(user("applicant"), "problem_report")
    act("applicant", case, report_form(consortium.id, opinion="请尽快受理。"))
    act("manager", case, {"decision": "approve", "experts": ",".join(EXPERTS), "opinion": "资料齐全，送专家评分。"})
    [row] = [r for r in open_rows(case) if r.assignee_id == user("expert1").id]
    html = _page(client, login, "expert1", row)
    scoring = html[html.index('class="card taskform"'):]
    assert "资料齐全" not in scoring and 'checked' not in scoring          # the expert starts blank
    start = html.index("产业链质量问题登记表")
    report = html[start:html.index("</section>", start)]
    assert "谐波减速器柔轮疲劳寿命不足" in report and "请尽快受理" not in report   # the report, not its note
    assert re.search(r"管理机构初审.*资料齐全，送专家评分。", html, re.S)          # in the history, by step


def test_a_group_task_shows_what_it_is_about_before_the_claim(app, client, login, user):
    consortium = make_consortium(A)
    case = cases.start_instance(user("applicant"), "problem_report")
    act("applicant", case, report_form(consortium.id))
    act("manager", case, {"decision": "approve", "experts": ",".join(EXPERTS), "opinion": "受理。"})
    for name in EXPERTS:
        act(name, case, {"impact": 5, "diffusion": 4, "urgency": 4, "decision": "approve", "opinion": "同意。"})
    [row] = open_rows(case)
    html = _page(client, login, "manager", row)
    assert 'id="claim"' in html and "4.4" in html and "关键问题 ★★★" in html    # total 4.40, graded before the claim
