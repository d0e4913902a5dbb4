"""The licence pages: the apply form (a conflict keeps what was typed, naming the agreement), the
licence page with its confirmation button and revenue form for the right people only, the printable
agreement, and "my licences"."""
from app.extensions import db
from app.models import Consortium
from app.models.states import LicenceStatus
from app.services.workflow import tasks
from tests.licence_support import apply, case_of, licence, paid_achievement, step, terms, to_in_force
from tests.problem_support import open_rows, user
from tests.project_support import make_project


def test_apply_then_confirm_from_the_licence_page(app, browser):
    achievement_id = paid_achievement()
    licensee = browser("applicant2", lang="zh")
    form = licensee.get(f"/achievements/{achievement_id}/licences/new")
    assert form.status_code == 200 and 'name="territory"' in form.get_data(as_text=True)
    sent = licensee.post(f"/achievements/{achievement_id}/licences/new", data=terms(licence_type="exclusive"))
    assert sent.status_code == 302
    licence_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    page = licensee.get(f"/licences/{licence_id}").get_data(as_text=True)
    assert "排他实施许可" in page and "已申请" in page and 'id="licence-confirm"' not in page
    other = browser("applicant3", lang="zh")
    conflict = other.post(f"/achievements/{achievement_id}/licences/new", data=terms(territory="全国"))
    text = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and licence(licence_id).number in text and 'value="全国"' in text
    assert other.get(f"/licences/{licence_id}").status_code == 404
    assert browser("applicant", lang="zh").get(f"/achievements/{achievement_id}/licences/new").status_code == 403
    step(licence(licence_id), "contributor_review", "applicant", {"decision": "approve"})
    page = licensee.get(f"/licences/{licence_id}").get_data(as_text=True)
    assert 'id="licence-confirm"' in page and licence(licence_id).text_sha256 in page
    assert licensee.post(f"/licences/{licence_id}/confirm",
                         data={"agreement_sha256": licence(licence_id).text_sha256}).status_code == 302
    contributor = browser("applicant", lang="en")
    assert 'id="licence-confirm"' in contributor.get(f"/licences/{licence_id}").get_data(as_text=True)
    refused = contributor.post(f"/licences/{licence_id}/confirm", data={"agreement_sha256": "f" * 64},
                               follow_redirects=True)
    assert "is not the accepted text" in refused.get_data(as_text=True)


def test_the_page_lists_revenue_with_its_total_and_prints_the_agreement(app, browser):
    achievement_id = paid_achievement()
    row = to_in_force(apply(achievement_id).id)
    assert row.status == LicenceStatus.IN_FORCE
    manager = browser("manager", lang="zh")
    assert manager.post(f"/licences/{row.id}/revenue", data={"received_on": "2026-12-01", "amount": "1200.50"}
                        ).status_code == 302
    bad = manager.post(f"/licences/{row.id}/revenue", data={"received_on": "2026-12-01", "amount": "-5"},
                       follow_redirects=True).get_data(as_text=True)
    assert "大于0" in bad
    page = manager.get(f"/licences/{row.id}").get_data(as_text=True)
    assert 'id="licence-revenue-total">1200.50<' in page and "已生效" in page
    licensee = browser("applicant2", lang="zh")
    assert 'id="licence-revenue-form"' not in licensee.get(f"/licences/{row.id}").get_data(as_text=True)
    printed = licensee.get(f"/licences/{row.id}/print").get_data(as_text=True)
    assert "成果共享许可协议" in printed and row.text_sha256 in printed and "data-print" in printed
    assert printed.count(row.text_sha256) >= 3              # the text's hash and both confirmations
    mine = licensee.get("/my/licences").get_data(as_text=True)
    assert row.number in mine
    english = browser("applicant", lang="en").get("/my/licences").get_data(as_text=True)
    assert "As licensor" in english and row.number in english


def test_a_project_of_a_unit_earning_from_paid_sharing_shows_the_priority_badge(app, browser):
    achievement_id = paid_achievement()
    row = licence(apply(achievement_id).id)
    consortium = db.session.get(Consortium, row.achievement.consortium_id)
    project = make_project(consortium, "GZ-XM-IEQ-2026-901", status="proposed")
    db.session.commit()
    manager = browser("manager", lang="zh")
    assert 'id="project-sharing-priority"' not in manager.get(f"/projects/{project.id}").get_data(as_text=True)
    to_in_force(row.id)
    page = manager.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="project-sharing-priority"' in page and "有偿共享优先" in page


def test_the_steps_show_the_terms_read_only_and_the_confirmation_form_carries_the_hash(app, browser):
    row = apply(paid_achievement())
    contributor = browser("applicant", lang="zh")
    [review] = open_rows(case_of(row), "contributor_review")
    page = contributor.get(f"/tasks/{review.id}").get_data(as_text=True)
    assert "贡献方审核许可条款" in page and "广东省" in page and "排他实施许可" not in page
    tasks.claim(user("applicant"), review.id)
    assert "接受条款" in contributor.get(f"/tasks/{review.id}").get_data(as_text=True)
    step(row, "contributor_review", "applicant", {"decision": "approve"})
    [confirm] = open_rows(case_of(row), "licensee_confirm")
    page = browser("applicant2", lang="zh").get(f"/tasks/{confirm.id}").get_data(as_text=True)
    assert licence(row.id).text_sha256 in page and "确认协议" in page
    instance = browser("applicant2", lang="en").get(f"/instances/{row.instance_id}").get_data(as_text=True)
    assert "Licensee confirms the agreement" in instance


def test_bad_ids_and_strangers_get_404_never_500(app, browser):
    row = apply(paid_achievement())
    stranger = browser("applicant3", lang="en")
    for url in ("/licences/0", "/licences/99999999999999999999999", f"/licences/{row.id}",
                f"/licences/{row.id}/print", "/achievements/99999999999999999999/licences/new"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/licences/{row.id}/revenue", data={"amount": "x"}).status_code == 404
    assert stranger.post(f"/licences/{row.id}/confirm", data={}).status_code == 404
