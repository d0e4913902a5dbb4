"""Approvers of one step deciding at the same moment, over real HTTP, on PostgreSQL.

A countersign or vote step has one inbox row per approver; whoever completes a
row checks the step's other rows to see whether the step is now decided. When
two approvers commit at the same moment, each can read the other's row as still
open (read committed): both signatures are saved, neither decides, and the case
waits forever with no open row. These tests drive a gunicorn server with several
worker processes from concurrent clients (one connection and one bearer token
per person, released together by a barrier), then read every case from the
database: its step decided exactly once, nothing left waiting without an open
row, its audit chain intact, and no answer other than 200 or a clean 409.

A 409 is what a real user sees when someone else acted at the same moment; the
client then reloads the task and, while it is still open, sends the action again
(as a person would). A 409 is fine only if the case still ends decided.
"""
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance, TimerJob, User
from app.models.jobs import JobStatus
from app.models.states import InstanceStatus, TaskStatus
from app.services.audit import trail as audit
from app.services.identity import users
from app.services.workflow import timer_firing
from tests.support import database_url, make_app, reset_database

from .live_server import LiveServer

pytestmark = pytest.mark.postgres_only

EXPERTS = [f"expert{n}" for n in range(1, 6)]
PEOPLE = ["admin", "applicant", *EXPERTS]
# gunicorn worker processes (production runs `gunicorn -w 4`): one per voter, so that the five
# votes of a case are served at the same moment rather than four of them and then the fifth
WORKERS = 5
STEP = "sign"               # the element id of the step with several approvers in every diagram here
OUTCOME = {"approve": "approved", "reject": "not_approved"}


