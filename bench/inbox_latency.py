#!/usr/bin/env python
"""Inbox latency: a district approver's first inbox page with a year of cases in the database.

    app.services.queries.inbox(user, InboxFilter(), page=1, per_page=20)

measured in-process (one fresh session per call, as a web request has; the
user is loaded outside the timing, as the login loader does): 200 calls after a
warm-up on each of two databases, one with 1,000 cases (the baseline) and one
with 100,000 (20,000 with --quick). The large one is a copy of the baseline
grown by bulk insertion; the two are measured in alternating rounds so that
load from elsewhere on the machine hits both alike.

Data: a few hundred real cases through the services (start, fill, claim,
complete: real states, inbox rows, candidate rows, audit events), then a
simulated year bulk-inserted with SQLAlchemy core in batches: ProcessInstance,
HumanTask and TaskCandidate rows exactly as the services write them — candidate
rows only for OPEN tasks (completed/cancelled tasks had theirs deleted by
cases.close_candidates; whether claimed open tasks keep theirs is read from
the real cases, so the bulk rows follow the code under test), cases over the 11 districts with uneven weights,
created_at spread over 365 days, each case walked through fill → lead unit →
district → city with random durations, returns for revision and rejections, so
what is still open is what a real year leaves open (mostly recent cases; about
1-2 % of all cases waiting at district review). Bulk instances carry a real
serialized state (the inbox never reads it, but it sizes the file realistically).
Audit events are not bulk-inserted: the inbox never reads that table.

Prints progress to stderr and ONE JSON object as the last stdout line with
p50_ms, p95_ms (at the large size), p95_growth = p95(large) / p95(1,000)
(targets: p95 <= 20 ms, growth <= 1.5) and the details of both sizes.

    .venv/bin/python bench/inbox_latency.py [--quick] [--cases N] [--postgres URL]
"""
import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    CITY_APPROVE,
    DISTRICT_CODES,
    PROCESS,
    Actors,
    Workdir,
    check_postgres_url,
    drop_postgres_database,
    log,
    machine,
    make_app,
    reset_database,
    review,
    sqlite_url,
    start_case,
    user,
)
from sqlalchemy import create_engine, event, func, insert, or_, select, text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import HumanTask, ProcessInstance, TaskCandidate, User  # noqa: E402
from app.models.states import InstanceStatus, TaskStatus  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.workflow import (
    definitions,  # noqa: E402
)
from app.services.workflow.queries import InboxFilter, inbox  # noqa: E402

BASELINE = 1_000
# Cases per district are uneven in a real city: the big industrial districts dominate.
DISTRICT_WEIGHTS = {"tianhe": 16, "huangpu": 15, "panyu": 12, "baiyun": 11, "haizhu": 9, "nansha": 8,
                    "yuexiu": 7, "zengcheng": 7, "huadu": 6, "liwan": 5, "conghua": 4}
assert set(DISTRICT_WEIGHTS) == set(DISTRICT_CODES)
MEASURED_DISTRICT = "tianhe"          # the busiest district office: the worst first page

# Step durations (days, exponential means) and decision odds (approve, return, reject)
FILL_DAYS, RESUBMIT_DAYS, LEAD_DAYS, DISTRICT_DAYS, CITY_DAYS = 2.0, 4.0, 1.5, 5.0, 7.0
LEAD_ODDS, DISTRICT_ODDS, CITY_ODDS = (0.93, 0.05, 0.02), (0.80, 0.12, 0.08), (0.85, 0.07, 0.08)
ABANDONED_DRAFTS = 0.03               # started, never submitted: an open fill task forever
TERMINATED = 0.004                    # ended by an administrator: its open task cancelled
CLAIMED_SHARE = 0.3                   # of open group tasks, already claimed by an approver
BATCH = 5_000


