"""Demo data of the achievement sharing library, through bpmn/achievement_admission.bpmn as in
production: members of the 智能装备 and 新能源汽车 consortia apply, the managing body reviews
(once with experts) and decides the share level. Eight achievements, two at each level; one of
them delisted after the managing body's review; an exclusive licence in force (with its first
revenue) on one of the paid ones; one application still waiting for the managing body. (The
新能源汽车 project accepted in demo_projects.py opened its own admission case, waiting for its
lead unit to fill in the form.) Needs the demo's consortia and problems. Idempotent."""
import io
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from .. import localtime
from ..extensions import db
from ..models import Achievement, Consortium, HumanTask, LicenceAgreement, ProcessInstance, QualityProblem, User
from ..models.states import ShareCondition, ShareLevel, TaskStatus
from .registries.achievements import licence_requests, requests
from .workflow import tasks

PROOF = b"%PDF-1.4\n% ChainQ demo proof\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
REVIEWED = {"decision": "approve", "rights_clear": True, "no_dispute": True, "information_true": True,
            "opinion": "权属清晰，证明材料齐全。"}

# (contributor, consortium name prefix, name, kind, ip type, right status, certificate, level, conditions, summary)
ACHIEVEMENTS = [
    ("applicant", "智能装备", "工业机器人关节模组可靠性试验方法", "standard", "standard", "registered",
     "T/GZQA 012-2026", ShareLevel.PUBLIC, ShareCondition.FREE,
     "规定关节模组加速寿命试验、温升试验与精度保持性试验的方法。"),
    ("applicant2", "新能源汽车", "电池包气密性检测典型案例", "typical_case", "none", "none", "",
     ShareLevel.PUBLIC, ShareCondition.FREE, "整车厂与电池厂联合改进气密性检测工位，泄漏误判率由2.1%降至0.3%。"),
    ("applicant", "智能装备", "谐波减速器柔轮热处理工艺", "technical_secret", "trade_secret", "none", "",
     ShareLevel.CONSORTIUM, ShareCondition.FREE, "柔轮渗氮与回火工艺参数窗口，疲劳寿命由60万次提升至110万次。"),
    ("applicant2", "新能源汽车", "正极材料烧结批次一致性控制方案", "solution", "none", "none", "",
     ShareLevel.CONSORTIUM, ShareCondition.FREE, "烧结炉温场分区控制与来料分级，批次一致性合格率提升至99.2%。"),
    ("applicant", "智能装备", "伺服电机编码器抗干扰专利", "patent", "invention_patent", "granted", "ZL202510123456.7",
     ShareLevel.DIRECTED, ShareCondition.AGREEMENT, "编码器信号差分屏蔽与自适应滤波结构，抗干扰等级达到4级。"),
    ("applicant2", "新能源汽车", "电驱系统NVH仿真数据库", "database", "software_copyright", "registered",
     "2026SR0456789", ShareLevel.DIRECTED, ShareCondition.AGREEMENT, "覆盖12款电驱总成的阶次噪声与模态数据。"),
    ("applicant", "智能装备", "高精度减速器齿形修形软件", "software_copyright", "software_copyright", "registered",
     "2026SR0123456", ShareLevel.PAID, ShareCondition.PAID, "按载荷谱自动计算齿形修形量，传动误差降低35%。"),
    ("applicant2", "新能源汽车", "电池热失控预警算法", "patent", "invention_patent", "granted", "ZL202110765432.1",
     ShareLevel.PAID, ShareCondition.PAID, "基于电压与温升速率的热失控早期预警，提前量不少于5分钟。"),
]
DELISTED = "电池热失控预警算法"
LICENSED = "高精度减速器齿形修形软件"


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _open(case, username):
    actor = _user(username)
    rows = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).scalars()
    row = next(r for r in rows if r.assignee_id in (None, actor.id))
    if row.assignee_id is None:
        tasks.claim(actor, row.id)
    return actor, row


def _decide(case, username, data, files=()):
    actor, row = _open(case, username)
    tasks.complete(actor, row.id, data, files=files)


def _form(consortium, problem_id, spec):
    contributor, _prefix, name, kind, ip_type, right_status, certificate, level, conditions, summary = spec
    data = {"consortium_id": consortium.id, "name": name, "contributor_name": consortium.lead_unit_name,
            "kind": kind, "summary": summary, "technical_indicators": "详见证明材料。",
            "application_scenarios": "本产业链上下游企业。", "ip_type": ip_type, "right_status": right_status,
            "certificate_number": certificate, "right_owner": consortium.lead_unit_name if certificate else "",
            "share_level": level, "share_conditions": conditions, "contact_name": "陈工",
            "contact_phone": "13800138000", "commitment": True, "decision": "approve"}
    if problem_id is not None:
        data["problem_id"] = problem_id
    if level == ShareLevel.PAID:
        data["conditions_text"] = "按许可协议收取许可费，首付加年度提成。"
    return data