def diagram(key, approvers, mode, properties="", due_date=""):
    """start → one step with several approvers → approved / not_approved (either ends the case)."""
    due = f' camunda:dueDate="{due_date}"' if due_date else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="{key}_definitions"
    targetNamespace="https://chainq.example/test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{STEP}" />
    <bpmn:userTask id="{STEP}" name="专家签署 Experts sign" camunda:candidateUsers="{",".join(approvers)}"
        camunda:formKey="review_opinion"{due}>
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="approvalMode" value="{mode}" />{properties}
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="{STEP}" targetRef="result" />
    <bpmn:exclusiveGateway id="result" />
    <bpmn:sequenceFlow id="f3" sourceRef="result" targetRef="approved">
      <bpmn:conditionExpression>${{decision == 'approve'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="result" targetRef="not_approved">
      <bpmn:conditionExpression>${{decision != 'approve'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="approved" />
    <bpmn:endEvent id="not_approved" />
  </bpmn:process>
</bpmn:definitions>""".encode()


@dataclass
class Live:
    server: LiveServer
    tokens: dict
    app: object

    def client(self, username):
        return self.server.client(self.tokens[username])


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A gunicorn server with several workers on a PostgreSQL database of this test process
    (skipped like every PostgreSQL test when no server answers, failed with CHAINQ_REQUIRE_POSTGRES=1)."""
    folder = tmp_path_factory.mktemp("live")
    app = make_app(database_url("postgresql", folder), folder)
    with app.app_context():
        reset_database()
        people = db.session.execute(select(User).where(User.username.in_(PEOPLE))).scalars().all()
        tokens = {person.username: users.issue_token(person) for person in people}
        db.session.remove()
        with LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], folder, workers=WORKERS) as server:
            yield Live(server, tokens, app)
        db.session.remove()
        db.engine.dispose()


# --- what the clients do -------------------------------------------------------------------------

def deploy(live, key, xml):
    status, body = live.client("admin").post(f"/api/v1/definitions?filename={key}.bpmn", body=xml,
                                             content_type="application/xml")
    assert status == 201, body


def start_cases(live, key, count):
    """Start `count` cases as the applicant (four clients at a time); their ids in start order."""
    local = threading.local()

    def start(_n):
        if not hasattr(local, "client"):
            local.client = live.client("applicant")
        status, body = local.client.post("/api/v1/instances", {"process_key": key})
        assert status == 201, body
        return body["id"]
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(start, range(count)))


def open_rows(live, key, usernames):
    """{case id: {username: task id}} from each approver's inbox."""
    found = {}
    for username in usernames:
        client, page = live.client(username), 1
        while True:
            status, body = client.get(f"/api/v1/tasks?process={key}&per_page=100&page={page}")
            assert status == 200, body
            for item in body["items"]:
                found.setdefault(item["instance_id"], {})[username] = item["id"]
            if page * 100 >= body["total"]:
                break
            page += 1
    return found


@dataclass
class Answers:
    """The HTTP answers one person got for one action (the first attempt and any retries)."""
    who: str
    statuses: list = field(default_factory=list)
    bodies: list = field(default_factory=list)


def act_like_a_user(client, answers, send, task_id=None, attempts=8):
    """Send an action; on a 409 about task `task_id`, reload the task and, while it is still
    open, send the action again. Without a task (urging a case) a 409 is taken as the answer."""
    for _attempt in range(attempts):
        status, body = send(client)
        answers.statuses.append(status)
        answers.bodies.append(body if status != 200 else None)
        if status != 409 or task_id is None:
            return answers
        status, task = client.get(f"/api/v1/tasks/{task_id}")
        if status != 200 or task["status"] != TaskStatus.OPEN:
            return answers
        time.sleep(random.uniform(0.005, 0.03))
    return answers


def sign(task_id, decision="approve"):
    def send(client):
        return client.post(f"/api/v1/tasks/{task_id}/complete",
                           {"data": {"decision": decision, "opinion": f"{decision} ({task_id})"}})
    return send


def together(live, actions, also=None):
    """Run [(username, send, task id or None)] at the same moment, each on its own connection
    opened beforehand, released by one barrier; `also()`, if given, runs in one more thread
    released by the same barrier (the scheduler). Returns the Answers of the actions."""
    barrier = threading.Barrier(len(actions) + (1 if also else 0))
    results = [Answers(who) for who, _send, _task in actions]
    failures = []

    def run(index):
        who, send, task_id = actions[index]
        client = live.client(who).connect()
        try:
            barrier.wait(timeout=60)
            act_like_a_user(client, results[index], send, task_id)
        except BaseException as exc:      # reported by the caller, not lost in the thread
            failures.append(f"{who}: {type(exc).__name__}: {exc}")
        finally:
            client.close()

    def run_also():
        try:
            barrier.wait(timeout=60)
            also()
        except BaseException as exc:
            failures.append(f"also: {type(exc).__name__}: {exc}")
    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(actions))]
    if also:
        threads.append(threading.Thread(target=run_also))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return results


def race_cases(live, cases, plan, parallel):
    """Each case's race, `parallel` cases at a time: plan(case id, rows) -> [(who, send, task id)].
    Returns {case id: [Answers]}."""
    with ThreadPoolExecutor(parallel) as pool:
        return dict(pool.map(lambda item: (item[0], together(live, plan(*item))), cases))


# --- what every case must look like afterwards ------------------------------------------------------

@dataclass
class Case:
    """A case as the database holds it after the race."""
    id: int
    status: str
    outcome: str
    rows: list            # (task id, status, assignee) of the step's rows
    events: list          # (type, element id, data) in chain order
    chain_ok: bool

    def of_type(self, kind):
        return [data for type_, element, data in self.events if type_ == kind and element == STEP]


