"""Demo data of the quality problem library: a consortium per chain (through the application
process, as in production) and twenty problems across grades and statuses, entered, moved on,
re-graded, linked, merged and delisted through the library's own commands. Idempotent."""
from sqlalchemy import select

from ..extensions import db
from ..models import Consortium, QualityProblem
from .command import command
from .registries.problems import commands as problems
from .workflow import cases

# chain code -> (consortium name and domain, district, lead unit, initiator, whose leader gives the opinion)
CONSORTIA = {
    "IEQ": ("智能装备", "huangpu", "广州智能装备集团有限公司", "applicant", "leader"),
    "NEV": ("新能源汽车", "panyu", "广州新能源汽车零部件有限公司", "applicant2", "leader2"),
    "UHD": ("超高清视频", "tianhe", "广州超高清显示科技有限公司", "applicant", "leader"),
    "BIO": ("生物医药", "huangpu", "广州生物医药创新研究院", "applicant", "leader"),
    "SEMI": ("半导体", "nansha", "广州芯片制造有限公司", "applicant", "leader"),
}

# chain, segment, link, node, title, products, category, (impact, diffusion, urgency),
# (defect %, failure %, complaints, gap value, gap unit, gap text), technical roots, management roots,
# generic, reporter unit, reporter, the status it reaches
PROBLEMS = [
    ("NEV", "upstream", "原材料", "正极材料烧结", "高镍正极材料烧结批次一致性差", "NCM811正极材料", "technology", (5, 4, 4.5),
     (3.2, None, None, 1.1, "%", "缺陷率高于行业先进水平1.1个百分点"), ["material", "process"], ["standards"], True,
     "广州新能源汽车零部件有限公司", "陈工", "in_breakthrough"),
    ("NEV", "midstream", "零部件", "电驱系统装配", "电驱总成NVH异响投诉偏高", "永磁同步电驱总成", "technology", (4, 4, 3),
     (None, 0.8, 126, None, "", ""), ["design"], ["process"], False, "广州新能源汽车零部件有限公司", "黄工", "analysing"),
    ("NEV", "midstream", "制造", "电池包气密检测", "电池包气密检测漏检", "动力电池包", "infrastructure", (4, 3, 4),
     (0.6, None, None, None, "", ""), ["process"], ["skills"], False, "广州动力电池系统有限公司", "林工", "solved"),
    ("NEV", "downstream", "服务", "充电桩运维", "公共充电桩故障率高、响应慢", "直流快充桩", "management", (3, 3, 2),
     (None, 4.5, 310, None, "", ""), [], ["process", "skills"], False, "广州新能源汽车零部件有限公司", "周经理", "identified"),
    ("NEV", "midstream", "零部件", "电驱系统装配", "电驱总成异响（重复上报）", "永磁同步电驱总成", "technology", (3, 3, 3),
     (None, 0.7, 40, None, "", ""), ["design"], [], False, "广州汽车电机有限公司", "吴工", "merged"),
    ("UHD", "upstream", "核心器件", "驱动芯片", "8K显示驱动芯片依赖进口", "8K电视驱动IC", "technology", (5, 5, 4),
     (None, None, None, 2, "代", "与国际先进水平相差约两代工艺"), ["design", "material"], ["standards"], True,
     "广州超高清显示科技有限公司", "郑博士", "in_breakthrough"),
    ("UHD", "midstream", "制造", "面板贴合", "OLED模组贴合良率偏低", "OLED显示模组", "technology", (4, 3, 3),
     (5.8, None, None, 3, "%", "良率低于先进水平3个百分点"), ["process"], ["skills"], False,
     "广州新型显示模组有限公司", "何工", "analysing"),
    ("UHD", "downstream", "应用", "超高清内容制作", "超高清内容制作标准不统一", "4K/8K节目制作", "brand", (3, 4, 2),
     (None, None, 58, None, "", ""), [], ["standards"], True, "广州超高清视频产业协会", "孙秘书长", "identified"),
    ("UHD", "downstream", "销售", "售后服务", "电视售后网点覆盖不足", "8K电视整机", "management", (2, 2, 2),
     (None, None, 35, None, "", ""), [], ["process"], False, "广州视听电器有限公司", "马经理", "delisted"),
    ("BIO", "upstream", "原材料", "培养基", "细胞培养基批间差异大", "无血清培养基", "technology", (4, 4, 4),
     (2.5, None, None, None, "", ""), ["material"], ["standards"], True, "广州生物医药创新研究院", "罗研究员", "analysing"),
    ("BIO", "midstream", "制造", "无菌灌装", "无菌灌装环境监测数据不完整", "注射剂", "infrastructure", (4, 3, 4),
     (None, None, None, None, "", "数据完整性不满足GMP附录要求"), ["process"], ["process", "skills"], False,
     "广州医药制造有限公司", "梁主管", "identified"),
    ("BIO", "midstream", "检测", "生物活性检测", "生物活性检测方法未标准化", "单克隆抗体", "infrastructure", (3, 4, 3),
     (None, None, None, None, "", ""), ["process"], ["standards"], True, "广州市质量检测研究院", "谢工", "solved"),
    ("BIO", "downstream", "流通", "冷链配送", "疫苗冷链温度偏离", "疫苗", "management", (3, 2, 3),
     (None, 1.2, 12, None, "", ""), [], ["process"], False, "广州医药物流有限公司", "邓经理", "identified"),
    ("IEQ", "upstream", "零部件", "精密减速器", "工业机器人精密减速器寿命不足", "RV减速器", "technology", (5, 4, 4),
     (None, 2.1, None, 6000, "小时", "寿命低于国际先进水平约6000小时"), ["material", "design"], ["skills"], True,
     "广州智能装备集团有限公司", "许工", "in_breakthrough"),
    ("IEQ", "midstream", "制造", "伺服电机装配", "伺服电机编码器装配一致性差", "伺服电机", "technology", (3, 3, 3),
     (1.8, None, None, None, "", ""), ["process"], ["skills"], False, "广州伺服驱动有限公司", "冯工", "identified"),
    ("IEQ", "downstream", "服务", "远程运维", "数控机床远程运维数据接口不统一", "数控机床", "brand", (2, 3, 2),
     (None, None, 20, None, "", ""), ["design"], ["standards"], False, "广州数控设备有限公司", "曾经理", "identified"),
    ("SEMI", "upstream", "原材料", "光刻胶", "高端光刻胶国产化率低", "ArF光刻胶", "technology", (5, 5, 5),
     (None, None, None, 90, "%", "进口依赖度约90%"), ["material"], ["standards"], True, "广州芯片制造有限公司", "蔡博士",
     "analysing"),
    ("SEMI", "midstream", "制造", "晶圆键合", "晶圆键合空洞率偏高", "12英寸晶圆", "technology", (4, 4, 3),
     (1.5, None, None, None, "", ""), ["process"], ["skills"], False, "广州芯片制造有限公司", "潘工", "identified"),
    ("SEMI", "midstream", "封测", "可靠性试验", "车规级芯片可靠性验证能力不足", "车规MCU", "infrastructure", (4, 3, 3),
     (None, None, None, None, "", "缺少AEC-Q100全项验证能力"), ["process"], ["standards"], True,
     "广州半导体封测有限公司", "彭工", "identified"),
    ("SEMI", "downstream", "应用", "芯片选型", "国产芯片下游验证周期长", "工业控制芯片", "other", (2, 2, 3),
     (None, None, None, 12, "个月", "验证周期约12个月"), [], ["process"], False, "广州工控系统有限公司", "袁经理", "identified"),
]