# --------------------------------------------------------------------------- real cases
def real_cases(actors, count, rng):
    """`count` cases through the services, at a mix of steps; returns how many wait at district."""
    weights = list(DISTRICT_WEIGHTS.values())
    at_district = 0
    for i in range(count):
        if i and i % 50 == 0:
            log(f"  {i}/{count} real cases")
        district = rng.choices(list(DISTRICT_WEIGHTS), weights)[0]
        kind = i % 20
        instance_id = start_case(actors, i, district)
        if kind == 19:                               # waiting for the lead unit
            continue
        _applicant, leader = actors.teams[i % len(actors.teams)]
        review(instance_id, leader)
        approver = actors.district[district]
        if kind in range(10, 16):                    # waiting at district review, unclaimed
            at_district += district == MEASURED_DISTRICT
            continue
        if kind in (16, 17):                         # claimed by the district office, not done yet
            review(instance_id, approver, claim_only=True)
            at_district += district == MEASURED_DISTRICT
            continue
        if kind == 8:
            review(instance_id, approver, {"decision": "reject", "opinion": "不符合申报条件。"})
            continue
        if kind == 9:                                # returned: back with the applicant
            review(instance_id, approver, {"decision": "return", "opinion": "请补充成员单位信息。"})
            continue
        review(instance_id, approver)
        if kind == 18:                               # waiting at city review
            continue
        review(instance_id, actors.city, CITY_APPROVE)
    return at_district


def claimed_tasks_keep_candidates():
    """Whether the services leave candidate rows on claimed open tasks, read from the real cases.

    The bulk rows must follow the same rule as the code under test: today rows are
    deleted on completion only; a claim that deletes them would change the answer.
    """
    claimed = select(HumanTask.id).where(HumanTask.status == TaskStatus.OPEN, HumanTask.assignee_id.isnot(None),
                                         HumanTask.candidate_groups != "")
    try:
        if db.session.execute(claimed.limit(1)).first() is None:
            return True       # no claimed group task among the real cases: assume today's rule
        return db.session.execute(select(TaskCandidate.id).where(
            TaskCandidate.task_id.in_(claimed)).limit(1)).first() is not None
    finally:
        db.session.remove()


