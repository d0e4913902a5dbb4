"""Helpers for the project library's read-side tests: projects, task book versions, reports,
checks, change requests and risk alerts inserted as rows (the lifecycle commands that write them
are built apart), on consortia made through the application process and problems registered
through the problem library's command.

`world()` builds two consortia (A: Huangpu, the `applicant`/`leader` unit; B: Panyu, the
`applicant2`/`leader2` unit) with one project each:
- A's project (IEQ, design, executing): task book v1 (signed) and v2 (change request 1: T1's
  target raised, leader changed, a milestone added, a budget row removed); two quarterly reports;
  a mid-term check; an open high milestone_overdue alert on M2 and a closed report_missing one;
- B's project (NEV, supply chain, task book being drawn up): no task book, no alert.
"""
import copy
from datetime import date, datetime, timezone

from app.domain import task_book
from app.extensions import db
from app.models import (
    BreakthroughProject,
    ChangeRequest,
    Consortium,
    ProgressReport,
    ProjectCheck,
    QualityProblem,
    RiskAlert,
    RiskAlertEvent,
    TaskBookVersion,
)
from tests.problem_support import A, B, make_consortium, problem_data, register

V1 = {
    "name": "谐波减速器柔轮疲劳寿命提升", "leader": "陈工", "period_start": "2026-01-01", "period_end": "2027-12-31",
    "research_content": "柔轮材料与热处理工艺优化。", "technical_route": "材料—工艺—验证三步走。",
    "targets": [
        {"key": "T1", "kind": "technical", "name": "柔轮疲劳寿命", "unit": "万次", "baseline": "60", "target": "100"},
        {"key": "T2", "kind": "quality", "name": "柔轮热处理合格率", "baseline": "92", "target": "98"},
        {"key": "T3", "kind": "application", "product": "高寿命谐波减速器生产线", "target": "5"},
    ],
    "organisation": [{"unit": "广州智能装备集团有限公司", "person": "陈工", "task": "总体设计"},
                     {"unit": "广州市质量检测研究院", "person": "李工", "task": "检测验证"}],
    "milestones": [{"key": "M1", "name": "材料选型完成", "due": "2026-06-30", "deliverable": "选型报告"},
                   {"key": "M2", "name": "工艺样件试制", "due": "2026-09-30", "deliverable": "样件"},
                   {"key": "M3", "name": "示范应用", "due": "2027-12-31", "deliverable": "应用报告"}],
    "budget": [{"item": "材料费", "amount": "120", "source": "自筹"},
               {"item": "测试费", "amount": "30.5", "source": "财政"}],
}


def v2_content():
    content = copy.deepcopy(V1)
    content["leader"] = "王工"
    content["targets"][0]["target"] = "110"
    content["milestones"].append({"key": "M4", "name": "中试验证", "due": "2027-06-30", "deliverable": "中试报告"})
    content["budget"].pop()
    return task_book.normalise(content, V1)


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def add(*rows):
    db.session.add_all(rows)
    db.session.flush()
    return rows[0] if len(rows) == 1 else rows


def make_project(consortium, number, problems=(), **values):
    defaults = {"name": "攻关项目", "chain": "IEQ", "direction": "design", "lead_unit_name": consortium.lead_unit_name,
                "participating_units": ["广州市质量检测研究院"], "expected_results": "寿命提升至先进水平。",
                "status": "executing", "risk_level": "", "task_book_version": 0}
    defaults.update(values)
    project = add(BreakthroughProject(number=number, consortium_id=consortium.id, **defaults))
    project.problems.extend(problems)
    return project


def freeze(project, version, content, change=None, signatures=()):
    add(TaskBookVersion(project_id=project.id, version=version, content=task_book.normalise(content),
                        signatures=list(signatures), change_request_id=change.id if change else None,
                        frozen_at=at(f"2026-0{version}-15T02:00:00")))
    project.task_book_version = version


def _project_a(consortium, problem):
    project = make_project(consortium, "GZ-XM-IEQ-2026-001", [problem], name=V1["name"], risk_level="high",
                           period_start=date(2026, 1, 1), period_end=date(2027, 12, 31))
    freeze(project, 1, V1, signatures=[{"unit": "广州智能装备集团有限公司", "user": "leader", "name": "陈工",
                                        "at": "2026-01-10T02:00:00+00:00"}])
    change = add(ChangeRequest(project_id=project.id, seq=1, kinds=["goal", "leader"], reason="目标上调。",
                               base_version=1, proposed=v2_content(), status="approved", opinion="同意。",
                               resulting_version=2, requested_at=at("2026-03-01T02:00:00"),
                               decided_at=at("2026-03-10T02:00:00")))
    freeze(project, 2, v2_content(), change)
    add(ProgressReport(project_id=project.id, period="2026Q1", period_end=date(2026, 3, 31), task_book_version=1,
                       summary="材料选型进行中。", milestones=[{"key": "M1", "done": False, "note": "进行中"}],
                       targets=[{"key": "T1", "value": "65"}, {"key": "T2", "value": "92.5"}],
                       submitted_at=at("2026-04-05T02:00:00")),
        ProgressReport(project_id=project.id, period="2026Q2", period_end=date(2026, 6, 30), task_book_version=2,
                       summary="材料选型完成。", milestones=[{"key": "M1", "done": True, "note": "已完成"}],
                       targets=[{"key": "T1", "value": "70"}, {"key": "T2", "value": "93"}, {"key": "T3", "value": "1"}],
                       submitted_at=at("2026-07-03T02:00:00")),
        ProjectCheck(project_id=project.id, kind="midterm", round=1, result="rectify", opinion="进度偏慢。",
                     rectification_deadline=date(2027, 2, 28), decided_at=at("2026-11-20T02:00:00")))
    open_alert = add(RiskAlert(project_id=project.id, rule="milestone_overdue", subject="M2", severity="high",
                               status="open", open_key="milestone_overdue:M2", message="里程碑M2已逾期。",
                               opened_at=at("2026-10-01T01:00:00")))
    closed = add(RiskAlert(project_id=project.id, rule="report_missing", subject="2026Q1", severity="medium",
                           status="closed", open_key=None, message="2026Q1季度报告未按时提交。",
                           opened_at=at("2026-04-03T01:00:00"), closed_at=at("2026-04-05T02:00:00"),
                           closed_reason="报告已提交"))
    add(RiskAlertEvent(alert_id=open_alert.id, action="opened", at=at("2026-10-01T01:00:00")),
        RiskAlertEvent(alert_id=closed.id, action="opened", at=at("2026-04-03T01:00:00")),
        RiskAlertEvent(alert_id=closed.id, action="closed", note="报告已提交", at=at("2026-04-05T02:00:00")))
    return project


def world():
    """{"A": (project id, number), "B": (...)}; see the module's docstring."""
    a, b = make_consortium(A), make_consortium(B)
    problem_a = register(problem_data(a.id, title="柔轮早期断裂"))["problem_id"]
    problem_b = register(problem_data(b.id, title="电池包密封失效"))["problem_id"]
    project_a = _project_a(db.session.get(Consortium, a.id), db.session.get(QualityProblem, problem_a))
    project_b = make_project(db.session.get(Consortium, b.id), "GZ-XM-NEV-2026-001",
                             [db.session.get(QualityProblem, problem_b)], name="电池包密封可靠性攻关",
                             chain="NEV", direction="supply_chain", status="task_book")
    db.session.commit()
    ids = {"A": (project_a.id, project_a.number), "B": (project_b.id, project_b.number)}
    db.session.remove()
    return ids
