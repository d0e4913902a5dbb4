"""Approvers of one step deciding at the same moment, over real HTTP, on PostgreSQL.

A countersign or vote step has one inbox row per approver; whoever completes a
row checks the step's other rows to see whether the step is now decided. When
two approvers commit at the same moment, each can read the other's row as still
open (read committed): both signatures are saved, neither decides, and the case
waits forever with no open row. These tests drive a gunicorn server with several
worker processes from concurrent clients (one connection and one bearer token
per approver, released together by a barrier) and check every case afterwards:
its step decided exactly once, nothing left waiting without an open row, the
audit chain intact, and no answer other than 200 or a clean 409.

A 409 is what a real user sees when someone else acted at the same moment; the
client then reloads the task and, while it is still open, signs again (as a
person would). A 409 is fine only if the case still ends decided.
"""
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.identity import users
from tests.support import database_url, make_app, reset_database

from .live_server import LiveServer

pytestmark = pytest.mark.postgres_only

EXPERTS = [f"expert{n}" for n in range(1, 6)]
PEOPLE = ["admin", "applicant", "auditor", *EXPERTS]
WORKERS = int(os.environ.get("RACE_W", 4))                 # gunicorn worker processes (as `gunicorn -w 4` in production)
STEP = "sign"               # the element id of the step with several approvers in every diagram here


def diagram(key, approvers, mode, extra_properties="", due_date=""):
    """start → one step with several approvers → approved / not approved (ends the case)."""
    properties = f'<camunda:property name="approvalMode" value="{mode}" />{extra_properties}'
    due = f' camunda:dueDate="{due_date}"' if due_date else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="{key}_definitions" targetNamespace="https://chainq.example/test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{STEP}" />
    <bpmn:userTask id="{STEP}" name="专家签署 Experts sign" camunda:candidateUsers="{",".join(approvers)}"
        camunda:formKey="review_opinion"{due}>
      <bpmn:extensionElements><camunda:properties>{properties}</camunda:properties></bpmn:extensionElements>
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


# --- what a client does -------------------------------------------------------------------------

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


def act_like_a_user(client, answers, send, task_id=None, attempts=6):
    """Send an action; on a 409 reload the task and, while it is still open, send it again."""
    for _attempt in range(attempts):
        status, body = send(client)
        answers.statuses.append(status)
        answers.bodies.append(body if status != 200 else None)
        if status != 409 or task_id is None:
            return answers
        status, task = client.get(f"/api/v1/tasks/{task_id}")
        if status != 200 or task["status"] != "open":
            return answers
        time.sleep(random.uniform(0.005, 0.03))
    return answers


def sign(task_id, decision, username):
    def send(client):
        return client.post(f"/api/v1/tasks/{task_id}/complete",
                           {"data": {"decision": decision, "opinion": f"{username}: {decision}"}})
    return send


def together(live, actions):
    """Run [(username, send, task id or None)] at the same moment, each on its own connection
    opened beforehand, released by one barrier. Returns their Answers."""
    barrier = threading.Barrier(len(actions))
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
    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return results


# --- what every case must look like afterwards ------------------------------------------------------

def case_detail(client, case_id):
    status, body = client.get(f"/api/v1/instances/{case_id}")
    assert status == 200, body
    return body


def problems_of(detail, answers, expected_decision=None):
    """What is wrong with one case after its race: [] when nothing."""
    problems = []
    events = detail["events"]
    decided = [e for e in events if e["type"] == "task_completed" and e["element_id"] == STEP]
    rows = [t for t in detail["tasks"] if t["element_id"] == STEP]
    open_ = [t for t in rows if t["status"] == "open"]
    completed = [t for t in rows if t["status"] == "completed"]
    signatures = [e for e in events if e["type"] == "signature_recorded" and e["element_id"] == STEP]
    if detail["status"] == "running" and not open_:
        problems.append(f"stuck: running with no open row ({len(completed)} rows completed, "
                        f"{len(signatures)} signature_recorded, {len(decided)} task_completed)")
    if len(decided) != 1:
        problems.append(f"decided {len(decided)} times")
    elif expected_decision and decided[0]["data"]["decision"] != expected_decision:
        problems.append(f"decided {decided[0]['data']['decision']}, expected {expected_decision}")
    if len(decided) == 1 and len(signatures) != len(completed) - 1:
        problems.append(f"{len(completed)} rows completed but {len(signatures)} signatures + 1 decision recorded")
    if not detail["audit_chain_ok"]:
        problems.append("audit chain broken")
    unclean = [(a.who, s) for a in answers for s in a.statuses if s not in (200, 409)]
    if unclean:
        problems.append(f"answers other than 200/409: {unclean} {[a.bodies for a in answers]}")
    return problems


