"""Demo data of the breakthrough project library, through the lifecycle diagram as in production:
one project of the 智能装备 consortium in execution (its first quarter's report waiting, its first
milestone already past, so the scheduler raises an alert when it starts), and one proposal waiting
for the managing body. Needs the demo's consortia and problems (demo_problems.py). Idempotent."""
from datetime import timedelta

from sqlalchemy import select

from .. import localtime
from ..extensions import db
from ..models import Consortium, HumanTask, ProcessInstance, QualityProblem, User
from ..models.states import ProjectStatus, TaskStatus
from .workflow import cases, tasks

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
    _decide(running, "applicant", _book(localtime.today() - timedelta(days=100)))
    for name in ("leader", "leader3"):
        _decide(running, name, OK)
    waiting = cases.start_instance(_user("applicant"), "breakthrough_project")
    _decide(waiting, "applicant", dict(proposal, project_name="伺服驱动器高温可靠性攻关", problem_ids=problems[1:2],
                                       direction="manufacturing", expected_results="高温降额点提高10℃。"))
    return 2
