#!/usr/bin/env python
"""Engine throughput: whole consortium cases through the service layer vs the bare library.

Service side (SQLite file database, the product default): per case
    start_instance → fill_application (assigned to the applicant: complete)
    → lead_unit_opinion, district_review, city_review (group tasks: claim + complete, approve)
i.e. 8 service commands = 8 transactions, each checking permissions, loading the
instance, running the engine, saving state, inbox rows and hash-chained audit
events. Each command runs as a web request would: a fresh session, its user
loaded first. `service_rate` times the service calls themselves;
`end_to_end_ms_per_case` adds the user loads and the lookups of the next open
task (what the UI reads from the inbox). `no_claim_*` is the same path with the
group tasks completed without a claim (tasks.complete accepts a candidate).

Library side, same run: the same diagram compiled with
app.engine.compiler.compile_definition(services={'create_consortium'}); per step
the workflow is loaded from its serialized state (runner.open_workflow), the ready
task completed (runner.complete_user_task) and the state serialized again
(runner.snapshot, which is what a service needs: state + ready tasks + data) —
loading and serializing around each step, as a service must. The service task
handler is a no-op returning {}.

Prints progress to stderr and ONE JSON object as the last stdout line:
    service_rate, library_rate (cases/s), ratio = service_rate / library_rate,
    n, per-case ms, and a breakdown of service time. Figures only: a diagnostic
    of what the service layer adds to the engine, with no target (the budgets
    users feel are in bench/http_latency.py). The two sides alternate in
    rounds, so load from elsewhere on the machine hits both.

    .venv/bin/python bench/engine_throughput.py [--quick] [--cases N] [--postgres URL]
"""
import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    APPROVE,
    CITY_APPROVE,
    COMMAND_CLOCK,
    PROCESS,
    ROOT,
    TEAMS,
    Actors,
    Workdir,
    application,
    approved_case,
    check_postgres_url,
    drop_postgres_database,
    log,
    machine,
    make_app,
    reset_database,
    sqlite_url,
)

from app.engine import runner  # noqa: E402
from app.engine.compiler import compile_definition  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ProcessInstance  # noqa: E402


def check_service_case(instance_id):
    instance = db.session.get(ProcessInstance, instance_id)
    assert (instance.status, instance.outcome) == ("completed", "approved"), (instance.status, instance.outcome)
    db.session.remove()


# --------------------------------------------------------------------------- library side
NOOP_SERVICES = {"create_consortium": lambda data, **kwargs: {}}


def library_case(definition, i, dump_only=False):
    """One case, loading and serializing around every step as a service must."""
    applicant = TEAMS[i % len(TEAMS)][0]
    initial = {"initiator": applicant, "initiator_name": applicant, "initiator_unit": "gz_smart_equipment"}
    save = (lambda wf: runner.dump_workflow(wf)) if dump_only else (lambda wf: runner.snapshot(wf).state)
    workflow = runner.new_workflow(definition, initial, NOOP_SERVICES)
    runner.advance(workflow)
    state = save(workflow)
    for data in (application(i), APPROVE, APPROVE, CITY_APPROVE):
        workflow = runner.open_workflow(state, definition, NOOP_SERVICES)
        [ready] = runner.ready_user_tasks(workflow)
        runner.complete_user_task(workflow, ready.spiff_id, data)
        state = save(workflow)
    assert workflow.completed
    return state


# --------------------------------------------------------------------------- instrumentation
class Breakdown:
    """Exclusive time per category in the service commands, in a separate, untimed pass.

    engine   — app.engine.runner calls (SpiffWorkflow run, load, serialize, snapshot)
    database — the DBAPI driver: statement execution and commits (dialect do_* calls)
    audit    — hashing/normalising audit events (its queries count as database)
    forms    — JSON Schema validation of the submitted form
    other    — the rest: SQLAlchemy ORM (unit of work, identity map, SQL compilation
               and caching), permission checks, the services' own Python
    The innermost category wins, so nothing is counted twice. The wrappers cost a
    little, which is why the rates come from the uninstrumented rounds.
    """
    RUNNER_CALLS = ("new_workflow", "advance", "open_workflow", "complete_user_task", "snapshot",
                    "snapshot_path", "ready_user_tasks", "current_data", "task_data")
    DIALECT_CALLS = ("do_execute", "do_executemany", "do_execute_no_params", "do_commit")

    def __init__(self, dialect):
        from app.services.audit import trail as audit  # noqa: PLC0415  (imported once the app exists)
        from app.services.workflow import forms  # noqa: PLC0415
        self.totals = {"engine": 0.0, "database": 0.0, "audit": 0.0, "forms": 0.0}
        self.statements = self.commits = 0
        self._stack = []
        self._patches = [(runner, name, "engine") for name in self.RUNNER_CALLS if hasattr(runner, name)]
        self._patches += [(dialect, name, "database") for name in self.DIALECT_CALLS]
        self._patches += [(audit, "record", "audit"), (forms, "validate", "forms")]
        self._saved = []

    def __enter__(self):
        for owner, name, category in self._patches:
            had_own = name in vars(owner)
            original = getattr(owner, name)
            self._saved.append((owner, name, had_own, vars(owner).get(name)))
            setattr(owner, name, self._wrap(original, category, name))
        return self

    def __exit__(self, *exc):
        for owner, name, had_own, original in reversed(self._saved):
            if had_own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)

    def _wrap(self, fn, category, name):
        def timed(*args, **kwargs):
            now = time.perf_counter()
            if self._stack:                      # pause the enclosing category
                parent, since = self._stack[-1]
                self.totals[parent] += now - since
            self._stack.append([category, now])
            try:
                return fn(*args, **kwargs)
            finally:
                end = time.perf_counter()
                cat, since = self._stack.pop()
                self.totals[cat] += end - since
                if self._stack:
                    self._stack[-1][1] = end
                if name == "do_commit":
                    self.commits += 1
                elif category == "database":
                    self.statements += 1
        return timed


