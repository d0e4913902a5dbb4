"""The administrators' list of pending messages, and delivering them from it; the case page says what a case waits for."""
from pathlib import Path

from app.services.workflow import cases, deploy, tasks
from tests.services.message_support import open_row

DIAGRAMS = Path(__file__).resolve().parents[1] / "bpmn" / "messages"


def test_a_pending_message_is_listed_then_delivered_from_the_page(app, browser, user):
    admin = user("admin")
    deploy.deploy(admin, (DIAGRAMS / "msg_sender.bpmn").read_bytes(), "msg_sender.bpmn")
    sender = cases.start_instance(user("applicant"), "msg_sender")
    tasks.complete(user("applicant"), open_row(sender, "accept").id, {"verdict": "ok", "target_key": "NONE"})
    page = browser("admin", lang="zh_CN").get("/admin/messages").get_data(as_text=True)
    assert "待投递消息" in page and "acceptance_done" in page and "archive_request" in page
    assert browser("city").get("/admin/messages").status_code == 403
    # a receiver for archive_request is deployed by hand; the page's button delivers what now has one
    deploy.deploy(admin, (DIAGRAMS / "msg_started.bpmn").read_bytes(), "msg_started.bpmn")   # (delivers at once)
    done = browser("admin").post("/admin/messages/deliver", follow_redirects=True).get_data(as_text=True)
    assert "archive_request" not in done and "acceptance_done" in done


def test_the_case_page_says_which_message_the_case_waits_for(app, browser, user):
    deploy.deploy(user("admin"), (DIAGRAMS / "msg_receive_task.bpmn").read_bytes(), "msg_receive_task.bpmn")
    case = cases.start_instance(user("applicant"), "msg_receive_task")
    page = browser("applicant", lang="zh_CN").get(f"/instances/{case.id}").get_data(as_text=True)
    # the waiting step by its name, in the reader's words (the message's name is for the diagram's author)
    waiting = page[page.index('id="waiting-for"'):]
    assert "正在等待" in waiting and "等待验收" in waiting[:200] and "消息" in waiting[:200]
    assert "await_acceptance" in page                                   # marked on the diagram
