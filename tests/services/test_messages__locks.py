"""A message racing a person's action on the same case: the delivery takes its turn on the case's
row, then sees the case as the action left it (never a stale delivery, never a deadlock)."""
import threading
import time

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.workflow import cases, messages, steps, tasks
from tests.services.message_support import deploy_diagram, events, open_row


def test_a_message_waits_for_the_action_holding_the_case_and_finds_it_moved_on(app, user, monkeypatch):
    deploy_diagram(user("admin"), "msg_boundary")
    case = cases.start_instance(user("applicant"), "msg_boundary")
    row_id, case_id, key = open_row(case, "rectify").id, case.id, case.business_key
    db.session.remove()
    real = steps.apply_step

    holding = threading.Event()

    def slow(ctx, *args, **kwargs):        # the person's completion holds the case a moment
        if ctx.actor is not None and ctx.actor.username == "city":
            holding.set()
            time.sleep(1.0)
        return real(ctx, *args, **kwargs)
    monkeypatch.setattr(steps, "apply_step", slow)
    results = {}

    def act(name, after, action):
        if after is not None:              # the completion is inside its command, holding the case
            assert after.wait(timeout=30)
        with app.app_context():
            actor = db.session.execute(select(User).where(User.username == name)).scalar_one()
            try:
                action(actor)
                results[name] = "ok"
            except Exception as exc:   # the outcome this test looks at
                results[name] = type(exc).__name__
            finally:
                db.session.remove()
    threads = [threading.Thread(target=act, args=("city", None, lambda a: tasks.complete(a, row_id, {}))),
               threading.Thread(target=act, args=("admin", holding, lambda a: messages.correlate(
                   a, "cancel_request", business_key=key)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"city": "ok", "admin": "MessageNotCorrelated"}, results
    assert events(case_id, "message_received") == []
