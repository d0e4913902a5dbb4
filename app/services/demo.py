"""Demo accounts and cases for `make run`: one account per role, and cases at
several steps so every page has something to show. Idempotent."""
import functools
import hashlib

from sqlalchemy import select

from .. import localtime
from ..domain.credit_code import make_credit_code
from ..domain.districts import DISTRICTS, district_office_group
from ..extensions import db
from ..models import Consortium, HumanTask, ProcessInstance, User
from ..models.states import TaskStatus
from .command import command
from .demo_problems import seed_problems as _seed_problems
from .identity.permissions import ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY
from .identity.users import ensure_group, ensure_unit, ensure_user
from .workflow import cases, definitions, tasks, timer_jobs

DEMO_PASSWORD = "chainq123"

UNITS = [  # key, name, type, district
    ("gz_smart_equipment", "广州智能装备集团有限公司", "chain_owner", "huangpu"),
    ("gz_auto_parts", "广州新能源汽车零部件有限公司", "chain_owner", "panyu"),
    ("gz_testing_institute", "广州市质量检测研究院", "technical_institution", "tianhe"),
]


def credit_code_for(seed):
    """A stable, valid credit code per demo unit (check characters computed, not invented)."""
    organisation = f"{int(hashlib.sha256(seed.encode('utf-8')).hexdigest(), 16) % 10**8:08d}"
    return make_credit_code("91440101" + organisation)


def seed_accounts():
    # the demo password is published: outside demo mode each account must choose its own at first login
    account = functools.partial(ensure_user, must_change=True)
    with command():
        groups = {
            ADMINS: ensure_group(ADMINS, "系统管理员"),
            AUDITORS: ensure_group(AUDITORS, "审计人员"),
            CITY_OFFICE: ensure_group(CITY_OFFICE, "市质量强市工作领导小组办公室"),
            "applicants": ensure_group("applicants", "申报单位"),
            "experts": ensure_group("experts", "专家"),
            MANAGING_BODY: ensure_group(MANAGING_BODY, "产业链质量库管理机构"),
        }
        for code, (zh, _en) in DISTRICTS.items():
            groups[district_office_group(code)] = ensure_group(
                district_office_group(code), f"{zh}质量强区工作领导小组办公室", "district")
        account("admin", "系统管理员", DEMO_PASSWORD, [groups[ADMINS]])
        account("auditor", "审计员", DEMO_PASSWORD, [groups[AUDITORS]])
        account("city", "市办审核员", DEMO_PASSWORD, [groups[CITY_OFFICE]])
        account("city2", "市办副主任", DEMO_PASSWORD, [groups[CITY_OFFICE]])
        account("manager", "问题库管理员", DEMO_PASSWORD, [groups[MANAGING_BODY]])
        for i, name in enumerate(["王教授", "李研究员", "陈高工", "刘博士", "赵工程师"], start=1):
            account(f"expert{i}", f"{name}（专家）", DEMO_PASSWORD, [groups["experts"]])
        for code, (zh, _en) in DISTRICTS.items():
            account(f"district_{code}", f"{zh}办审核员", DEMO_PASSWORD,
                    [groups[district_office_group(code)]], district=code)
        for i, (key, name, kind, district) in enumerate(UNITS, start=1):
            # a credit code of its own: it is how a member of a consortium is recognised
            unit = ensure_unit(key, name, kind, credit_code=credit_code_for(name), district=district)
            leader_group = ensure_group(f"unit_leader:{key}", f"{name} 负责人", "unit")
            suffix = "" if i == 1 else str(i)
            account(f"applicant{suffix}", f"{name[:6]}申报人", DEMO_PASSWORD, [groups["applicants"]], unit)
            account(f"leader{suffix}", f"{name[:6]}负责人", DEMO_PASSWORD, [leader_group], unit)


def application_data(name, domain, district, lead_unit, members=3):
    return {
        "consortium_name": f"{name}产业链质量创新联合体", "chain_domain": domain, "district": district,
        "lead_unit_name": lead_unit, "lead_unit_type": "chain_owner",
        "lead_unit_credit_code": credit_code_for(lead_unit), "lead_person": "张伟",
        "phone": "020-38880000", "mobile": "13800138000",
        "members": [{"name": f"{domain}成员单位{i}", "credit_code": credit_code_for(f"{name}{i}"),
                     "contact": "李娜", "phone": "13900139000"} for i in range(1, members + 1)],
        "goals": "三年内关键零部件合格率由95%提升至99%，形成行业质量标准2项。",
        "work_plan": "第一年完成质量图谱绘制和问题库建设；第二年组织联合攻关；第三年推广成果并开展绩效评价。",
    }


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _open_task(instance):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()


def _walk(instance, steps):
    """Complete a case's open steps in turn, as the named users."""
    for username, data in steps:
        task = _open_task(instance)
        actor = _user(username)
        if task.assignee_id is None:
            tasks.claim(actor, task.id)
        tasks.complete(actor, task.id, data)