def check_cases(live, races):
    """races: [(case id, [Answers], expected decision)] -> {case id: problems}, read as the auditor."""
    local = threading.local()

    def check(race):
        if not hasattr(local, "client"):
            local.client = live.client("auditor")
        case_id, answers, expected = race
        return case_id, problems_of(case_detail(local.client, case_id), answers, expected)
    with ThreadPoolExecutor(4) as pool:
        return {case_id: found for case_id, found in pool.map(check, races) if found}


def assert_all_decided_once(live, kind, bad, total, log_mark):
    """One message for every case that went wrong: how many, which kinds of problem, a few examples."""
    errors = live.server.errors_logged(since=log_mark)
    kinds = Counter(problem.split(":")[0] for found in bad.values() for problem in found)
    assert not bad and not errors, (f"{kind}: {len(bad)} of {total} cases wrong {dict(kinds)}; "
                                    f"e.g. {list(bad.items())[:5]}; server errors: {errors[:5]}")


def race_cases(live, cases, plan, parallel):
    """Run every case's race, `parallel` cases at a time. plan(case id, rows) -> [(who, send, task id)]."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda item: (item[0], together(live, plan(*item))), cases))


# --- the races ----------------------------------------------------------------------------------------

COUNTERSIGNS = 100
VOTES = int(os.environ.get("RACE_VOTES", 40))
COUNTERSIGN_PARALLEL = int(os.environ.get("RACE_CP", 2))
VOTE_PARALLEL = int(os.environ.get("RACE_VP", 1))
# Five votes per case (A: approve, R: reject). A pass rate of 0.6 needs three of five, so three
# approvals always pass and three rejections always fail, whatever the order the votes commit in.
# A 3:2 split is decided only by the last vote of its majority: the case where two approvers
# who each miss the other's vote leave the step undecided. Unanimous and 4:1 cases decide
# early: the third vote decides, and the later voters find the step closed (a clean 409).
VOTE_PATTERNS = ["AAARR", "RRRAA", "ARARA", "RARAR", "AAAAA", "AARRR", "RRRRA", "ARRAA"]
VOTES_SPLIT = os.environ.get("RACE_PATTERNS")
if VOTES_SPLIT:
    VOTE_PATTERNS = VOTES_SPLIT.split(",")


def test_two_experts_countersigning_at_the_same_moment_decide_the_step_once(live):
    key, mark = "race_countersign", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS[:2], "countersign", '<camunda:property name="opinion" value="optional" />'))
    case_ids = start_cases(live, key, COUNTERSIGNS)
    rows = open_rows(live, key, EXPERTS[:2])
    assert all(set(rows[c]) == set(EXPERTS[:2]) for c in case_ids), "each case has one row per expert"

    def plan(_case_id, mine):
        return [(who, sign(mine[who], "approve", who), mine[who]) for who in EXPERTS[:2]]
    results = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=COUNTERSIGN_PARALLEL)
    bad = check_cases(live, [(case_id, answers, "approve") for case_id, answers in results])
    assert_all_decided_once(live, "countersign of 2 experts", bad, COUNTERSIGNS, mark)


def test_five_experts_voting_at_the_same_moment_decide_the_step_once(live):
    key, mark = "race_vote", live.server.log_mark()
    deploy(live, key, diagram(key, EXPERTS, "vote", '<camunda:property name="votePassRate" value="0.6" />'))
    case_ids = start_cases(live, key, VOTES)
    rows = open_rows(live, key, EXPERTS)
    assert all(set(rows[c]) == set(EXPERTS) for c in case_ids), "each case has one row per voter"
    votes = {c: VOTE_PATTERNS[n % len(VOTE_PATTERNS)] for n, c in enumerate(case_ids)}

    def plan(case_id, mine):
        decisions = ["approve" if v == "A" else "reject" for v in votes[case_id]]
        return [(who, sign(mine[who], decision, who), mine[who]) for who, decision in zip(EXPERTS, decisions, strict=True)]
    results = race_cases(live, [(c, rows[c]) for c in case_ids], plan, parallel=VOTE_PARALLEL)
    expected = {c: "approve" if votes[c].count("A") >= 3 else "reject" for c in case_ids}
    bad = check_cases(live, [(case_id, answers, expected[case_id]) for case_id, answers in results])
    assert_all_decided_once(live, "vote of 5 experts at 0.6", bad, VOTES, mark)