def read_cases(case_ids):
    """The cases as committed, read fresh from the database (not from this session's memory)."""
    db.session.remove()
    ids = list(case_ids)
    usernames = dict(db.session.execute(select(User.id, User.username)).all())
    rows, events = {}, {}
    for task in db.session.execute(select(HumanTask).where(HumanTask.instance_id.in_(ids),
                                                           HumanTask.element_id == STEP)
                                   .order_by(HumanTask.id)).scalars():
        rows.setdefault(task.instance_id, []).append((task.id, task.status, usernames.get(task.assignee_id)))
    for event in db.session.execute(select(AuditEvent).where(AuditEvent.instance_id.in_(ids))
                                    .order_by(AuditEvent.instance_id, AuditEvent.seq)).scalars():
        events.setdefault(event.instance_id, []).append((event.type, event.element_id, event.data))
    cases = {}
    for instance in db.session.execute(select(ProcessInstance).where(ProcessInstance.id.in_(ids))).scalars():
        cases[instance.id] = Case(instance.id, instance.status, instance.outcome, rows.get(instance.id, []),
                                  events.get(instance.id, []), audit.verify_chain(audit.chain_of(instance.id)).ok)
    db.session.remove()
    return cases


def _clean_conflict(body):
    """The API's one error shape, saying what happened (not a traceback, not an HTML page)."""
    return isinstance(body, dict) and body.get("code") == 409 and bool(body.get("message"))


def problems_of(case, answers, expected=None, every_row_signed=False):
    """What is wrong with one case after its race: [] when nothing.

    expected: the decision the step must have had; every_row_signed: each completed row is
    one signature or the deciding one (a person completed every row, nobody decided by policy)."""
    problems = []
    decided = case.of_type("task_completed")
    signatures = case.of_type("signature_recorded")
    open_ = [r for r in case.rows if r[1] == TaskStatus.OPEN]
    completed = [r for r in case.rows if r[1] == TaskStatus.COMPLETED]
    if case.status == InstanceStatus.RUNNING and not open_:
        problems.append(f"stuck: running with no open row ({len(completed)} rows completed, "
                        f"{len(signatures)} signature_recorded, {len(decided)} task_completed)")
    if len(decided) != 1:
        problems.append(f"decided {len(decided)} times")
    elif expected and decided[0]["decision"] != expected:
        problems.append(f"wrong decision: {decided[0]['decision']}, expected {expected}")
    if len(decided) == 1 and (case.status, case.outcome) != (InstanceStatus.COMPLETED, OUTCOME[decided[0]["decision"]]):
        problems.append(f"not ended after the decision: {case.status} {case.outcome!r}")
    if open_ and case.status != InstanceStatus.RUNNING:
        problems.append(f"open rows on an ended case: {open_}")
    if every_row_signed and len(decided) == 1 and len(signatures) != len(completed) - 1:
        problems.append(f"miscounted: {len(completed)} rows completed, {len(signatures)} signature_recorded + 1")
    if not case.chain_ok:
        problems.append("audit chain broken")
    unclean = [(a.who, s, b) for a in answers for s, b in zip(a.statuses, a.bodies, strict=True)
               if s not in (200, 409) or (s == 409 and not _clean_conflict(b))]
    if unclean:
        problems.append(f"unclean answers: {unclean}")
    return problems


def assert_all_decided_once(live, kind, answers, log_mark, expected=None, every_row_signed=False):
    """answers: {case id: [Answers]}. One message for every case that went wrong: how many,
    which kinds of problem, a few examples; and no error in the server's log."""
    cases = read_cases(answers)
    bad = {}
    for case_id, given in answers.items():
        found = problems_of(cases[case_id], given, (expected or {}).get(case_id), every_row_signed)
        if found:
            bad[case_id] = found
    errors = live.server.errors_logged(since=log_mark)
    kinds = Counter(problem.split(":")[0] for found in bad.values() for problem in found)
    assert not bad and not errors, (f"{kind}: {len(bad)} of {len(answers)} cases wrong {dict(kinds)}; "
                                    f"e.g. {list(bad.items())[:4]}; server errors: {errors[:5]}")


# --- many cases: two countersigning experts, five voters --------------------------------------------