def seed_cases():
    if db.session.execute(select(ProcessInstance.id).limit(1)).first():
        return 0
    applicant, applicant2 = _user("applicant"), _user("applicant2")
    ok = {"decision": "approve", "opinion": "同意。"}
    # 1. approved all the way: creates a consortium record
    a = cases.start_instance(applicant, "consortium_application")
    _walk(a, [("applicant", application_data("智能装备", "智能装备", "huangpu", UNITS[0][1])),
              ("leader", ok), ("district_huangpu", ok), ("city", {"decision": "approve", "opinion": "同意组建。"})])
    # 2. waiting for the district office, after one return for revision
    b = cases.start_instance(applicant2, "consortium_application")
    data_b = application_data("新能源汽车", "新能源汽车", "panyu", UNITS[1][1])
    _walk(b, [("applicant2", data_b), ("leader2", ok),
              ("district_panyu", {"decision": "return", "opinion": "成员单位信息不完整，请补充。"}),
              ("applicant2", data_b), ("leader2", ok)])
    # 3. a draft the applicant has not submitted yet
    c = cases.start_instance(applicant, "consortium_application")
    tasks.save_draft(applicant, _open_task(c).id, {"consortium_name": "超高清视频产业链质量创新联合体"})
    return 3 + seed_expert_reviews()


def seed_problems():
    """The problem library's demo data (app/services/demo_problems.py); 0 if it has some."""
    return _seed_problems(_walk, _user, application_data)


def seed_problem_processes():
    """Problem reports at each stage, and the yearly library review opened at the start of this
    year (as the scheduler would have, had the app been running then). Needs the demo's consortia
    and problems (seed_problems); 0 if there are reports already."""
    if db.session.execute(select(ProcessInstance.id).where(
            ProcessInstance.process_key == "problem_report").limit(1)).first():
        return 0
    return _seed_problem_reports() + seed_timer_started_review()


def _report_data(consortium_key, title, node):
    consortium = db.session.execute(select(Consortium).where(Consortium.name.startswith(consortium_key))).scalar_one()
    return {"consortium_id": consortium.id, "title": title, "segment": "midstream", "link": "制造", "node": node,
            "products": "工业机器人关节模组", "category": "technology", "defect_rate": 2.4, "complaints": 18,
            "description": f"{node}工序批次一致性差，近12个月不良率2.4%，高于行业先进水平约1个百分点，客户投诉18件。",
            "impact_scope": "影响下游整机企业的交付与可靠性。", "technical_roots": ["process"],
            "management_roots": ["skills"], "decision": "approve"}


def _seed_problem_reports():
    """A report waiting for screening; one scored by one expert of three; one graded, waiting for
    the managing body to confirm it."""
    applicant = _user("applicant")
    scores = {"impact": 4, "diffusion": 4, "urgency": 3, "decision": "approve", "opinion": "建议列为重要问题。"}
    screened = {"decision": "approve", "experts": "expert1,expert2,expert3", "opinion": "资料齐全，送专家评分。"}
    reports = []
    for title, node in (("谐波减速器柔轮疲劳寿命不足", "柔轮热处理"), ("伺服驱动器高温降额过早", "功率模块散热"),
                        ("机器人关节编码器抗干扰能力弱", "编码器装配")):
        case = cases.start_instance(applicant, "problem_report")
        tasks.complete(applicant, _open_task(case).id, _report_data("智能装备", title, node))
        reports.append(case)
    _walk(reports[1], [("manager", screened)])
    _decide(reports[1], "expert1", scores)
    _walk(reports[2], [("manager", screened)])
    for name in ("expert1", "expert2", "expert3"):
        _decide(reports[2], name, dict(scores, urgency=4 if name == "expert3" else 3))
    return len(reports)


def seed_timer_started_review():
    definition = definitions.latest("problem_library_review")
    year_start = localtime.local(timer_jobs.now()).replace(month=1, day=4, hour=9, minute=0, second=0, microsecond=0)
    with command() as ctx:
        started = cases.start_by_timer(ctx, definition, "year_begins", year_start)
    return len(started)


def _decide(instance, username, data):
    rows = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
    row = next(r for r in rows if r.assignee and r.assignee.username == username)
    tasks.complete(_user(username), row.id, data)


def seed_expert_reviews():
    """Cases of the expert review, organised by the managing body, showing every approval mode at work."""
    organiser = _user("manager")
    ok, no = {"decision": "approve", "opinion": "同意。"}, {"decision": "reject", "opinion": "数据不足。"}

    def request(title):
        case = cases.start_instance(organiser, "expert_review")
        tasks.complete(organiser, _open_task(case).id, {
            "title": title, "summary": "评审材料已提交：正文、编制说明与征求意见汇总，请各位专家审阅。",
            "experts": "expert1,expert2,expert3", "decision": "approve"})
        return case
    countersign = request("《工业机器人关节模组》团体标准草案评审")      # waiting: 1 of 3 experts signed
    _decide(countersign, "expert1", ok)
    vote = request("年度产业链质量提升优秀案例评选")                  # waiting: the panel votes (4 of 5 so far)
    for name in ("expert1", "expert2", "expert3"):
        _decide(vote, name, ok)
    _decide(vote, "expert4", ok)
    _decide(vote, "expert5", no)
    sequential = request("质量技术服务机构能力评审")                  # waiting: the second leader
    for name in ("expert1", "expert2", "expert3"):
        _decide(sequential, name, ok)
    for name in ("expert1", "expert2", "expert3"):
        _decide(sequential, name, ok)
    _decide(sequential, "city", ok)
    return 3
