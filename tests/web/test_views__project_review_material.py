"""Project review steps show what the experts judge (step property `showProject`): at the mid-term
check the task book in force and the quarterly reports so far (with the earlier checks); at the
acceptance review the application with its materials and the task book's targets. The experts read
it on their task; the project library stays closed to them."""
import html as htmllib

from app.services.workflow import timer_firing
from tests.problem_support import act, open_rows
from tests.project_lifecycle_support import (
    EXPERTS,
    approved,
    consortium_with_problems,
    executing,
    pending_jobs,
    project_of,
    proposed,
    steps,
)


def timer_due(case, element):
    jobs = [j for j in pending_jobs("bpmn_timer", case) if j.element_id == element]
    return jobs[0].due_at if jobs else None


def _report(case, summary):
    timer_firing.fire_due(at=timer_due(case, "quarter_ends"))
    act("applicant", case, {"report_summary": summary, "decision": "approve",
                            "milestone_progress": [{"key": "M1", "done": True}, {"key": "M2", "done": False}],
                            "target_values": [{"key": "T1", "value": "95"}, {"key": "T2", "value": "1"}]})


def _page(client, row):
    response = client.get(f"/tasks/{row.id}")
    assert response.status_code == 200
    return htmllib.unescape(response.get_data(as_text=True))


def test_the_experts_see_the_task_book_and_reports_then_the_acceptance_materials(app, browser):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    approved(case)
    executing(case)
    _report(case, "第一季度：完成材料改性试验。")
    _report(case, "第二季度：台架验证进行中。")
    timer_firing.fire_due(at=timer_due(case, "midterm_due"))
    assert "midterm_check" in steps(case)
    expert1 = browser("expert1", lang="zh")
    [row] = [r for r in open_rows(case, "midterm_check") if r.assignee.username == "expert1"]
    page = _page(expert1, row)
    assert 'id="task-book"' in page and "柔轮材料与热处理工艺。" in page and "柔轮合格率" in page
    assert 'id="project-reports"' in page and "第一季度：完成材料改性试验。" in page and "第二季度：台架验证进行中。" in page
    assert 'id="project-acceptance"' not in page
    project = project_of(case)
    assert expert1.get(f"/projects/{project.id}").status_code == 404      # the library's rule is unchanged

    for name in EXPERTS:
        act(name, case, {"decision": "approve", "opinion": "进展符合任务书。"}, element="midterm_check")
    while timer_due(case, "quarter_ends") is not None:
        _report(case, "按计划推进。")
    act("applicant", case, {"final_report": "全部指标达成，形成团体标准1项。", "decision": "approve",
                            "target_evidence": [{"key": "T1", "value": "98.5", "evidence": "第三方检测报告"},
                                                {"key": "T2", "value": "3", "evidence": "示范应用证明"}]})
    [row] = [r for r in open_rows(case, "acceptance_review") if r.assignee.username == "expert1"]
    page = _page(expert1, row)
    assert 'id="project-acceptance"' in page
    assert "全部指标达成，形成团体标准1项。" in page and "第三方检测报告" in page and "98.5" in page
    assert 'id="targets-quality"' in page and "柔轮合格率" in page      # the targets they are measured against
    assert "进展符合任务书。" in page                                      # the earlier opinions
