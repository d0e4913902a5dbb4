"""Correlating a message (Camunda's rules): one receiver is delivered to, none and several are clear
errors, and the delivery belongs to the sender's transaction."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import trail as audit
from app.services.errors import Forbidden
from app.services.workflow import cases, messages, tasks
from app.services.workflow.messages import MessageAmbiguous, MessageNotCorrelated
from tests.services.message_support import deploy_diagram, events, open_row, open_steps, subscribed


@pytest.fixture
def waiting_cases(app, user):
    deploy_diagram(user("admin"), "msg_receive_task")
    return [cases.start_instance(user("applicant"), "msg_receive_task") for _ in range(2)]


def test_a_waiting_case_subscribes_and_exactly_one_receiver_is_delivered_to(waiting_cases, user):
    first, second = waiting_cases
    assert subscribed(first) == [("message", "acceptance_done", "await_acceptance")]
    [target] = messages.correlate(user("admin"), "acceptance_done", business_key=first.business_key,
                                  variables={"verdict": "passed"})
    assert target.id == first.id
    assert open_steps(first) == ["record_result"] and open_steps(second) == []
    assert subscribed(first) == [] and subscribed(second) != []
    [received] = events(first.id, "message_received")
    assert received.data["variables"] == {"verdict": "passed"} and received.data["path"] == ["await_acceptance"]
    assert received.data["source"] == {"actor": "admin"}
    sent = db.session.execute(select(AuditEvent).where(AuditEvent.chain == audit.SYSTEM,
                                                       AuditEvent.type == "message_sent")).scalars().one()
    assert sent.data["targets"] == [{"instance": first.id, "business_key": first.business_key}]
    task = tasks.get_task(user("city"), open_row(first, "record_result").id)
    assert cases.task_data(task)["verdict"] == "passed"        # the variables reached the case's data


def test_no_receiver_is_a_clear_not_found(waiting_cases, user):
    with pytest.raises(MessageNotCorrelated) as refused:
        messages.correlate(user("admin"), "acceptance_done", business_key="NO-SUCH-KEY")
    assert refused.value.status == 404 and "acceptance_done" in refused.value.message
    with pytest.raises(MessageNotCorrelated):
        messages.correlate(user("admin"), "nobody_waits_for_this")


def test_two_waiting_receivers_are_refused_unless_all(waiting_cases, user):
    with pytest.raises(MessageAmbiguous) as refused:
        messages.correlate(user("admin"), "acceptance_done")
    assert refused.value.status == 409 and "2" in refused.value.message
    assert all(open_steps(case) == [] for case in waiting_cases)          # nothing was delivered
    delivered = messages.correlate(user("admin"), "acceptance_done", all=True)
    assert sorted(c.id for c in delivered) == sorted(c.id for c in waiting_cases)
    assert all(open_steps(case) == ["record_result"] for case in waiting_cases)


def test_correlation_keys_match_case_variables_by_equality(waiting_cases, user):
    first, second = waiting_cases
    messages.correlate(user("admin"), "acceptance_done", business_key=first.business_key,
                       variables={"project_no": "P-7"})
    # neither waits any more; a key that no waiting case holds finds nobody
    with pytest.raises(MessageNotCorrelated):
        messages.correlate(user("admin"), "acceptance_done", correlation_keys={"initiator": "someone_else"})
    [target] = messages.correlate(user("admin"), "acceptance_done", correlation_keys={"initiator": "applicant"})
    assert target.id == second.id


def test_only_people_the_receiving_process_allows_may_send(waiting_cases, user):
    with pytest.raises(Forbidden):
        messages.correlate(user("city"), "acceptance_done", business_key=waiting_cases[0].business_key)
    assert open_steps(waiting_cases[0]) == []
    # the process's starters (applicants) may: messageSenderGroups is not set
    messages.correlate(user("applicant"), "acceptance_done", business_key=waiting_cases[0].business_key)
    assert open_steps(waiting_cases[0]) == ["record_result"]
