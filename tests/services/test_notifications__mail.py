"""Notifications reach people in the app, and by e-mail when an SMTP server is configured."""
import socketserver
import threading
from email import message_from_string, policy

import pytest

from app.services.errors import ValidationFailed
from app.services.identity import users
from app.services.workflow import cases, tasks, timer_jobs


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages (a real server on 127.0.0.1, no mocks)."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        data = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data:
                if line == b".\r\n":
                    data = False
                    self.server.messages.append(b"".join(self.server.current).decode("utf-8", "replace"))
                    self.server.current = []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    self.server.current.append(line)
                continue
            verb = line.split(b" ")[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.messages, server.current = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.server_address[1])
    yield server
    app.config.update(SMTP_HOST="")
    server.shutdown()
    server.server_close()


def test_new_tasks_are_mailed_after_the_step_commits(smtp, user, open_task, application_form):
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    smtp.messages.clear()
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    assert len(smtp.messages) == 1
    assert "leader@chainq.example" in smtp.messages[0] and "Subject: [ChainQ]" in smtp.messages[0]


def test_a_rolled_back_step_sends_nothing(smtp, user, open_task, application_form, monkeypatch):
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    smtp.messages.clear()

    def fail(*_args):         # after the new task (and its notification) was written
        raise RuntimeError("injected failure")
    monkeypatch.setattr(timer_jobs, "sync_jobs", fail)
    with pytest.raises(RuntimeError):
        tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    assert smtp.messages == [] and open_task(case).element_id == "fill_application"
    monkeypatch.undo()
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    assert len(smtp.messages) == 1


def test_a_mail_server_that_is_down_loses_no_step(app, user, open_task, application_form):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)          # nothing listens there
    try:
        applicant = user("applicant")
        case = cases.start_instance(applicant, "consortium_application")
        tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
        assert open_task(case).element_id == "lead_unit_opinion"
    finally:
        app.config.update(SMTP_HOST="")


def test_each_recipient_is_mailed_in_the_language_they_chose(smtp, app, user, open_task, application_form):
    """The lead unit's leader, who chose English, is mailed in English; in Chinese once they choose it."""
    leader = user("leader")
    with pytest.raises(ValidationFailed):
        users.set_language(leader, "fr")
    users.set_language(leader, "en")
    applicant = user("applicant")
    case = cases.start_instance(applicant, "consortium_application")
    smtp.messages.clear()
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    mails = [message_from_string(raw, policy=policy.default) for raw in smtp.messages]
    [mail] = [m for m in mails if "leader@chainq.example" in m["To"]]
    assert mail["Subject"].startswith("[ChainQ] New task: ") and "New task: " in mail.get_content()
    users.set_language(user("leader"), "zh_CN")
    smtp.messages.clear()
    case = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(case).id, application_form("tianhe"))
    [raw] = [m for m in smtp.messages if "leader@chainq.example" in m]
    assert message_from_string(raw, policy=policy.default)["Subject"].startswith("[ChainQ] 新任务：")
