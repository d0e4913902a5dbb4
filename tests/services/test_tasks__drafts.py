"""Drafts and the names of new cases: a case not yet submitted is named by its draft; its
business key carries the local (Guangzhou) day it was started."""
from datetime import datetime, timezone

from app.extensions import db
from app.services import command as command_module
from app.services.workflow import cases, tasks


def test_a_draft_names_a_new_case_until_it_is_submitted(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    task = open_task(instance)
    assert instance.title == "" and task.instance_title == ""
    tasks.save_draft(applicant, task.id, {"consortium_name": "超高清视频产业链质量创新联合体"})
    assert instance.title == task.instance_title == "超高清视频产业链质量创新联合体"
    tasks.save_draft(applicant, task.id, {"consortium_name": "改过名的联合体"})
    assert instance.title == "改过名的联合体"
    form = application_form()
    tasks.complete(applicant, task.id, form)
    assert instance.title == form["consortium_name"]
    review = open_task(instance)
    tasks.claim(user("leader"), review.id)
    tasks.complete(user("leader"), review.id, {"decision": "return", "opinion": "请修改"})
    revision = open_task(instance)
    tasks.save_draft(applicant, revision.id, {**form, "consortium_name": "退回后草稿里的新名字"})
    db.session.refresh(instance)
    assert instance.title == form["consortium_name"]       # once submitted, only a submission renames it


def test_the_business_key_carries_the_local_day(app, user, monkeypatch):
    late_evening_utc = datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)     # 01:30 on the 26th in Guangzhou
    monkeypatch.setattr(command_module, "utcnow", lambda: late_evening_utc)
    instance = cases.start_instance(user("applicant"), "consortium_application")
    assert "-20261126-" in instance.business_key