# --------------------------------------------------------------------------- simulated year
class Year:
    """Generates a year of cases as rows; ids are assigned here so candidates can point at tasks."""

    def __init__(self, rng, now, definition, compiled, actors, state_text, claimed_keep_candidates=True):
        self.rng, self.now = rng, now
        self.claimed_keep_candidates = claimed_keep_candidates
        self.definition_id, self.process_name = definition.id, compiled.name
        self.actors, self.state_text = actors, state_text
        self.leader_groups = [f"unit_leader:{unit[0]}" for unit in demo.UNITS]   # same order as TEAMS
        self.districts = list(DISTRICT_WEIGHTS)
        self.weights = list(DISTRICT_WEIGHTS.values())
        self.next_ids()

    def next_ids(self):
        def top(model):
            return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
        self.instance_id, self.task_id, self.candidate_id = top(ProcessInstance), top(HumanTask), top(TaskCandidate)
        db.session.remove()

    def _days(self, mean):
        return timedelta(days=self.rng.expovariate(1 / mean))

    def _decide(self, odds):
        return self.rng.choices(("approve", "return", "reject"), odds)[0]

    def case(self):
        """One case: (instance row, task rows, candidate rows)."""
        rng = self.rng
        iid = self.instance_id
        self.instance_id += 1
        team = rng.randrange(len(self.actors.teams))
        applicant, leader = self.actors.teams[team]
        district = rng.choices(self.districts, self.weights)[0]
        started = self.now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        title = f"模拟{iid}号产业链质量创新联合体"
        key = f"CON-{started:%Y%m%d}-{iid:08X}"
        instance = {"id": iid, "definition_id": self.definition_id, "process_key": PROCESS, "business_key": key,
                    "title": title, "status": InstanceStatus.RUNNING, "outcome": "", "district": district,
                    "current_steps": "", "state": self.state_text, "version": 1, "started_by_id": applicant,
                    "started_at": started, "ended_at": None}
        tasks, candidates = [], []
        t = started
        terminated = rng.random() < TERMINATED
        steps = [("fill_application", "填写申请", "consortium_application", "", applicant)]

        def add_task(element_id, name, form_key, group, assignee, created):
            task = {"id": self.task_id, "instance_id": iid, "spiff_task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "element_id": element_id, "name": name, "form_key": form_key, "status": TaskStatus.OPEN,
                    "candidate_groups": group, "candidate_users": "", "assignee_id": assignee if not group else None,
                    "claimed_at": None, "process_key": PROCESS, "process_name": self.process_name,
                    "instance_title": title, "business_key": key, "district": district, "created_at": created,
                    "due_at": None, "completed_at": None, "completed_by_id": None, "decision": "", "opinion": "",
                    "version": 1}
            self.task_id += 1
            tasks.append(task)
            return task

        while steps:
            element_id, name, form_key, group, actor = steps.pop(0)
            task = add_task(element_id, name, form_key, group, actor if not group else None, t)
            if element_id == "fill_application":
                if len(tasks) == 1 and rng.random() < ABANDONED_DRAFTS:
                    done = None
                else:
                    done = t + self._days(FILL_DAYS if len(tasks) == 1 else RESUBMIT_DAYS)
            else:
                done = t + self._days({"lead_unit_opinion": LEAD_DAYS, "district_review": DISTRICT_DAYS,
                                       "city_review": CITY_DAYS}[element_id])
            if terminated and rng.random() < 0.5:
                end = min(done or self.now, self.now)
                task.update(status=TaskStatus.CANCELLED, version=2)
                instance.update(status=InstanceStatus.TERMINATED, ended_at=end, version=instance["version"] + 1)
                break
            if done is None or done > self.now:      # still open today
                instance["current_steps"] = name
                if group:
                    claimed = rng.random() < CLAIMED_SHARE
                    if claimed:
                        task.update(assignee_id=actor, claimed_at=t + (self.now - t) * rng.random() * 0.5,
                                    version=2)
                    if not claimed or self.claimed_keep_candidates:
                        candidates.append({"id": self.candidate_id, "task_id": task["id"], "group_key": group,
                                           "user_id": None, "task_created_at": t})
                        self.candidate_id += 1
                break
            decision = self._decide({"fill_application": (1, 0, 0), "lead_unit_opinion": LEAD_ODDS,
                                     "district_review": DISTRICT_ODDS, "city_review": CITY_ODDS}[element_id])
            task.update(status=TaskStatus.COMPLETED, completed_at=done, completed_by_id=actor, assignee_id=actor,
                        claimed_at=(t + (done - t) / 3) if group else None, version=3 if group else 2,
                        decision=decision if group else "",
                        opinion=("同意。" if decision == "approve" else "请修改。") if group else "")
            instance["version"] += 2
            t = done
            if decision == "reject":
                instance.update(status=InstanceStatus.COMPLETED, outcome="rejected", ended_at=t)
                break
            if decision == "return":
                steps = [("fill_application", "填写申请", "consortium_application", "",
                          applicant)]
                continue
            following = {"fill_application": ("lead_unit_opinion", "牵头单位意见",
                                              self.leader_groups[team], leader),
                         "lead_unit_opinion": ("district_review", "区办审核",
                                               f"district_office:{district}", self.actors.district[district]),
                         "district_review": ("city_review", "市办审核", "city_office",
                                             self.actors.city)}.get(element_id)
            if following is None:                    # city approved: service task, end event
                instance.update(status=InstanceStatus.COMPLETED, outcome="approved", ended_at=t)
                break
            steps = [(following[0], following[1], "review_opinion", following[2], following[3])]
        if instance["status"] == InstanceStatus.TERMINATED:
            instance["current_steps"] = ""
        return instance, tasks, candidates


def bulk_insert(year, count):
    """Insert `count` simulated cases in batches with SQLAlchemy core; returns row counts."""
    counts = {"instances": 0, "tasks": 0, "candidates": 0}
    instances, tasks, candidates = [], [], []

    def flush():
        conn = db.session.connection()
        if instances:
            conn.execute(insert(ProcessInstance.__table__), instances)
        if tasks:
            conn.execute(insert(HumanTask.__table__), tasks)
        if candidates:
            conn.execute(insert(TaskCandidate.__table__), candidates)
        db.session.commit()
        counts["instances"] += len(instances)
        counts["tasks"] += len(tasks)
        counts["candidates"] += len(candidates)
        instances.clear(), tasks.clear(), candidates.clear()

    for n in range(count):
        instance, case_tasks, case_candidates = year.case()
        instances.append(instance)
        tasks.extend(case_tasks)
        candidates.extend(case_candidates)
        if len(instances) >= BATCH:
            flush()
            if (n + 1) % 20_000 == 0:
                log(f"  {n + 1}/{count} simulated cases")
    flush()
    db.session.remove()
    if db.engine.dialect.name == "postgresql":       # explicit ids: move the sequences past them
        with db.engine.begin() as conn:
            for table in ("process_instance", "human_task", "task_candidate"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))          # what autovacuum would have done by now
    return counts