def _apply(spec, consortium, problem_id):
    task_id = requests.apply_directly(_user(spec[0]))
    case = db.session.get(HumanTask, task_id).instance
    _decide(case, spec[0], _form(consortium, problem_id, spec),
            files=[FileStorage(stream=io.BytesIO(PROOF), filename="证明材料.pdf", content_type="application/pdf")])
    return case


def _publish(case, spec, with_experts=False):
    _decide(case, "manager", dict(REVIEWED, experts="expert1,expert2") if with_experts else REVIEWED)
    if with_experts:
        for name in ("expert1", "expert2"):
            _decide(case, name, {"decision": "approve", "opinion": "成果成熟，建议入库。"})
    _decide(case, "manager", {"decision": "approve", "share_level": spec[7], "share_conditions": spec[8],
                              "opinion": "同意入库。"})


def _exclusive_licence(achievement):
    """新能源汽车's parts maker licenses the gear-shaping software exclusively for e-drive reducers in
    Guangdong for a year: applied, accepted, confirmed by both parties, registered (in force)."""
    today = localtime.today()
    licence = licence_requests.apply_for_licence(_user("applicant2"), achievement.id, {
        "licence_type": "exclusive", "territory": "广东省", "field_of_use": "新能源汽车电驱减速器",
        "term_from": today.isoformat(), "term_to": (today + timedelta(days=365)).isoformat(),
        "fee_amount": "200000.00", "payment_schedule": "签订后30日内支付50%，验收后支付其余50%。",
        "duties": "许可方交付软件并培训；被许可方保密，不得再许可。", "liability": "违约方赔偿守约方全部损失。",
        "dispute_resolution": "协商不成的，提交广州仲裁委员会仲裁。"})
    case = db.session.get(ProcessInstance, licence.instance_id)
    _decide(case, "applicant", {"decision": "approve", "opinion": "同意独占许可。"})
    text = db.session.get(LicenceAgreement, licence.id).text_sha256
    licence_requests.confirm_licence(_user("applicant2"), licence.id, text)
    licence_requests.confirm_licence(_user("applicant"), licence.id, text)
    _decide(case, "manager", {"decision": "approve", "opinion": "予以登记。"})
    licence_requests.record_revenue(_user("applicant"), licence.id, today.isoformat(), "100000.00", "首期许可费")


def _problem_of(consortium):
    return db.session.execute(select(QualityProblem.id).where(QualityProblem.consortium_id == consortium.id)
                              .order_by(QualityProblem.number)).scalars().first()


def seed_achievements():
    """The demo achievements; 0 if the library has some (or the demo consortia are missing)."""
    if db.session.execute(select(Achievement.id).where(Achievement.instance_id.is_not(None),
                                                       Achievement.status != "under_review").limit(1)).first():
        return 0
    consortia = {}
    for prefix in ("智能装备", "新能源汽车"):
        consortia[prefix] = db.session.execute(select(Consortium).where(
            Consortium.name.startswith(prefix))).scalars().first()
    if None in consortia.values():
        return 0
    cases = []
    for index, spec in enumerate(ACHIEVEMENTS):
        consortium = consortia[spec[1]]
        case = _apply(spec, consortium, _problem_of(consortium))
        _publish(case, spec, with_experts=index == 4)
        cases.append(case)
    delisted = next(c for c, s in zip(cases, ACHIEVEMENTS, strict=True) if s[2] == DELISTED)
    achievement = db.session.execute(select(Achievement).where(Achievement.instance_id == delisted.id)).scalar_one()
    requests.request_delisting(_user("manager"), achievement.id, "专利权人未缴年费，专利权已终止。")
    _decide(delisted, "manager", {"decision": "approve", "opinion": "专利权已终止，予以下架。"})
    licensed = next(c for c, s in zip(cases, ACHIEVEMENTS, strict=True) if s[2] == LICENSED)
    _exclusive_licence(db.session.execute(select(Achievement).where(Achievement.instance_id == licensed.id))
                       .scalar_one())
    waiting = _apply(("applicant", "智能装备", "关节模组装配质量追溯系统", "software_copyright", "software_copyright",
                      "examination", "", ShareLevel.CONSORTIUM, ShareCondition.FREE,
                      "装配工序扫码追溯与扭矩数据自动采集。"), consortia["智能装备"], None)
    return len(cases) + 1 if waiting is not None else len(cases)
