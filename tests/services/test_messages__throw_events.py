"""Throw events: a case's message reaches another case in the same transaction, audited on both
sides; a message nobody waits for is kept as pending and delivered when a receiver is deployed."""
import pytest

from app.extensions import db
from app.models import PendingMessage
from app.services.audit import replay
from app.services.command import command
from app.services.workflow import cases, message_routing, messages, tasks
from app.services.workflow.steps import apply_step
from tests.services.message_support import DIAGRAMS, cases_of, deploy_diagram, events, open_row, open_steps


@pytest.fixture
def sender_and_receiver(app, user):
    admin = user("admin")
    for key in ("msg_receive_task", "msg_sender"):
        deploy_diagram(admin, key)
    receiver = cases.start_instance(user("applicant"), "msg_receive_task")
    sender = cases.start_instance(user("applicant"), "msg_sender")
    return sender, receiver


def accept(user, sender, receiver, verdict="passed"):
    row = open_row(sender, "accept")
    tasks.complete(user("applicant"), row.id, {"verdict": verdict, "score": 92, "target_key": receiver.business_key})


def test_a_thrown_message_reaches_the_case_its_business_key_names(sender_and_receiver, user):
    sender, receiver = sender_and_receiver
    accept(user, sender, receiver)
    assert open_steps(receiver) == ["record_result"]
    [received] = events(receiver.id, "message_received")
    assert received.data["variables"] == {"verdict": "passed", "score": 92}       # the payload names these
    assert received.data["source"]["instance"] == sender.id and received.data["source"]["element"] == "notify_project"
    sent = events(sender.id, "message_sent")
    assert [e.element_id for e in sent] == ["notify_project", "archive"]
    assert sent[0].data["targets"] == [{"instance": receiver.id, "business_key": receiver.business_key}]
    # nobody waits for archive_request: not an error, a pending message the sender's trail points to
    assert sender.status == "completed" and sent[1].data["targets"] == [] and sent[1].data["pending"]
    row = db.session.get(PendingMessage, sent[1].data["pending"])
    assert row.name == "archive_request" and row.variables == {"verdict": "passed"} and row.status == "pending"
    assert [r.id for r in messages.pending_messages(user("admin"))] == [row.id]


def test_replay_shows_the_message_on_both_sides(sender_and_receiver, user):
    sender, receiver = sender_and_receiver
    accept(user, sender, receiver)
    auditor = user("auditor")
    sent_steps = [s for s in replay.steps_of(sender) if s.type == "message_sent"]
    assert [s.element_id for s in sent_steps] == ["notify_project", "archive"]
    [received] = [s for s in replay.steps_of(receiver) if s.type == "message_received"]
    assert "await_acceptance" in received.completed and received.data["verdict"] == "passed"
    assert replay.reexecute(auditor, receiver).ok and replay.reexecute(auditor, sender).ok


def test_the_delivery_is_undone_with_the_senders_command(sender_and_receiver, user):
    sender, receiver = sender_and_receiver
    admin = user("admin")
    with pytest.raises(RuntimeError):
        with command(admin) as ctx:
            message_routing.deliver_message(ctx, "acceptance_done", {"verdict": "x"}, {"actor": "admin"}, apply_step,
                                            receiver.business_key)
            assert open_steps(receiver) == ["record_result"]          # delivered inside the command …
            raise RuntimeError("the sender's command fails after the delivery")
    db.session.expire_all()
    assert open_steps(receiver) == [] and events(receiver.id, "message_received") == []   # … and undone with it
    assert receiver.status == "running"


def test_a_pending_message_is_delivered_when_a_receiver_is_deployed(sender_and_receiver, user):
    sender, receiver = sender_and_receiver
    accept(user, sender, receiver)
    [row] = messages.pending_messages(user("admin"))
    deploy_diagram(user("admin"), "msg_started")          # its message start event receives archive_request
    db.session.refresh(row)
    [started] = cases_of("msg_started")
    assert row.status == "delivered" and row.delivered_to_id == started.id
    assert open_steps(started) == ["file_it"] and messages.pending_messages(user("admin")) == []
    [received] = events(started.id, "message_received")
    assert received.data["source"]["pending"] == row.id and received.data["variables"] == {"verdict": "passed"}


def test_flask_deploy_prints_the_message_warnings(app, tmp_path):
    folder = tmp_path / "bpmn"
    folder.mkdir()
    (folder / "msg_started.bpmn").write_bytes((DIAGRAMS / "msg_started.bpmn").read_bytes())
    output = app.test_cli_runner().invoke(args=["deploy", "--folder", str(folder)]).output
    assert "msg_started v1 deployed" in output and "warning:" in output and "archive_request" in output
