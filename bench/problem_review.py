#!/usr/bin/env python
"""The yearly problem-library review at scale: one case reviews every open problem of a consortium.

Service side (SQLite file by default; --postgres URL): a consortium approved through the shipped
application process, N problems registered through the library's command, then the review's timer
start event fired through the service (cases.start_by_timer in a command, as the timer job does):
one case whose multi-instance subprocess opens one review task per problem. Then K review tasks are
claimed and completed ("keep") by the managing body through tasks.claim / tasks.complete, each a
command in a fresh session as a request has. Timed: the start, and each completion.

Baseline, same run: the bare library on the same compiled definition, in memory, with service
tasks as plain functions returning the shapes the library's handlers return, and the workflow
saved and loaded around every step (dump_workflow / load_workflow, as any engine that keeps its
cases in a database must). Timed: the start and the same K completions.

Scaling: the same service figures at N/4 problems, so the growth of one step with the size of the
review shows (a step costs more in a larger case: its state holds every instance).

Progress on stderr, ONE JSON object as the last stdout line. Figures only, no budget.

    .venv/bin/python bench/problem_review.py [--quick] [--problems N] [--steps K] [--postgres URL]
"""
import argparse
import gc
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    Actors,
    Workdir,
    approved_case,
    check_postgres_url,
    drop_postgres_database,
    log,
    machine,
    make_app,
    reset_database,
    seed_problems,
    sqlite_url,
    user,
)
from sqlalchemy import func, select  # noqa: E402

from app.engine import runner  # noqa: E402
from app.engine.script_env import install_safe_engine  # noqa: E402
from app.engine.serializer import dump_workflow, load_workflow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Consortium, HumanTask, ProcessInstance, User  # noqa: E402
from app.models.states import TaskStatus  # noqa: E402
from app.services.command import command  # noqa: E402
from app.services.workflow import cases, definitions, tasks  # noqa: E402

PROCESS = "problem_library_review"
START = datetime(2027, 1, 4, 1, tzinfo=timezone.utc)
KEEP = {"review_action": "keep", "decision": "approve"}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds):
    return round(1000 * seconds, 1)


def service_review(steps):
    """Start the review by its timer and complete `steps` review tasks. Returns the figures."""
    definition = definitions.latest(PROCESS)
    t0 = time.perf_counter()
    with command() as ctx:
        started = cases.start_by_timer(ctx, definition, "year_begins", START)
    start_s = time.perf_counter() - t0
    [case_id] = [c.id for c in started]          # the one consortium of the bench's database
    db.session.remove()
    rows = db.session.execute(select(HumanTask.id).where(
        HumanTask.instance_id == case_id, HumanTask.element_id == "review_problem",
        HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).scalars().all()
    opened = len(rows)
    manager_id = user("manager").id
    db.session.remove()
    times = []
    for row_id in rows[:steps]:
        t0 = time.perf_counter()
        manager = db.session.get(User, manager_id)
        tasks.claim(manager, row_id)
        tasks.complete(manager, row_id, KEEP)
        times.append(time.perf_counter() - t0)
        db.session.remove()
    size = db.session.execute(select(func.length(ProcessInstance.state)).where(
        ProcessInstance.id == case_id)).scalar_one()
    db.session.remove()
    return {"start_s": start_s, "steps": times, "opened": opened, "state_bytes": size}


def library_stubs(problem_ids):
    """The review's service tasks as plain functions returning what the library's handlers return."""
    return {
        "problem_review_items": lambda data, **_kw: {"problems": list(problem_ids), "review_since": "2026-01-04"},
        "problem_review_load": lambda data, **_kw: {
            "problem_number": f"P-{data.get('problem')}", "problem_title": "柔轮早期断裂问题",
            "problem_grade": "important", "problem_status": "identified", "impact": 4.0, "diffusion": 3.0,
            "urgency": 4.0},
        "problem_review_apply": lambda data, **_kw: {"review_applied": data.get("review_action")},
        "problem_review_summary": lambda data, **_kw: {"summary_open": len(problem_ids)},
    }


def library_review(compiled, consortium_id, problem_ids, steps):
    """The same case on the bare library, saved and loaded around every step."""
    stubs = library_stubs(problem_ids)
    t0 = time.perf_counter()
    workflow = runner.new_workflow(compiled, {"initiator": "", "consortium_id": consortium_id}, stubs)
    runner.advance(workflow)
    state = dump_workflow(workflow)
    start_s = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        workflow = load_workflow(state, compiled)
        install_safe_engine(workflow, stubs)
        ready = next(t for t in runner.ready_user_tasks(workflow) if t.element_id == "review_problem")
        runner.complete_user_task(workflow, ready.spiff_id, dict(KEEP))
        state = dump_workflow(workflow)
        times.append(time.perf_counter() - t0)
    return {"start_s": start_s, "steps": times, "state_bytes": len(state)}


def summary(figures):
    steps = figures["steps"]
    return {"start_ms": ms(figures["start_s"]), "step_p50_ms": ms(statistics.median(steps)),
            "step_p95_ms": ms(percentile(steps, 0.95)), "state_kb": round(figures["state_bytes"] / 1024, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 problems, 10 steps")
    parser.add_argument("--problems", type=int, default=400)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database URL (its name must say bench)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite work directory")
    args = parser.parse_args()
    n, steps = (100, 10) if args.quick else (args.problems, args.steps)
    sizes = (max(1, n // 4), n)
    results = {}
    with Workdir(keep=args.keep) as work:
        url = check_postgres_url(args.postgres) if args.postgres else sqlite_url(work / "bench-review.db")
        log(f"database: {'postgresql' if args.postgres else url}")
        app = make_app(url, work)
        with app.app_context():
            for size in sizes:
                log(f"{size} problems: seeding a fresh database")
                reset_database()
                actors = Actors()
                consortium_instance = approved_case(actors, 0)
                consortium_id = db.session.execute(select(Consortium.id).where(
                    Consortium.instance_id == consortium_instance)).scalar_one()
                problem_ids = seed_problems(consortium_id, size)
                gc.collect()
                log(f"{size} problems: the service (start, then {steps} review steps)")
                service = service_review(steps)
                assert service["opened"] == size, (service["opened"], size)
                compiled = definitions.compiled(definitions.latest(PROCESS))
                gc.collect()
                log(f"{size} problems: the bare library with its state saved and loaded around each step")
                library = library_review(compiled, consortium_id, problem_ids, steps)
                results[size] = {"service": summary(service), "library_with_state": summary(library)}
                log(f"  {results[size]}")
                db.session.remove()
            db.engine.dispose()
        if args.postgres and not args.keep:
            drop_postgres_database(url)
    small, large = results[sizes[0]], results[sizes[1]]
    print(json.dumps({
        "check": "problem_review", "database": "postgresql" if args.postgres else "sqlite", "problems": n,
        "steps": steps, "service": large["service"], "library_with_state": large["library_with_state"],
        "step_ratio_to_library_with_state": round(large["service"]["step_p50_ms"]
                                                  / large["library_with_state"]["step_p50_ms"], 2),
        "at_quarter_size": {"problems": sizes[0], **small},
        "step_growth_from_quarter_size": round(large["service"]["step_p50_ms"] / small["service"]["step_p50_ms"], 2),
        **machine()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
