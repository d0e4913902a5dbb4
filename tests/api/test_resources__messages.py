"""POST /api/v1/messages and /api/v1/signals, the pending list, and the deploy's message warnings."""
import io
from pathlib import Path

from app.services.workflow import cases

from .conftest import assert_error_shape

DIAGRAMS = Path(__file__).resolve().parents[1] / "bpmn" / "messages"


def upload(client, headers, key):
    return client.post("/api/v1/definitions", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO((DIAGRAMS / f"{key}.bpmn").read_bytes()), f"{key}.bpmn")})


def send(client, headers, **body):
    return client.post("/api/v1/messages", headers=headers, json=body)


def test_a_message_reaches_its_one_receiver_and_the_errors_say_why_not(client, auth, user):
    assert upload(client, auth("admin"), "msg_receive_task").get_json()["warnings"] == []   # declared in apiMessages
    first, second = (cases.start_instance(user("applicant"), "msg_receive_task") for _ in range(2))
    assert_error_shape(send(client, auth("admin"), messageName="acceptance_done"), 409)        # two wait
    assert_error_shape(send(client, auth("admin"), messageName="acceptance_done", businessKey="NOPE"), 404)
    assert_error_shape(send(client, auth("city"), messageName="acceptance_done",
                            businessKey=first.business_key), 403)                               # not a sender
    assert_error_shape(send(client, auth("admin"), businessKey=first.business_key), 422)      # no name
    response = send(client, auth("applicant"), messageName="acceptance_done", businessKey=first.business_key,
                    processVariables={"verdict": "passed"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"delivered": [{"id": first.id, "businessKey": first.business_key,
                                                  "processKey": "msg_receive_task", "status": "running"}]}
    response = send(client, auth("admin"), messageName="acceptance_done", all=True)
    assert [d["id"] for d in response.get_json()["delivered"]] == [second.id]


def test_a_signal_is_broadcast_and_starts_signal_start_processes(client, auth):
    upload(client, auth("admin"), "sig_started")
    response = client.post("/api/v1/signals", headers=auth("admin"),
                           json={"signalName": "policy_changed", "processVariables": {"policy": "v1"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    [started] = response.get_json()["delivered"]
    assert started["processKey"] == "sig_started"
    nobody = client.post("/api/v1/signals", headers=auth("admin"), json={"signalName": "nobody_listens"})
    assert nobody.status_code == 200 and nobody.get_json() == {"delivered": []}


def test_the_deploy_warns_of_a_message_nobody_sends_and_pending_messages_are_listed(client, auth, user):
    body = upload(client, auth("admin"), "msg_started").get_json()
    assert body["created"] and len(body["warnings"]) == 1 and "archive_request" in body["warnings"][0]
    upload(client, auth("admin"), "msg_sender")          # now a deployed process throws it …
    assert upload(client, auth("admin"), "msg_started").get_json()["warnings"] == []   # … (unchanged: no new version)
    assert client.get("/api/v1/messages/pending", headers=auth("admin")).get_json() == []
    assert_error_shape(client.get("/api/v1/messages/pending", headers=auth("city")), 403)
    retried = client.post("/api/v1/messages/pending/deliveries", headers=auth("admin"))
    assert retried.status_code == 200 and retried.get_json() == {"delivered": []}