COUNTERSIGNS = 100
VOTES = 40
# Five votes per case (A: approve, R: reject). A pass rate of 0.6 needs three of five, so three
# approvals always pass and three rejections always fail, whatever the order the votes commit in.
# A 3:2 split is decided only by the last vote of its majority; two of its voters who each miss
# the other's vote leave it undecided. Unanimous and 4:1 cases decide early: the third vote
# decides, and later voters find the step closed (a clean 409).
VOTE_PATTERNS = ["AAARR", "RRRAA", "AAAAA", "ARARA", "RARAR", "RRRRA", "AARRR", "AAAAR"]


def test_two_experts_countersigning_at_the_same_moment_decide_the_step_once(live):
    key, mark = "race_countersign", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:2], "countersign"))
    case_ids = start_cases(live, key, COUNTERSIGNS)
    rows = open_rows(live, key, EXPERTS[:2])
    assert all(set(rows[c]) == set(EXPERTS[:2]) for c in case_ids), "each case has one row per expert"

    def plan(_case_id, mine):
        return [(who, sign(mine[who]), mine[who]) for who in EXPERTS[:2]]
    answers = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=2)
    assert_all_decided_once(live, "countersign of 2 experts", answers, mark,
                            expected={c: "approve" for c in case_ids}, every_row_signed=True)


def test_five_experts_voting_at_the_same_moment_decide_the_step_once(live):
    key, mark = "race_vote", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS, "vote", '<camunda:property name="votePassRate" value="0.6" />'))
    case_ids = start_cases(live, key, VOTES)
    rows = open_rows(live, key, EXPERTS)
    assert all(set(rows[c]) == set(EXPERTS) for c in case_ids), "each case has one row per voter"
    votes = {c: VOTE_PATTERNS[n % len(VOTE_PATTERNS)] for n, c in enumerate(case_ids)}

    def plan(case_id, mine):
        return [(who, sign(mine[who], "approve" if vote == "A" else "reject"), mine[who])
                for who, vote in zip(EXPERTS, votes[case_id], strict=True)]
    answers = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=2)
    expected = {c: "approve" if votes[c].count("A") >= 3 else "reject" for c in case_ids}
    assert_all_decided_once(live, "vote of 5 experts at 0.6", answers, mark, expected=expected,
                            every_row_signed=True)


# --- the same pattern in the actions around a signature ---------------------------------------------

FOCUSED = 12        # cases per focused race


def finish_open_rows(live, case_ids, answers):
    """After a race, whoever still has an open row of the step approves (one at a time)."""
    db.session.remove()
    usernames = dict(db.session.execute(select(User.id, User.username)).all())
    waiting = db.session.execute(select(HumanTask.instance_id, HumanTask.id, HumanTask.assignee_id).where(
        HumanTask.instance_id.in_(list(case_ids)), HumanTask.element_id == STEP, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.id)).all()
    db.session.remove()
    for case_id, task_id, assignee_id in waiting:
        who = usernames[assignee_id]
        answers[case_id].append(act_like_a_user(live.client(who), Answers(who), sign(task_id), task_id))


def test_removing_a_signer_while_the_others_sign_decides_the_step_once(live):
    """减签 at the moment the remaining approvers sign: the remover or the last signer decides."""
    key, mark = "race_remove_signer", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:3], "countersign"))
    case_ids = start_cases(live, key, FOCUSED)
    rows = open_rows(live, key, EXPERTS[:3])

    def plan(_case_id, mine):
        def remove(client):
            return client.delete(f"/api/v1/tasks/{mine['expert3']}/signers/expert3?reason=%E5%9B%9E%E9%81%BF")
        return [("expert1", sign(mine["expert1"]), mine["expert1"]),
                ("expert2", sign(mine["expert2"]), mine["expert2"]),
                ("admin", remove, mine["expert3"])]
    answers = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=1)
    finish_open_rows(live, case_ids, answers)
    assert_all_decided_once(live, "remove a signer while the others sign", answers, mark,
                            expected={c: "approve" for c in case_ids})


