"""Commands on one case take turns on the case's row and never wait for each other in opposite
orders: a slow command holding the case makes the next one wait, not fail (PostgreSQL's row locks;
on SQLite the commands take turns on the database's write lock)."""
import threading
import time

from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, User
from app.services.errors import Conflict
from app.services.notify import notifications
from app.services.workflow import cases, tasks
from app.services.workflow.approval import case_actions, signatures


def test_a_signature_waits_for_a_rejection_holding_the_case(app, user, open_task, monkeypatch):
    case = cases.start_instance(user("manager"), "expert_review")
    tasks.complete(user("manager"), open_task(case).id, {
        "title": "某质量问题分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": "expert1,expert2,expert3",
        "decision": "approve"})
    rows = {r.assignee.username: r.id for r in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == "open")).scalars()}
    db.session.remove()

    real = signatures.record_signature

    holding = threading.Event()

    def slow(ctx, task, cleaned):          # expert1 holds its locks a moment before deciding
        if ctx.actor.username == "expert1":
            holding.set()
            time.sleep(1.0)
        return real(ctx, task, cleaned)
    monkeypatch.setattr(tasks.signatures, "record_signature", slow)

    results = {}

    def act(name, decision, after):
        if after is not None:              # the other one is inside its command, holding the case
            assert after.wait(timeout=30)
        with app.app_context():
            actor = db.session.execute(select(User).where(User.username == name)).scalar_one()
            started = time.monotonic()
            try:
                tasks.complete(actor, rows[name], {"decision": decision, "opinion": "意见"})
                results[name] = ("ok", round(time.monotonic() - started, 2))
            except Conflict as exc:
                results[name] = ("409", exc.message, round(time.monotonic() - started, 2))
            except Exception as exc:   # anything else is the failure this test looks for
                results[name] = ("500", repr(exc)[:300])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=("expert1", "reject", None)),
               threading.Thread(target=act, args=("expert2", "approve", holding))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the rejection decided the step and cancelled the other rows: the signature waited, then found
    # its row cancelled (never a deadlock, a stale read or a second decision)
    assert results["expert1"][0] == "ok" and results["expert2"][0] == "409", results
    assert db.session.get(HumanTask, rows["expert2"]).status == "cancelled"


def test_an_approval_waits_for_an_urge_holding_the_case(app, user, open_task, application_form, monkeypatch):
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, application_form("tianhe"))
    lead = open_task(case)
    tasks.claim(user("leader"), lead.id)
    case_id, lead_id = case.id, lead.id
    db.session.remove()

    real = notifications.notify

    holding = threading.Event()

    def slow(ctx, *args, **kwargs):       # the urge holds the case lock a moment while notifying
        if getattr(ctx.actor, "username", "") == "applicant":
            holding.set()
            time.sleep(1.0)
        return real(ctx, *args, **kwargs)
    monkeypatch.setattr(case_actions.notifications, "notify", slow)
    results = {}

    def run(name, fn, after):
        if after is not None:              # the urge is inside its command, holding the case
            assert after.wait(timeout=30)
        with app.app_context():
            actor = db.session.execute(select(User).where(User.username == name)).scalar_one()
            try:
                fn(actor)
                results[name] = "ok"
            except Conflict as exc:
                results[name] = ("409", exc.message)
            except Exception as exc:   # anything else is the failure this test looks for
                results[name] = ("500", repr(exc)[:300])
            finally:
                db.session.remove()
    threads = [threading.Thread(target=run, args=("applicant", lambda a: case_actions.urge(a, case_id), None)),
               threading.Thread(target=run, args=("leader", lambda a: tasks.complete(
                   a, lead_id, {"decision": "approve", "opinion": "同意。"}), holding))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"applicant": "ok", "leader": "ok"}, results
