"""Replay latency: how fast an auditor's step-through serves any step of a long case.

Builds one consortium case with about 1,000 audit events through the real
services (the application is returned for revision again and again), then
requests random steps of it through the app's JSON endpoint, as the replay
slider does. Prints one JSON object as its last line: p50_ms, p95_ms (warm,
any step), cold_ms (the first request, which folds every event), events.
Target: p95_ms <= 100.

    .venv/bin/python bench/replay.py [--quick] [--events N]
"""
import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import HumanTask, User  # noqa: E402
from app.models.states import TaskStatus  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.audit import trail as audit  # noqa: E402
from app.services.workflow import (
    cases,
    deploy,
    tasks,  # noqa: E402
)


def log(message):
    print(message, file=sys.stderr, flush=True)


def build_case(target_events):
    users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    instance = cases.start_instance(users["applicant"], "consortium_application")
    form = demo.application_data("集成电路", "集成电路", "nansha", demo.UNITS[0][1], members=5)

    def act(username, data):
        task = db.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()
        if task.assignee_id is None:
            tasks.claim(users[username], task.id)
        tasks.complete(users[username], task.id, data)

    round_no = 0
    while len(audit.events_of(instance.id)) < target_events - 12:
        round_no += 1
        form["goals"] = f"第{round_no}轮修改：三年内关键零部件合格率由95%提升至99%。"
        act("applicant", form)
        act("leader", {"decision": "approve", "opinion": f"第{round_no}轮同意"})
        act("district_nansha", {"decision": "return", "opinion": f"第{round_no}轮：请补充"})
    act("applicant", form)
    for name in ("leader", "district_nansha", "city"):
        act(name, {"decision": "approve", "opinion": "同意"})
    return instance


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (the case keeps its size)")
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    requests = 60 if args.quick else 300

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "UPLOAD_FOLDER": f"{tmp}/up",
                          "DEPLOY_ON_START": False, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            db.create_all()
            demo.seed_accounts()
            deploy.deploy_folder()
            started = time.perf_counter()
            instance = build_case(args.events)
            events = len(audit.events_of(instance.id))
            log(f"built a case with {events} events in {time.perf_counter() - started:.1f} s")
            instance_id = instance.id
            db.session.remove()

        client = app.test_client()
        client.post("/login", data={"username": "auditor", "password": demo.DEMO_PASSWORD})
        t0 = time.perf_counter()
        first = client.get(f"/audit/cases/{instance_id}/steps/{events // 2}.json")
        cold_ms = (time.perf_counter() - t0) * 1000
        assert first.status_code == 200, first.status_code
        rng = random.Random(7)
        timings = []
        for _ in range(requests):
            n = rng.randint(1, events)
            t0 = time.perf_counter()
            response = client.get(f"/audit/cases/{instance_id}/steps/{n}.json")
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and response.get_json()["n"] == n
        result = {
            "bench": "replay", "events": events, "requests": requests,
            "p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2),
            "cold_ms": round(cold_ms, 2), "target_p95_ms": 100, "meets_target": percentile(timings, 0.95) <= 100,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