def test_adding_a_signer_while_the_last_one_signs_decides_the_step_once(live):
    """加签 at the moment the last approver signs: either the step is decided, or the new signer
    joins it (and decides it later); never both, never neither."""
    key, mark = "race_add_signer", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:2], "countersign",
                              '<camunda:property name="signerChanges" value="allowed" />'))
    case_ids = start_cases(live, key, FOCUSED)
    rows = open_rows(live, key, EXPERTS[:2])
    first = live.client("expert1")
    for case_id in case_ids:
        status, body = first.post(f"/api/v1/tasks/{rows[case_id]['expert1']}/complete",
                                  {"data": {"decision": "approve"}})
        assert status == 200, body

    def plan(_case_id, mine):
        def add(client):
            return client.post(f"/api/v1/tasks/{mine['expert2']}/signers", {"user": "expert3", "reason": "补充专家"})
        return [("expert2", sign(mine["expert2"]), mine["expert2"]), ("admin", add, mine["expert2"])]
    answers = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=2)
    finish_open_rows(live, case_ids, answers)
    assert_all_decided_once(live, "add a signer while the last one signs", answers, mark,
                            expected={c: "approve" for c in case_ids})


def test_urging_while_both_experts_sign_decides_the_step_once(live):
    """催办 (it marks the open rows as urged) at the moment both approvers sign."""
    key, mark = "race_urge", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:2], "countersign"))
    case_ids = start_cases(live, key, FOCUSED)
    rows = open_rows(live, key, EXPERTS[:2])

    def plan(case_id, mine):
        def urge(client):
            return client.post(f"/api/v1/instances/{case_id}/urge", {"note": "请尽快处理"})
        return [*[(who, sign(mine[who]), mine[who]) for who in EXPERTS[:2]], ("applicant", urge, None)]
    answers = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=1)
    assert_all_decided_once(live, "urge while both experts sign", answers, mark,
                            expected={c: "approve" for c in case_ids})


def test_a_timeout_approving_one_row_while_its_sibling_signs_decides_the_step_once(live):
    """The step's due time passes (timeoutPolicy auto_approve) at the moment an approver signs:
    the scheduler's command (timer_firing.fire_due, in this process, as the scheduler process runs it)
    and the approver's request race for the same step."""
    key, mark = "race_timeout", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:2], "countersign",
                              '<camunda:property name="timeoutPolicy" value="auto_approve" />', due_date="PT1H"))
    answers, case_ids = {}, []
    for _n in range(FOCUSED):
        # one case at a time: the scheduler fires what is due, and only this case's jobs are
        [case_id] = start_cases(live, key, 1)
        case_ids.append(case_id)
        mine = open_rows(live, key, EXPERTS[:2])[case_id]
        db.session.remove()
        due = db.session.execute(select(func.max(TimerJob.due_at)).where(
            TimerJob.instance_id == case_id, TimerJob.kind == "task_due")).scalar()
        db.session.remove()
        assert due is not None, "each row has a due job"

        def scheduler(moment=due):
            with live.app.app_context():
                timer_firing.fire_due(at=moment)
                db.session.remove()
        answers[case_id] = together(live, [("expert1", sign(mine["expert1"]), mine["expert1"])], also=scheduler)
    with live.app.app_context():      # a job that lost its race is retried a little later
        timer_firing.fire_due(at=due + timedelta(hours=1))
        db.session.remove()
    finish_open_rows(live, case_ids, answers)
    assert_all_decided_once(live, "a timeout while a sibling signs", answers, mark,
                            expected={c: "approve" for c in case_ids})
    db.session.remove()
    left = db.session.execute(select(TimerJob.status, func.count()).where(
        TimerJob.instance_id.in_(case_ids), TimerJob.status.in_((JobStatus.PENDING, JobStatus.INCIDENT)))
        .group_by(TimerJob.status)).all()
    assert left == [], f"timer jobs left pending or parked: {left}"
