"""Deploy a corpus of BPMN files from elsewhere and report what an administrator would meet.

    .venv/bin/python scripts/corpus_check.py /tmp/corpus/miwg /tmp/corpus/bpmn-js [--details out.jsonl]

Every .bpmn / .bpmn2 / .xml file under the folders is deployed, one after another, through the
real deploy service (as the demo administrator) into a fresh temporary SQLite database. Each
deployed process that a person may start gets a case, and the case is driven as far as it goes
without people: every open task is completed with empty data, again and again, until none is
left or nothing moves. The result is ONE JSON line:

- files, deployed, refused;
- raw_refusals: refusals whose text shows a library's insides (a Python exception class name,
  a `{http://…}` namespace, a traceback) instead of a message an administrator can act on;
- stuck: cases left "running" with no open task, no pending timer and no event subscription;
- crashed: files or cases that raised something other than the service's own errors (a 500);
- slow: files whose deploy and drive took longer than `--budget` seconds.

`--details` writes one JSON line per file (file, outcome, text) for reading the cases behind
the numbers. The files themselves are third-party: keep them out of the repository.
"""
import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_babel import force_locale  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import EventSubscription, HumanTask, ProcessInstance, TimerJob, User  # noqa: E402
from app.models.jobs import JobStatus  # noqa: E402
from app.models.states import InstanceStatus, TaskStatus  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.command import command  # noqa: E402
from app.services.errors import ServiceError, ValidationFailed  # noqa: E402
from app.services.workflow import cases, definitions, deploy, steps  # noqa: E402

SUFFIXES = (".bpmn", ".bpmn2", ".xml")
RAW = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\bStopIteration\b|\{https?://|Traceback \(most recent")
# what a refusal quotes from the file (ids, names, the file's own name) may contain such words
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\S+\.(?:bpmn|bpmn2|bpmn20|xml)\b")


def is_raw(text):
    """Does a refusal show the library's insides rather than a message about the diagram?"""
    return bool(RAW.search(QUOTED.sub("", text)))
MAX_ROUNDS = 30


def corpus(folders):
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.name.lower().endswith(SUFFIXES):
                yield path


def open_tasks(instance):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()


def is_stuck(instance):
    """Running, yet nothing could ever move it: no task, no timer, no subscription."""
    if instance.status != InstanceStatus.RUNNING or open_tasks(instance):
        return False
    timer = db.session.execute(select(TimerJob.id).where(
        TimerJob.instance_id == instance.id, TimerJob.status == JobStatus.PENDING).limit(1)).first()
    waiting = db.session.execute(select(EventSubscription.id).where(
        EventSubscription.instance_id == instance.id).limit(1)).first()
    return timer is None and waiting is None


def drive(admin, definition):
    """Start a case and complete its tasks with empty data. Returns (outcome, text, instance)."""
    compiled = definitions.compiled(definition)
    if compiled.start_timers or compiled.event_starts:
        return "not_started_by_hand", "", None
    with command(admin) as ctx:
        instance = cases.start_case(ctx, definition, compiled)
    instance_id = instance.id
    for _round in range(MAX_ROUNDS):
        instance = db.session.get(ProcessInstance, instance_id)
        waiting = open_tasks(instance)
        if instance.status != InstanceStatus.RUNNING or not waiting:
            break
        moved = False
        for row in waiting:
            try:
                with command(admin) as ctx:
                    task = ctx.session.get(HumanTask, row.id)
                    if task.status == TaskStatus.OPEN:
                        steps.finish_step(ctx, task, {})
                        moved = True
            except ServiceError:
                db.session.rollback()
        if not moved:
            break
    instance = db.session.get(ProcessInstance, instance_id)
    return instance.status, "", instance


def check_file(path):
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    data = path.read_bytes()
    try:
        definition, created = deploy.deploy(admin, data, path.name)
    except ValidationFailed as exc:
        db.session.rollback()
        return {"outcome": "refused", "text": exc.message, "raw": is_raw(exc.message)}
    try:
        outcome, text, instance = drive(admin, definition)
    except ServiceError as exc:
        db.session.rollback()
        return {"outcome": "deployed", "case": "failed", "text": exc.message,
                "raw": is_raw(exc.message)}
    stuck = instance is not None and is_stuck(instance)
    return {"outcome": "deployed", "case": outcome, "stuck": stuck, "text": text}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--details", help="write one JSON line per file here")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds a file may take before it counts as slow")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)          # refusals are counted, not logged
    with tempfile.TemporaryDirectory(prefix="chainq-corpus-") as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(tmp, 'corpus.db')}",
                          "UPLOAD_FOLDER": os.path.join(tmp, "uploads"), "DEPLOY_ON_START": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context(), force_locale("en"):
            db.create_all()
            demo.seed_accounts()
            totals = {"files": 0, "deployed": 0, "refused": 0, "raw_refusals": 0, "stuck": 0,
                      "crashed": 0, "slow": 0, "cases": 0, "cases_completed": 0, "cases_failed": 0}
            details = open(args.details, "w", encoding="utf-8") if args.details else None
            for path in corpus(args.folders):
                totals["files"] += 1
                began = time.monotonic()
                try:
                    result = check_file(path)
                except Exception as exc:  # noqa: BLE001 -- exactly what this script looks for
                    db.session.rollback()
                    result = {"outcome": "crashed", "text": f"{type(exc).__name__}: {exc}"[:500]}
                seconds = time.monotonic() - began
                outcome = result["outcome"]
                totals[outcome] = totals.get(outcome, 0) + 1
                totals["raw_refusals"] += bool(outcome == "refused" and result.get("raw"))
                totals["stuck"] += bool(result.get("stuck"))
                totals["slow"] += seconds > args.budget
                case = result.get("case")
                totals["cases"] += case in (InstanceStatus.RUNNING, InstanceStatus.COMPLETED, "failed")
                totals["cases_completed"] += case == InstanceStatus.COMPLETED
                totals["cases_failed"] += case == "failed"
                if details:
                    details.write(json.dumps({"file": str(path), "seconds": round(seconds, 2), **result},
                                             ensure_ascii=False) + "\n")
                db.session.remove()
            if details:
                details.close()
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
