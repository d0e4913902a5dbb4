"""Demo data of the breakthrough project library, through the lifecycle diagram as in production:
- 智能装备: one project in execution whose first quarterly report is overdue (a missed-report alert
  is open, and its first milestone's), and one proposal waiting for the managing body;
- 新能源汽车: one project whose change of period was approved (task book version 2), and one
  accepted after its whole period, its source problem now solved and its achievement recommended
  to the library (the admission case it opened waits for the lead unit's form).
The timers of the past fire as the scheduler would have fired them (timer_firing.fire_due), in
order. Needs the demo's consortia and problems (demo_problems.py). Idempotent."""
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from .. import localtime
from ..domain import task_book
from ..extensions import db
from ..models import BreakthroughProject, Consortium, HumanTask, ProcessInstance, QualityProblem, User
from ..models.states import ProjectStatus, TaskStatus
from .registries.projects import requests
from .workflow import cases, tasks, timer_firing, timer_jobs

PARTNER = "广州市质量检测研究院"
OK = {"decision": "approve", "opinion": "同意。"}


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _decide(instance, username, data):
    """`username` completes the open row of the case meant for them (claiming a group's task first)."""
    actor = _user(username)
    rows = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).scalars()
    row = next(r for r in rows if r.assignee_id in (None, actor.id))
    if row.assignee_id is None:
        tasks.claim(actor, row.id)
    tasks.complete(actor, row.id, data)


def _sources(consortium):
    return db.session.execute(select(QualityProblem.id).where(
        QualityProblem.consortium_id == consortium.id,
        QualityProblem.status.in_(ProjectStatus.SOURCE_PROBLEM_STATUSES)).order_by(QualityProblem.number)).scalars().all()


def _book(start):
    def day(months):
        return (start + timedelta(days=round(30.4 * months))).isoformat()
    return {"name": "工业机器人关节模组可靠性提升联合攻关", "leader": "张伟", "period_start": start.isoformat(),
            "period_end": day(24), "research_content": "谐波减速器柔轮材料与热处理、伺服驱动散热设计。",
            "technical_route": "失效分析—材料与工艺改进—台架验证—示范应用。",
            "targets": [
                {"kind": "technical", "name": "柔轮疲劳寿命", "unit": "万次", "baseline": "60", "target": "100"},
                {"kind": "quality", "name": "关节模组出厂合格率", "unit": "%", "baseline": "95", "target": "99"},
                {"kind": "application", "product": "高可靠关节模组", "target": "3"}],
            "organisation": [{"unit": "广州智能装备集团有限公司", "person": "张伟", "task": "总体、工艺与示范"},
                             {"unit": PARTNER, "person": "李娜", "task": "检测与验证"}],
            "milestones": [{"name": "完成失效分析", "due": day(2), "deliverable": "失效分析报告"},
                           {"name": "完成工艺改进", "due": day(12), "deliverable": "工艺规范"},
                           {"name": "完成示范应用", "due": day(23), "deliverable": "应用报告"}],
            "budget": [{"item": "试验费", "amount": "180", "source": "企业自筹"},
                       {"item": "检测费", "amount": "60", "source": "财政补助"}],
            "decision": "approve"}


def seed_project_processes():
    """0 if there are project cases already (or no demo consortium to propose under)."""
    if db.session.execute(select(ProcessInstance.id).where(
            ProcessInstance.process_key == "breakthrough_project").limit(1)).first():
        return 0
    consortium = db.session.execute(select(Consortium).where(Consortium.name.startswith("智能装备"))).scalars().first()
    problems = _sources(consortium) if consortium is not None else []
    if len(problems) < 2:
        return 0
    proposal = {"consortium_id": consortium.id, "direction": "design", "participating_units": [{"name": PARTNER}],
                "decision": "approve"}
    running = cases.start_instance(_user("applicant"), "breakthrough_project")
    _decide(running, "applicant", dict(proposal, project_name="工业机器人关节模组可靠性提升联合攻关",
                                       problem_ids=problems[:1],
                                       expected_results="柔轮寿命达到先进水平，关节模组合格率提升至99%，在3家企业示范应用。"))
    _decide(running, "manager", {"decision": "approve", "experts": "expert1,expert2",
                                 "opinion": "同意立项，送专家评审。"})
    for name in ("expert1", "expert2"):
        _decide(running, name, OK)
    start = localtime.today() - timedelta(days=100)
    _decide(running, "applicant", _book(start))
    # signed back then: the first quarter's report opened when that quarter ended (the service clock
    # says when), so its ten working days have run out by now
    with _clock_at(localtime.day_end(task_book.quarter_end(task_book.quarter_of(start)))):
        for name in ("leader", "leader3"):
            _decide(running, name, OK)
    waiting = cases.start_instance(_user("applicant"), "breakthrough_project")
    _decide(waiting, "applicant", dict(proposal, project_name="伺服驱动器高温可靠性攻关", problem_ids=problems[1:2],
                                       direction="manufacturing", expected_results="高温降额点提高10℃。"))
    timer_firing.fire_due(at=timer_jobs.now())      # the first quarter ended, its report is overdue
    return 2 + _seed_nev_projects()


