"""Helpers for the achievement library's tests: achievements registered and published through the
library's commands (no admission case), on the consortia of tests/problem_support.py
(A: the `applicant`/`leader` unit, Huangpu; B: the `applicant2`/`leader2` unit, Panyu)."""
from app.models.states import ShareCondition, ShareLevel
from app.services.command import command
from app.services.registries.achievements import admission
from tests.problem_support import user


def achievement_data(consortium_id, **overrides):
    data = {"consortium_id": consortium_id, "name": "谐波减速器柔轮长寿命热处理工艺", "contributor_name": "广州智能装备集团有限公司",
            "kind": "patent", "summary": "柔轮疲劳寿命由60万次提升至110万次的热处理工艺。",
            "technical_indicators": "疲劳寿命≥100万次", "application_scenarios": "工业机器人关节减速器",
            "ip_type": "invention_patent", "right_status": "granted", "certificate_number": "ZL202610000001.1",
            "right_owner": "广州智能装备集团有限公司", "right_expires_on": "2046-03-01",
            "share_level": ShareLevel.PUBLIC, "share_conditions": ShareCondition.FREE, "conditions_text": "",
            "contact_name": "陈工", "contact_phone": "13800138000", "commitment": True,
            "contributor_user": "applicant"}
    data.update(overrides)
    return data


def make_achievement(consortium, level=ShareLevel.PUBLIC, contributor="applicant", publish=True, **overrides):
    """An achievement of `consortium` contributed by `contributor`, published at `level` by the
    managing body (or left under review)."""
    conditions = ShareCondition.PAID if level == ShareLevel.PAID else ShareCondition.FREE
    data = achievement_data(consortium.id, contributor_user=contributor, share_level=level,
                            share_conditions=conditions, **overrides)
    with command(None) as ctx:
        achievement = admission.register_achievement(ctx, None, data)
        achievement_id = achievement.id
    if publish:
        with command(user("manager")) as ctx:
            admission.publish(ctx, achievement_id, level, conditions, "", "同意入库。")
    return achievement_id