# --------------------------------------------------------------------------- measuring
def district_open(district, approver_id):
    """Counts read straight from human_task, to check the inbox's total against."""
    group = f"district_office:{district}"
    try:
        return {
            "open_district_tasks": db.session.execute(select(func.count()).select_from(HumanTask).where(
                HumanTask.element_id == "district_review", HumanTask.status == TaskStatus.OPEN,
                HumanTask.district == district)).scalar(),
            "expected_inbox_total": db.session.execute(select(func.count()).select_from(HumanTask).where(
                HumanTask.status == TaskStatus.OPEN, or_(
                    HumanTask.assignee_id == approver_id,
                    (HumanTask.assignee_id.is_(None)) & (HumanTask.candidate_groups == group)))).scalar(),
            "candidate_rows_of_group": db.session.execute(select(func.count()).select_from(TaskCandidate).where(
                TaskCandidate.group_key == group)).scalar(),
        }
    finally:
        db.session.remove()


def table_sizes():
    try:
        return {name: db.session.execute(select(func.count()).select_from(model)).scalar()
                for name, model in (("process_instance", ProcessInstance), ("human_task", HumanTask),
                                    ("task_candidate", TaskCandidate))}
    finally:
        db.session.remove()


def measure(user_id, reps):
    """Latencies (ms) of the first inbox page, one fresh session per call (as a web request has)."""
    samples = []
    page = None
    for _ in range(reps):
        approver = db.session.get(User, user_id)   # the login loader's work, not timed
        approver.group_keys                         # loaded with the user (selectin)
        t0 = time.perf_counter()
        page = inbox(approver, InboxFilter(), page=1, per_page=20)
        samples.append((time.perf_counter() - t0) * 1000)
        db.session.remove()
    return samples, page


def summary(samples, page):
    ordered = sorted(samples)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 3), "p95_ms": round(pct(95), 3),
            "p99_ms": round(pct(99), 3), "min_ms": round(ordered[0], 3), "max_ms": round(ordered[-1], 3),
            "reps": len(samples), "page_items": len(page.items), "inbox_total": page.total}


def query_plan():
    """The database's plan for the inbox's statements (for the docs)."""
    approver = user(f"district_{MEASURED_DISTRICT}")
    captured = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        inbox(approver, InboxFilter(), page=1, per_page=20)
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    sqlite = db.engine.dialect.name == "sqlite"
    plans = []
    with db.engine.connect() as conn:
        for statement, parameters in captured:
            if "human_task" not in statement:
                continue
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (COSTS OFF) "
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans.append(" | ".join(str(r[-1]).strip() for r in rows))
    db.session.remove()
    return plans