def _seed_nev_projects():
    """The 新能源汽车 consortium's projects: one accepted, one with an approved change; 0 without sources."""
    consortium = db.session.execute(select(Consortium).where(
        Consortium.name.startswith("新能源汽车"))).scalars().first()
    problems = _sources(consortium) if consortium is not None else []
    if len(problems) < 2:
        return 0
    today = localtime.today()
    # a year's period that ended over a quarter ago: every quarter's report timer has fallen due
    accepted = _executing(consortium, problems[0], "电池包密封可靠性联合攻关", today - timedelta(days=500), 12)
    _run_to_acceptance(accepted)
    changed = _executing(consortium, problems[1], "电驱系统NVH质量提升攻关", today - timedelta(days=60), 24)
    project = db.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.instance_id == changed.id)).scalar_one()
    _project, _schema, proposed = requests.change_request_form(_user("applicant2"), project.id)
    proposed.update(period_end=(date.fromisoformat(proposed["period_end"]) + timedelta(days=90)).isoformat())
    requests.submit_change_request(_user("applicant2"), project.id, ["period"],
                                   "关键试验设备交付推迟三个月，项目周期顺延。", proposed)
    _decide(changed, "manager", {"decision": "approve", "opinion": "同意顺延三个月。"})
    return 2


def _executing(consortium, problem_id, name, start, months):
    """A project of the 新能源汽车 consortium proposed, approved, and its task book signed."""
    case = cases.start_instance(_user("applicant2"), "breakthrough_project")
    _decide(case, "applicant2", {"consortium_id": consortium.id, "direction": "supply_chain", "project_name": name,
                                 "participating_units": [{"name": PARTNER}], "problem_ids": [problem_id],
                                 "expected_results": "关键失效模式消除，在3家整车企业示范应用。",
                                 "decision": "approve"})
    _decide(case, "manager", {"decision": "approve", "experts": "expert1,expert2", "opinion": "同意立项。"})
    for expert in ("expert1", "expert2"):
        _decide(case, expert, OK)
    book = _book(start)
    book.update(name=name, period_end=(start + timedelta(days=round(30.4 * months))).isoformat(),
                milestones=[dict(m, due=(start + timedelta(days=round(30.4 * months * (i + 1) / 4))).isoformat())
                            for i, m in enumerate(book["milestones"])],
                organisation=[{"unit": consortium.lead_unit_name, "person": "赵敏", "task": "总体与示范"},
                              {"unit": PARTNER, "person": "李娜", "task": "检测与验证"}])
    _decide(case, "applicant2", book)
    for leader in ("leader2", "leader3"):
        _decide(case, leader, OK)
    return case


def _run_to_acceptance(case):
    """Let the project's past happen: each timer fires when due, each report and check is done as it
    opens, then the lead unit applies for acceptance and the experts pass it."""
    for _round in range(40):
        timer_firing.fire_due(at=timer_jobs.now())
        waiting = {row.element_id for row in _open_rows(case)}
        if "apply_acceptance" in waiting:
            break
        if "quarterly_report" in waiting:
            _decide(case, "applicant2", {"report_summary": "按计划推进，里程碑按期完成。", "decision": "approve",
                                         "milestone_progress": [{"key": key, "done": True}
                                                                for key in ("M1", "M2", "M3")],
                                         "target_values": [{"key": "T1", "value": "100"}, {"key": "T2", "value": "99"},
                                                           {"key": "T3", "value": "3"}]})
        elif "midterm_check" in waiting:
            for expert in ("expert1", "expert2"):
                _decide(case, expert, {"decision": "approve", "opinion": "进展符合任务书要求。"})
        else:
            raise RuntimeError(f"the demo project waits at {sorted(waiting)}, not for acceptance")
    _decide(case, "applicant2", {"final_report": "全部考核指标达成，成果已在3家整车企业应用。", "decision": "approve",
                                 "target_evidence": [{"key": "T1", "value": "102", "evidence": "台架试验报告"},
                                                     {"key": "T2", "value": "99.2", "evidence": "出厂检验统计"},
                                                     {"key": "T3", "value": "3", "evidence": "应用证明"}]})
    for expert in ("expert1", "expert2"):
        _decide(case, expert, {"decision": "approve", "opinion": "同意通过验收。"})


@contextmanager
def _clock_at(moment):
    """The service clock (timer_jobs.now, TIMER_CLOCK) stands at `moment` meanwhile."""
    config = current_app.config
    before = config.get("TIMER_CLOCK")
    config["TIMER_CLOCK"] = lambda: moment
    try:
        yield
    finally:
        config["TIMER_CLOCK"] = before


def _open_rows(case):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
