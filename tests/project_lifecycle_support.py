"""Helpers for the project library's tests: a consortium whose lead unit is `applicant`'s (its
leader `leader`), a participating unit with its own leader (`leader3`), source problems from the
library, and the shipped lifecycle (bpmn/breakthrough_project.bpmn) walked to execution."""
from datetime import date, timedelta

from sqlalchemy import select

from app import localtime
from app.extensions import db
from app.models import BreakthroughProject, TimerJob
from app.models.jobs import JobStatus
from app.services import demo
from app.services.workflow import cases
from tests.problem_support import OK, A, act, make_consortium, open_rows, problem_data, register, user

PARTNER = demo.UNITS[2][1]          # 广州市质量检测研究院: its leader is leader3
EXPERTS = ("expert1", "expert2")


def china_today():
    return localtime.today()


def consortium_with_problems(count=2, **overrides):
    consortium = make_consortium(A)
    ids = [register(problem_data(consortium.id, title=f"攻关来源问题{i}", **overrides))["problem_id"]
           for i in range(1, count + 1)]
    return consortium, ids


def proposal(consortium_id, problem_ids, **overrides):
    data = {"consortium_id": consortium_id, "project_name": "谐波减速器柔轮寿命提升联合攻关",
            "direction": "design", "problem_ids": list(problem_ids), "participating_units": [{"name": PARTNER}],
            "expected_results": "柔轮疲劳寿命提升至先进水平的95%，在3家企业示范应用。", "decision": "approve"}
    data.update(overrides)
    return data


def add_months(day, months):
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def book(start=None, months=12, **overrides):
    """A complete task book over `months` from `start` (default: today in Guangzhou)."""
    start = start or china_today()
    document = {
        "name": "谐波减速器柔轮寿命提升联合攻关", "leader": "张伟", "period_start": start.isoformat(),
        "period_end": add_months(start, months).isoformat(), "research_content": "柔轮材料与热处理工艺。",
        "technical_route": "材料改性—工艺优化—台架验证—示范应用。",
        "targets": [{"kind": "quality", "name": "柔轮合格率", "unit": "%", "baseline": "90", "target": "98"},
                    {"kind": "application", "product": "RV-40E 减速器", "target": "3"}],
        "organisation": [{"unit": demo.UNITS[0][1], "person": "张伟", "task": "总体与工艺"},
                         {"unit": PARTNER, "person": "李娜", "task": "检测验证"}],
        "milestones": [{"name": "完成材料改性", "due": add_months(start, 5).isoformat(), "deliverable": "试验报告"},
                       {"name": "完成示范应用", "due": add_months(start, 11).isoformat(), "deliverable": "应用报告"}],
        "budget": [{"item": "试验费", "amount": "120", "source": "企业自筹"}],
    }
    document.update(overrides)
    return document


def project_of(case):
    return db.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.instance_id == case.id)).scalar_one()


def data_of(case):
    return cases.case_view(user("auditor"), case.id)["data"]


def proposed(consortium_id, problem_ids, **overrides):
    case = cases.start_instance(user("applicant"), "breakthrough_project")
    act("applicant", case, proposal(consortium_id, problem_ids, **overrides))
    return case


def approved(case):
    act("manager", case, {"decision": "approve", "experts": ",".join(EXPERTS), "opinion": "同意立项，送专家评审。"})
    for name in EXPERTS:
        act(name, case, {"decision": "approve", "opinion": "同意立项。"})


def executing(case, document=None):
    """Draft the task book and have both parties sign it: version 1, status executing."""
    act("applicant", case, dict(document or book(), decision="approve"))
    for name in ("leader", "leader3"):
        act(name, case, dict(OK))


def project_in_execution(document=None):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    approved(case)
    executing(case, document)
    return case, ids


def pending_jobs(kind, case=None):
    query = select(TimerJob).where(TimerJob.kind == kind, TimerJob.status == JobStatus.PENDING)
    if case is not None:
        query = query.where(TimerJob.instance_id == case.id)
    return db.session.execute(query.order_by(TimerJob.due_at)).scalars().all()


def steps(case):
    return sorted(r.element_id for r in open_rows(case))


ONE_SECOND = timedelta(seconds=1)
