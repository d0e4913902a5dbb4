"""Helpers for the achievement library's tests: achievements registered and published through the
library's commands (no admission case), on the consortia of tests/problem_support.py
(A: the `applicant`/`leader` unit, Huangpu; B: the `applicant2`/`leader2` unit, Panyu)."""
import io

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Achievement, Attachment, HumanTask
from app.models.states import ShareCondition, ShareLevel, TaskStatus
from app.services.command import command
from app.services.registries.achievements import admission, requests
from app.services.workflow import tasks
from tests.problem_support import PDF, user


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


REVIEWED = {"decision": "approve", "rights_clear": True, "no_dispute": True, "information_true": True,
            "opinion": "权属清晰。"}


def _act(case, username, data, files=()):
    actor = user(username)
    row = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).scalars().first()
    if row.assignee_id is None:
        tasks.claim(actor, row.id)
    tasks.complete(actor, row.id, data, files=files)


def admitted(consortium, level, contributor="applicant", **overrides):
    """An achievement admitted through bpmn/achievement_admission.bpmn with one proof file and
    published at `level`: (achievement id, the proof's token)."""
    case = db.session.get(HumanTask, requests.apply_directly(user(contributor))).instance
    conditions = ShareCondition.PAID if level == ShareLevel.PAID else ShareCondition.FREE
    data = achievement_data(consortium.id, share_level=level, share_conditions=conditions, **overrides)
    data.pop("contributor_user")
    _act(case, contributor, {**data, "decision": "approve"},
         files=[FileStorage(stream=io.BytesIO(PDF), filename="专利证书.pdf")])
    _act(case, "manager", REVIEWED)
    _act(case, "manager", {"decision": "approve", "share_level": level, "share_conditions": conditions})
    achievement = db.session.execute(select(Achievement).where(Achievement.instance_id == case.id)).scalar_one()
    token = db.session.execute(select(Attachment.token).where(Attachment.instance_id == case.id)).scalar_one()
    return achievement.id, token