# --------------------------------------------------------------------------- main
def run_service(actors, start, count, claim=True):
    """(seconds inside service commands, wall seconds) for `count` approved cases."""
    gc.collect()
    before = COMMAND_CLOCK["seconds"]
    t0 = time.perf_counter()
    for i in range(start, start + count):
        approved_case(actors, i, claim=claim)
    return COMMAND_CLOCK["seconds"] - before, time.perf_counter() - t0


def run_library(definition, count, dump_only=False):
    gc.collect()
    t0 = time.perf_counter()
    for i in range(count):
        library_case(definition, i, dump_only)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases: whole run well under 30 s")
    parser.add_argument("--cases", type=int, help="service-side cases to time (default 200, quick 40)")
    parser.add_argument("--rounds", type=int, help="alternating service/library rounds (default 10, quick 4)")
    parser.add_argument("--postgres", metavar="URL", help="run the service side on PostgreSQL instead "
                        "(a database whose name contains 'bench'; it is wiped)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    n = args.cases or (40 if args.quick else 200)
    rounds = args.rounds or (4 if args.quick else 10)   # short rounds: drift hits both sides alike
    per_round = max(1, n // rounds)
    n = per_round * rounds
    lib_factor = 5            # the library is fast: time more cases for a stable rate

    with Workdir(keep=args.keep) as work:
        url = check_postgres_url(args.postgres) if args.postgres else sqlite_url(work / "bench-engine.db")
        log(f"database: {'postgresql' if args.postgres else url}")
        app = make_app(url, work)
        with app.app_context():
            reset_database()
            actors = Actors()
            definition = compile_definition((ROOT / "bpmn" / f"{PROCESS}.bpmn").read_bytes(),
                                            filename=f"{PROCESS}.bpmn", services={"create_consortium"})

            log("warm-up")
            next_case = 0
            for claim in (True, True, True, False, False):
                check_service_case(approved_case(actors, next_case, claim=claim))
                next_case += 1
            for i in range(50):
                library_case(definition, i)
                library_case(definition, i, dump_only=True)

            # Alternate the sides in rounds so drift (other load, CPU frequency) hits both alike.
            totals = {"service": 0.0, "wall": 0.0, "library": 0.0, "dump_only": 0.0, "no_claim": 0.0}
            round_ratios = []
            for r in range(rounds):
                service_s, wall_s = run_service(actors, next_case, per_round)
                next_case += per_round
                library_s = run_library(definition, per_round * lib_factor)
                dump_only_s = run_library(definition, per_round * lib_factor, dump_only=True)
                no_claim_s, _ = run_service(actors, next_case, per_round, claim=False)
                next_case += per_round
                for key, value in (("service", service_s), ("wall", wall_s), ("library", library_s),
                                   ("dump_only", dump_only_s), ("no_claim", no_claim_s)):
                    totals[key] += value
                round_ratios.append(round((per_round / service_s) / (per_round * lib_factor / library_s), 3))
                log(f"round {r + 1}/{rounds}: service {1000 * service_s / per_round:.1f} ms/case "
                    f"(wall {1000 * wall_s / per_round:.1f}), library {1000 * library_s / per_round / lib_factor:.2f}"
                    f" ms/case, ratio {round_ratios[-1]}")
            check_service_case(approved_case(actors, next_case))   # the timed path really ends approved
            next_case += 1

            log("breakdown pass (instrumented, not part of the rates)")
            bd_cases = max(10, n // 4)
            with Breakdown(db.engine.dialect) as bd:
                t0 = time.perf_counter()
                for i in range(next_case, next_case + bd_cases):
                    approved_case(actors, i)
                bd_total = time.perf_counter() - t0
            state_bytes = len(library_case(definition, 0).encode("utf-8"))
            db.session.remove()
            db.engine.dispose()
        if args.postgres and not args.keep:
            drop_postgres_database(url)

    service_rate = n / totals["service"]
    library_rate = n * lib_factor / totals["library"]
    ratio = service_rate / library_rate
    result = {
        "bench": "engine_throughput",
        "quick": args.quick,
        "database": "postgresql" if args.postgres else "sqlite-file",
        "n": n,
        "library_n": n * lib_factor,
        "service_rate": round(service_rate, 2),
        "library_rate": round(library_rate, 2),
        "ratio": round(ratio, 3),
        "service_ms_per_case": round(1000 / service_rate, 2),
        "library_ms_per_case": round(1000 / library_rate, 3),
        "service_commands_per_case": 8,
        "ratio_per_round": round_ratios,
        "ratio_median_round": round(statistics.median(round_ratios), 3),
        "end_to_end_ms_per_case": round(1000 * totals["wall"] / n, 2),
        "no_claim_ms_per_case": round(1000 * totals["no_claim"] / n, 2),
        "no_claim_ratio": round((n / totals["no_claim"]) / library_rate, 3),
        "library_dump_only_ms_per_case": round(1000 * totals["dump_only"] / (n * lib_factor), 3),
        "state_bytes_final": state_bytes,
        "breakdown": {
            "cases": bd_cases,
            "ms_per_case_instrumented": round(1000 * bd_total / bd_cases, 2),
            **{f"{k}_fraction": round(v / bd_total, 3) for k, v in bd.totals.items()},
            "other_fraction": round(max(0.0, 1 - sum(bd.totals.values()) / bd_total), 3),
            "statements_per_case": round(bd.statements / bd_cases, 1),
            "commits_per_case": round(bd.commits / bd_cases, 1),
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
