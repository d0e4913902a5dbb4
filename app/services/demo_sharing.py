"""Demo directed sharing requests (standard 5.6.2) on the demo library's two directed achievements
(app/services/demo_achievements.py), through the request command and the case's consent step:

- 伺服电机编码器抗干扰专利 (applicant's unit): `applicant2` asked; it waits in the inbox of
  `applicant` and `leader` (贡献方审核共享申请);
- 电驱系统NVH仿真数据库 (applicant2's unit): `applicant3` asked and `leader2` consented for 90 days
  (in force: applicant3 reads it); `applicant` asked and `applicant2` refused.
"""
from sqlalchemy import select

from ..extensions import db
from ..models import AccessGrant, Achievement, HumanTask, ProcessInstance, User
from ..models.states import AchievementStatus, ShareLevel, TaskStatus
from .registries.achievements.sharing_requests import request_sharing
from .workflow import tasks

ENCODER = "伺服电机编码器抗干扰专利"
NVH = "电驱系统NVH仿真数据库"


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _achievement(name):
    return db.session.execute(select(Achievement).where(
        Achievement.name == name, Achievement.status == AchievementStatus.PUBLISHED,
        Achievement.share_level == ShareLevel.DIRECTED)).scalars().first()


def _answer(grant, username, decision, opinion):
    actor = _user(username)
    case = db.session.get(ProcessInstance, grant.instance_id)
    row = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == TaskStatus.OPEN)).scalars().first()
    tasks.claim(actor, row.id)
    tasks.complete(actor, row.id, {"decision": decision, "opinion": opinion})


def seed_sharing():
    """The demo requests; 0 if there are some already (or the demo achievements are missing)."""
    if db.session.execute(select(AccessGrant.id).limit(1)).first() is not None:
        return 0
    encoder, nvh = _achievement(ENCODER), _achievement(NVH)
    if encoder is None or nvh is None:
        return 0
    encoder_id, nvh_id = encoder.id, nvh.id
    request_sharing(_user("applicant2"), encoder_id, "评估编码器抗干扰结构在本公司电驱控制器上的适用性。", 60)
    granted = request_sharing(_user("applicant3"), nvh_id, "用于电驱总成NVH检测方法研究，不作商业用途。", 90)
    _answer(granted, "leader2", "approve", "同意，仅限检测方法研究使用，不得向第三方提供。")
    refused = request_sharing(_user("applicant"), nvh_id, "对标本公司减速器噪声数据。", 30)
    _answer(refused, "applicant2", "reject", "数据涉及合作整车厂的保密信息，暂不对联合体外共享。")
    return 3