def clone_database(app, source_url, target_url):
    """Copy the baseline database: the large one starts as the same 1,000 cases and grows."""
    with app.app_context():
        db.session.remove()
        if source_url.startswith("sqlite:///"):
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    if source_url.startswith("sqlite:///"):
        shutil.copyfile(source_url[len("sqlite:///"):], target_url[len("sqlite:///"):])
        return
    server, source = source_url.rsplit("/", 1)
    target = target_url.rsplit("/", 1)[1]
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target}"'))
        conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 cases instead of 100,000 (under 30 s)")
    parser.add_argument("--cases", type=int, help="cases at the large size (default 100,000; quick 20,000)")
    parser.add_argument("--real", type=int, help="cases created through the services (default 300)")
    parser.add_argument("--reps", type=int, default=200, help="timed calls per size (default 200)")
    parser.add_argument("--postgres", metavar="URL", help="use PostgreSQL instead of a SQLite file: URL names "
                        "the large database, URL_baseline is the other; both names must contain 'bench' "
                        "(they are wiped)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (SQLite files or PostgreSQL)")
    parser.add_argument("--seed", type=int, default=20261125, help="random seed of the simulated year")
    args = parser.parse_args()
    large = args.cases or (20_000 if args.quick else 100_000)
    real = args.real if args.real is not None else 300
    if large <= BASELINE or real > BASELINE:
        parser.error(f"need --real <= {BASELINE} < --cases")
    warmup, rounds = 20, 10
    rng = random.Random(args.seed)

    with Workdir(keep=args.keep) as work:
        if args.postgres:
            urls = {"large": check_postgres_url(args.postgres),
                    "baseline": check_postgres_url(args.postgres + "_baseline")}
        else:
            urls = {size: sqlite_url(work / f"bench-inbox-{size}.db") for size in ("baseline", "large")}
        log(f"databases: {urls['baseline']} and {urls['large']}")
        apps = {size: make_app(url, work) for size, url in urls.items()}

        with apps["baseline"].app_context():
            reset_database()
            actors = Actors()
            log(f"{real} real cases through the services")
            real_cases(actors, real, rng)
            state_text = db.session.execute(select(ProcessInstance.state).where(
                ProcessInstance.status == InstanceStatus.COMPLETED).limit(1)).scalar() or ""
            keep = claimed_tasks_keep_candidates()
            log(f"the services keep candidate rows of claimed open tasks: {keep}")
            definition = definitions.latest(PROCESS)
            year = Year(rng, datetime.now(timezone.utc), definition, definitions.compiled(definition), actors,
                        state_text, claimed_keep_candidates=keep)
            log(f"bulk-inserting {BASELINE - real} simulated cases (baseline: {BASELINE})")
            bulk_insert(year, BASELINE - real)
        clone_database(apps["baseline"], urls["baseline"], urls["large"])
        with apps["large"].app_context():
            log(f"bulk-inserting {large - BASELINE} simulated cases (large: {large})")
            t0 = time.perf_counter()
            bulk_insert(year, large - BASELINE)
            log(f"  done in {time.perf_counter() - t0:.1f} s")

        # Alternate the two databases in rounds, so load from elsewhere on the machine hits both alike.
        approver_id = actors.district[MEASURED_DISTRICT]
        samples = {"baseline": [], "large": []}
        pages = {}
        for size, app in apps.items():
            with app.app_context():
                measure(approver_id, warmup)
        log(f"measuring: {rounds} rounds x {args.reps // rounds} calls on each database, after {warmup} warm-up")
        for r in range(rounds):
            for size in (("baseline", "large") if r % 2 == 0 else ("large", "baseline")):
                with apps[size].app_context():
                    got, pages[size] = measure(approver_id, args.reps // rounds)
                    samples[size] += got
        results = {}
        for size, app in apps.items():
            with app.app_context():
                results[size] = {"cases": BASELINE if size == "baseline" else large,
                                 **summary(samples[size], pages[size]), **district_open(MEASURED_DISTRICT, approver_id),
                                 "rows": table_sizes()}
                if size == "large":
                    plan = query_plan()
                log(f"  {size}: p50 {results[size]['p50_ms']} ms, p95 {results[size]['p95_ms']} ms, "
                    f"inbox total {results[size]['inbox_total']}")
                if results[size]["inbox_total"] != results[size]["expected_inbox_total"]:
                    log(f"  WARNING: the inbox counted {results[size]['inbox_total']} tasks, human_task says "
                        f"{results[size]['expected_inbox_total']}")
                db.session.remove()
                db.engine.dispose()
        db_bytes = (work / "bench-inbox-large.db").stat().st_size if not args.postgres else None
        if args.postgres and not args.keep:
            for url in urls.values():
                drop_postgres_database(url)

    big, base = results["large"], results["baseline"]
    growth = big["p95_ms"] / base["p95_ms"]
    result = {
        "bench": "inbox_latency",
        "quick": args.quick,
        "database": "postgresql" if args.postgres else "sqlite-file",
        "cases": large,
        "real_cases": real,
        "district": MEASURED_DISTRICT,
        "p50_ms": big["p50_ms"],
        "p95_ms": big["p95_ms"],
        "p95_growth": round(growth, 3),
        "targets": {"p95_ms": 20, "p95_growth": 1.5},
        "meets_target": big["p95_ms"] <= 20 and growth <= 1.5,
        "inbox_consistent": all(r["inbox_total"] == r["expected_inbox_total"] for r in results.values()),
        "target_size": 100_000,    # the targets are stated at 100,000 cases; --quick only indicates
        "baseline": base,
        "large": big,
        "db_file_mb": round(db_bytes / 1e6, 1) if db_bytes else None,
        "query_plan": plan,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