ON_THE_WAY = {"identified": [], "analysing": ["analysing"], "in_breakthrough": ["analysing", "in_breakthrough"],
              "solved": ["analysing", "in_breakthrough", "solved"], "merged": [], "delisted": []}
REASONS = {"analysing": "管理机构组织原因分析。", "in_breakthrough": "攻关项目已立项。", "solved": "攻关项目已通过验收。"}


def _consortium(code, walk, user_named, application_data):
    """The consortium of a chain: the one the demo has, or one made through the application process."""
    name, district, lead_unit, applicant, leader = CONSORTIA[code]
    found = db.session.execute(select(Consortium).where(Consortium.chain_domain == name)
                               .order_by(Consortium.id).limit(1)).scalar_one_or_none()
    if found is not None:
        return found.id
    data = application_data(name, name, district, lead_unit)
    ok = {"decision": "approve", "opinion": "同意。"}
    case = cases.start_instance(user_named(applicant), "consortium_application")
    walk(case, [(applicant, data), (leader, ok), (f"district_{district}", ok), ("city", ok)])
    return db.session.execute(select(Consortium.id).where(Consortium.instance_id == case.id)).scalar_one()


def _data(row, consortium_id):
    (chain, segment, link, node, title, products, category, (impact, diffusion, urgency),
     (defect, failure, complaints, gap, gap_unit, gap_text), tech, mgmt, generic, unit, reporter, _status) = row
    return {"consortium_id": consortium_id, "chain": chain, "segment": segment, "link": link, "node": node,
            "title": title, "products": products, "category": category, "impact_score": impact,
            "diffusion_score": diffusion, "urgency_score": urgency, "defect_rate": defect, "failure_rate": failure,
            "complaints": complaints, "gap_value": gap, "gap_unit": gap_unit, "gap_text": gap_text,
            "technical_roots": tech, "management_roots": mgmt, "is_generic": generic, "reporter_unit_name": unit,
            "reporter_name": reporter, "report_date": "2026-03-%02d" % (PROBLEMS.index(row) + 1),
            "description": f"{node}环节：{title}。", "impact_scope": f"影响{products}及其下游应用。",
            "impact_degree": "影响产品合格率和市场竞争力。",
            "technical_root_text": "工艺参数窗口窄，关键材料性能波动。" if tech else "",
            "management_root_text": "相关标准和作业规程不完善。" if mgmt else "",
            "suggestion": "组织产业链上下游联合攻关，完善标准和检测方法。"}


def seed_problems(walk, user_named, application_data):
    """Twenty demo problems (0 if the library has any). `walk` completes a case's steps as named users,
    `user_named` finds a user, `application_data` builds an App. A form (all from app/services/demo.py)."""
    if db.session.execute(select(QualityProblem.id).limit(1)).first():
        return 0
    consortia = {code: _consortium(code, walk, user_named, application_data) for code in CONSORTIA}
    ids = []
    for row in PROBLEMS:
        with command() as ctx:
            ids.append(problems.register_problem(ctx, None, _data(row, consortia[row[0]]))["problem_id"])
    with command() as ctx:
        for problem_id, row in zip(ids, PROBLEMS, strict=True):
            for status in ON_THE_WAY[row[-1]]:
                problems.set_problem_status(ctx, problem_id, status, reason=REASONS[status])
        problems.merge_problem(ctx, ids[4], ids[1], reason="年度复核：与电驱总成异响问题重复，合并。")
        problems.delist_problem(ctx, ids[8], reason="年度复核：企业已自行整改，不再列入问题库。")
        problems.link_problems(ctx, ids[0], ids[2])
        problems.link_problems(ctx, ids[16], ids[18])
        problems.regrade_problem(ctx, ids[3], 3, 3, 3, reason="年度复核：投诉量上升，重新评分。")
    return len(ids)
