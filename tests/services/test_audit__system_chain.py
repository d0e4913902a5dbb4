"""Events without a case share the system chain: two commands appending to it at once both succeed."""
import threading

from app.extensions import db
from app.models import User
from app.services.audit import trail as audit
from app.services.identity import users


def test_two_commands_appending_to_the_system_chain_at_once_take_turns(app, user, monkeypatch):
    """The first command to read the chain's head waits a moment for a second one to read it too: with
    the commands taking turns (PostgreSQL's advisory lock, SQLite's BEGIN IMMEDIATE) none comes, and
    both commands succeed with consecutive numbers instead of one losing on the (chain, seq) key."""
    arrived, real_head_of = [], audit.head_of
    second = threading.Event()

    def head_of_after_a_pause(chain):
        arrived.append(chain)
        if len(arrived) == 1:
            second.wait(1.0)        # would be set if the other command read the head meanwhile
        else:
            second.set()
        return real_head_of(chain)
    monkeypatch.setattr(audit, "head_of", head_of_after_a_pause)
    ids = [user("city").id, user("auditor").id]
    outcomes = []

    def issue(user_id):
        with app.app_context():
            try:
                users.issue_token(db.session.get(User, user_id))
                outcomes.append("ok")
            except Exception as exc:     # a conflict here is the failure this test looks for
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == ["ok", "ok"]
    assert audit.verify_chain(audit.SYSTEM).ok
