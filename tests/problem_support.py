"""Helpers for the problem library's tests: consortia made through the application process, a
small report process (a user step, then the `register_problem` service task) deployed in memory,
and problems registered through the library's commands."""
import io

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Consortium, HumanTask, User
from app.models.states import TaskStatus
from app.services import demo
from app.services.command import command
from app.services.registries.problems import commands
from app.services.workflow import cases, deploy, tasks

PDF = b"%PDF-1.4\n% a report\n"
OK = {"decision": "approve", "opinion": "同意。"}

# consortium A: lead unit = applicant's unit (huangpu); B: lead unit = applicant2's unit (panyu)
A = ("智能装备", "huangpu", demo.UNITS[0][1], "applicant", "leader")
B = ("新能源汽车", "panyu", demo.UNITS[1][1], "applicant2", "leader2")

REPORT_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_problem_report" targetNamespace="t">
  <bpmn:process id="register_only" name="Register a problem" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="report" />
    <bpmn:userTask id="report" name="Report a problem" camunda:candidateGroups="applicants" />
    <bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="register" />
    <bpmn:serviceTask id="register" name="Register the problem" camunda:topic="register_problem" />
    <bpmn:sequenceFlow id="f3" sourceRef="register" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>"""


def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _open_task(instance):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()


def walk(instance, steps):
    for username, data in steps:
        task, actor = _open_task(instance), user(username)
        if task.assignee_id is None:
            tasks.claim(actor, task.id)
        tasks.complete(actor, task.id, data)


def make_consortium(spec, members=()):
    """A consortium approved through the application process; `members` are (name, credit code)."""
    name, district, lead_unit, applicant, leader = spec
    data = demo.application_data(name, name, district, lead_unit, members=1)
    data["members"] += [{"name": n, "credit_code": code, "contact": "李娜", "phone": "13900139000"}
                        for n, code in members]
    case = cases.start_instance(user(applicant), "consortium_application")
    walk(case, [(applicant, data), (leader, OK), (f"district_{district}", OK), ("city", OK)])
    return db.session.execute(select(Consortium).where(Consortium.instance_id == case.id)).scalar_one()


def problem_data(consortium_id, **overrides):
    data = {"consortium_id": consortium_id, "title": "正极材料烧结批次一致性差", "segment": "upstream",
            "link": "原材料", "node": "正极烧结", "products": "NCM811", "description": "缺陷率3.2%。",
            "category": "technology", "reporter_unit_name": "广州测试单位", "reporter_name": "陈工",
            "defect_rate": "3.2", "complaints": 12, "gap_value": "1.1", "gap_unit": "%",
            "technical_roots": ["material", "process"], "management_roots": ["standards"], "is_generic": True,
            "impact_score": 5, "diffusion_score": 4, "urgency_score": 4, "report_date": "2026-03-01"}
    data.update(overrides)
    return data


def register(data, actor=None, instance=None):
    with command(actor) as ctx:
        return commands.register_problem(ctx, instance, data)


def run(fn, *args, actor=None, **kwargs):
    """One library command as its own command (the system's, unless an actor is given)."""
    with command(actor) as ctx:
        return fn(ctx, *args, **kwargs)


def report_through_process(reporter, data, with_file=True):
    """The in-memory report process: `reporter` fills the step (with a PDF), the service task registers.
    Returns (case, the case's data after the service task)."""
    deploy.deploy(user("admin"), REPORT_BPMN, "register_only.bpmn")
    case = cases.start_instance(user(reporter), "register_only")
    task = _open_task(case)
    tasks.claim(user(reporter), task.id)
    files = [FileStorage(stream=io.BytesIO(PDF), filename="检测报告.pdf")] if with_file else []
    tasks.complete(user(reporter), task.id, data, files=files)
    return case


# the shipped report process (bpmn/problem_report.bpmn)
EXPERTS = ("expert1", "expert2", "expert3")


def report_form(consortium_id, **overrides):
    form = {"consortium_id": consortium_id, "title": "谐波减速器柔轮疲劳寿命不足", "segment": "midstream",
            "link": "零部件", "node": "柔轮热处理", "description": "近12个月柔轮早期断裂7起，寿命约为先进水平的60%。",
            "impact_scope": "影响下游机器人整机可靠性。", "category": "technology", "defect_rate": 2.4,
            "technical_roots": ["material", "process"], "management_roots": ["skills"], "is_generic": True,
            "decision": "approve"}
    form.update(overrides)
    return form


def open_rows(case, element=None):
    query = select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.status == TaskStatus.OPEN)
    if element:
        query = query.where(HumanTask.element_id == element)
    return db.session.execute(query.order_by(HumanTask.id)).scalars().all()


def act(username, case, data, element=None):
    """`username` decides the open row of the case meant for them (claiming a group's task first)."""
    actor = user(username)
    rows = [r for r in open_rows(case, element) if r.assignee_id in (None, actor.id)]
    row = next(r for r in rows if r.assignee_id == actor.id) if any(r.assignee_id == actor.id for r in rows) \
        else rows[0]
    if row.assignee_id is None:
        tasks.claim(actor, row.id)
    return tasks.complete(actor, row.id, data)
