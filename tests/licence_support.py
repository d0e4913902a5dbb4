"""Helpers for the licence agreement tests: a paid achievement of consortium A (contributed by
`applicant`, Huangpu unit), terms, and the licence case walked step by step through its tasks."""
from datetime import date, timedelta

from app import localtime
from app.extensions import db
from app.models import LicenceAgreement, ProcessInstance
from app.models.states import ShareLevel
from app.services.registries.achievements import licence_requests
from app.services.workflow import tasks
from tests.achievement_support import make_achievement
from tests.problem_support import A, make_consortium, open_rows, user


def terms(**overrides):
    today = localtime.today()
    data = {"licence_type": "ordinary", "territory": "广东省", "field_of_use": "工业机器人减速器",
            "term_from": today.isoformat(), "term_to": (today + timedelta(days=30)).isoformat(),
            "fee_amount": "50000.00", "payment_schedule": "签订后30日内一次性支付。",
            "duties": "甲方交付工艺文件并提供技术支持；乙方保密，不得擅自许可第三方，反馈应用效果。",
            "liability": "违约方赔偿守约方损失。", "dispute_resolution": "协商不成的，提交广州仲裁委员会仲裁。"}
    data.update(overrides)
    return data


def paid_achievement():
    return make_achievement(make_consortium(A), ShareLevel.PAID)


def licence(licence_id):
    db.session.expire_all()
    return db.session.get(LicenceAgreement, licence_id)


def case_of(licence_row):
    return db.session.get(ProcessInstance, licence_row.instance_id)


def step(licence_row, element, username, data):
    """`username` completes the case's open step `element` (claiming it first if it is a group task)."""
    [row] = open_rows(case_of(licence_row), element)
    actor = user(username)
    if row.assignee_id is None:
        tasks.claim(actor, row.id)
    return tasks.complete(actor, row.id, data)


def apply(achievement_id, applicant="applicant2", **overrides):
    return licence_requests.apply_for_licence(user(applicant), achievement_id, terms(**overrides))


def to_in_force(licence_id, contributor="applicant", licensee="applicant2"):
    """Accept, both confirm the accepted text, the managing body registers."""
    row = licence(licence_id)
    step(row, "contributor_review", contributor, {"decision": "approve", "opinion": "同意许可。"})
    row = licence(licence_id)
    licence_requests.confirm_licence(user(licensee), licence_id, row.text_sha256)
    licence_requests.confirm_licence(user(contributor), licence_id, row.text_sha256)
    step(row, "register_review", "manager", {"decision": "approve", "opinion": "予以登记。"})
    return licence(licence_id)


def later(days):
    return localtime.today() + timedelta(days=days)


def as_date(text):
    return date.fromisoformat(text)
