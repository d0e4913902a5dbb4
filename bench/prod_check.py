#!/usr/bin/env python
"""Production check (`make prod-check`): the production layout under load, one app killed midway.

What it does, on a throw-away PostgreSQL database (created on the server of
`--postgres URL`, dropped at the end):

1. `flask db upgrade`, then the demo accounts and an API token for each user the
   clients act as (in this process: `flask seed-demo` would also create demo cases,
   which takes half a minute of the CI budget).
2. TWO gunicorn apps (`wsgi:app` with deploy/gunicorn.conf.py; two workers each;
   the web workers run no scheduler, as in production) and ONE scheduler
   process (SCHEDULER_COMMAND below), as deploy/ lays them out.
3. As `admin`, deploys a small diagram through the API: start -> review
   (candidate group city_office: claimed, then completed) -> cool-down timer
   (TIMER, ten seconds) -> end. Every completed review leaves a timer that the
   scheduler process fires during the run.
4. A closed-loop load of `--clients` clients (8) for `--duration` seconds (60),
   each on its own kept-alive connection with bearer tokens, repeating:
       start     POST /api/v1/instances                 (applicant)
       inbox     GET  /api/v1/tasks?process=KEY          (city: finds its case's review)
       claim     POST /api/v1/tasks/<id>/claim           (city)
       complete  POST /api/v1/tasks/<id>/complete        (city)
       case      GET  /api/v1/instances/<id>             (applicant: the case page)
   Clients are spread over the two apps. Midway, app B is killed with SIGKILL (its
   master and workers: the host is gone). A client whose request fails to connect
   or loses its connection counts a failover and moves to the other app, as a
   reverse proxy would; the interrupted iteration is abandoned (a proxy does not
   resend a POST that may have been applied).
5. After the load: the scheduler is stopped and the database checked:
   - every running case: its open inbox rows are exactly its ready engine steps;
   - every audit chain verifies (`trail.verify_all`), and every anchor holds;
   - every case re-executes to its stored state (`replay.reexecute`);
   - every timer due more than a few seconds before the load ended has fired.

Prints progress to stderr and ONE JSON line on stdout: completions/s,
p50/p95/p99 per endpoint, errors by status (connection errors to the killed app
are `failovers`, not errors), timer lag p99 (job claimed - due), RSS per worker,
the consistency check, and `checks` with `all_pass`. Exits 1 when a required
check fails: any 5xx, no completions, an inconsistency, a chain or re-execution
failure, a timer left unfired, or a process that died unasked.

    .venv/bin/python bench/prod_check.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
        [--duration 60] [--clients 8]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import make_app  # noqa: E402
from http_latency import ThrowAwayPostgres, app_environment, flask, free_port, log, percentile  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.engine import runner  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import HumanTask, ProcessInstance, TimerJob, User  # noqa: E402
from app.models.states import InstanceStatus, TaskStatus  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.audit import replay, trail as audit  # noqa: E402
from app.services.identity import users  # noqa: E402
from app.services.workflow import definitions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KEY = "prod_check_review"
TIMER = "PT10S"
USERS = ("admin", "applicant", "city")
APPROVE = {"decision": "approve", "opinion": "同意"}
ENDPOINTS = ("start", "inbox", "claim", "complete", "case")
TIMER_GRACE_S = 5.0       # a timer due this long before the end of the load must have fired
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
# The scheduler as its own process, as deploy/chainq-scheduler.service runs it.
SCHEDULER_COMMAND = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"]


def diagram():
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{KEY}" targetNamespace="https://chainq.example/bpmn">
  <bpmn:process id="{KEY}" name="生产检查 Production check" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="复核 Review" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="cool_down" />
    <bpmn:intermediateCatchEvent id="cool_down" name="冷静期 Cool-down"><bpmn:timerEventDefinition><bpmn:timeDuration>{TIMER}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="cool_down" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


# --------------------------------------------------------------------------- processes
class Process:
    """A child process in a process group of its own (so the whole group can be killed), logging to a file."""

    def __init__(self, name, command, env, work):
        self.name, self.log_path = name, work / f"{name}.log"
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.killed = False

    def alive(self):
        return self.process.poll() is None

    def log_tail(self, chars=3000):
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def kill(self):
        """SIGKILL to the whole group: the host of this process is gone."""
        self.killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log_file.close()


class App(Process):
    """gunicorn serving wsgi:app with deploy/gunicorn.conf.py, on a free loopback port."""

    def __init__(self, name, env, work, workers):
        self.port, self.down = free_port(), False
        super().__init__(name, [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG),
                                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "wsgi:app"], env, work)

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                raise SystemExit(f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/openapi.json")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within {timeout} s:\n{self.log_tail()}")

    def workers(self):
        return children_of(self.process.pid)


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


# --------------------------------------------------------------------------- the clients
class Failover(Exception):
    """The app a client was using did not answer (connection refused or lost)."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ms = {name: [] for name in ENDPOINTS}
        self.errors = {}               # "409" -> count (HTTP statuses other than the expected one)
        self.failovers = 0
        self.completions = 0

    def error(self, status):
        with self.lock:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1


class Client(threading.Thread):
    def __init__(self, number, apps, tokens, stats, stop):
        super().__init__(name=f"client-{number}", daemon=True)
        self.apps, self.tokens, self.stats, self.stop = apps, tokens, stats, stop
        self.app = apps[number % len(apps)]
        self.conn = None
        self.random = random.Random(number)

    def connect(self):
        live = [a for a in self.apps if not a.down]
        if self.app.down:
            self.app = live[0] if live else self.app
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.app.port, timeout=60)

    def call(self, kind, user, method, path, body=None, expect=200):
        self.connect()
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Accept": "application/json",
                   "X-Request-ID": f"{self.name}-{time.monotonic_ns()}"}
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        if payload is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            self.app.down = True          # as a proxy marks an upstream failed
            with self.stats.lock:
                self.stats.failovers += 1
            raise Failover(str(exc)) from exc
        elapsed = (time.perf_counter() - t0) * 1000
        with self.stats.lock:
            self.stats.ms[kind].append(elapsed)
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        if response.status != expect:
            self.stats.error(response.status)
            return None
        return json.loads(data) if data else None

    def iteration(self):
        case = self.call("start", "applicant", "POST", "/api/v1/instances", {"process_key": KEY}, expect=201)
        if case is None:
            return
        page = self.call("inbox", "city", "GET", f"/api/v1/tasks?process={KEY}&per_page=100")
        mine = [t for t in (page or {}).get("items", []) if t["instance_id"] == case["id"]]
        if not mine:
            self.stats.error("task_not_in_inbox")
            return
        claimed = self.call("claim", "city", "POST", f"/api/v1/tasks/{mine[0]['id']}/claim",
                            {"version": mine[0].get("version")})
        if claimed is None:
            return
        done = self.call("complete", "city", "POST", f"/api/v1/tasks/{mine[0]['id']}/complete",
                         {"data": APPROVE, "version": claimed.get("version")})
        if done is not None:
            with self.stats.lock:
                self.stats.completions += 1
        self.call("case", "applicant", "GET", f"/api/v1/instances/{case['id']}")

    def run(self):
        while not self.stop.is_set():
            try:
                self.iteration()
            except Failover:
                continue


def accounts(url, work):
    """The demo accounts (not the demo cases: `flask seed-demo` takes half a minute) and a token per user."""
    app = make_app(url, work)
    with app.app_context():
        demo.seed_accounts()
        tokens = {name: users.issue_token(db.session.execute(select(User).where(User.username == name)).scalar_one())
                  for name in USERS}
        db.session.remove()
        db.engine.dispose()
    return tokens


# --------------------------------------------------------------------------- the consistency check
def consistency(url, work, load_end):
    """Inbox rows against engine steps, audit chains and anchors, re-execution, and timers."""
    app = make_app(url, work)
    with app.app_context():
        auditor = db.session.execute(select(User).where(User.username == "auditor")).scalar_one()
        instances = db.session.execute(select(ProcessInstance).order_by(ProcessInstance.id)).scalars().all()
        inbox_mismatch, reexec_failed = [], []
        for instance in instances:
            if instance.status == InstanceStatus.RUNNING:
                compiled = definitions.compiled_by_id(instance.definition_id)
                ready = {t.spiff_id for t in runner.ready_user_tasks(runner.open_workflow(instance.state, compiled))}
                rows = set(db.session.execute(select(HumanTask.spiff_task_id).where(
                    HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars())
                if rows != ready:
                    inbox_mismatch.append(instance.id)
            report = replay.reexecute(auditor, instance)
            if not report.ok:
                reexec_failed.append({"instance": instance.id, "seq": report.diverging_seq, "reason": report.reason})
        chains = audit.verify_all()
        anchors = audit.verify_anchors()
        jobs = db.session.execute(select(TimerJob).where(TimerJob.kind == "bpmn_timer")).scalars().all()
        lags = [(j.fired_at - j.due_at).total_seconds() for j in jobs if j.fired_at is not None]
        overdue = [j.id for j in jobs if j.fired_at is None and j.due_at < load_end - timedelta(seconds=TIMER_GRACE_S)]
        running = sum(1 for i in instances if i.status == InstanceStatus.RUNNING)
        db.session.remove()
        db.engine.dispose()
    return {
        "cases": len(instances), "running_cases": running,
        "inbox_matches_engine": not inbox_mismatch, "inbox_mismatches": inbox_mismatch[:20],
        "chains": len(chains), "chains_ok": all(r.ok for r in chains),
        "broken_chains": [r.chain for r in chains if not r.ok][:20],
        "anchors": anchors.anchors, "anchors_ok": anchors.ok,
        "reexecuted": len(instances), "reexecution_ok": not reexec_failed, "reexecution_failures": reexec_failed[:10],
        "timers_fired": len(lags), "timers_overdue": len(overdue),
    }, lags


# --------------------------------------------------------------------------- main
def summary(values):
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50_ms": round(percentile(values, 0.50), 1), "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1)}


def run(url, work, duration, clients, workers):
    env = app_environment(url, work)
    env["CHAINQ_SECRET_KEY"] = "prod-check"
    log("flask db upgrade; demo accounts and tokens")
    flask(env, "db", "upgrade")
    tokens = accounts(url, work)
    apps = [App("app-a", env, work, workers), App("app-b", env, work, workers)]
    sched = Process("scheduler", SCHEDULER_COMMAND, env, work)
    everyone = [*apps, sched]
    try:
        for a in apps:
            a.wait_ready()
        log(f"apps on ports {[a.port for a in apps]} ({workers} workers each); scheduler pid {sched.process.pid}")
        conn = http.client.HTTPConnection("127.0.0.1", apps[0].port, timeout=60)
        conn.request("POST", "/api/v1/definitions?filename=prod_check.bpmn", body=diagram(),
                     headers={"Authorization": f"Bearer {tokens['admin']}", "Content-Type": "application/xml"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 201:
            raise SystemExit(f"deploy failed: HTTP {response.status} {body[:500]!r}")
        conn.close()

        stats, stop = Stats(), threading.Event()
        threads = [Client(n, apps, tokens, stats, stop) for n in range(clients)]
        log(f"{clients} clients for {duration} s; app-b is killed with SIGKILL at {duration / 2:.0f} s")
        t0 = time.time()
        for t in threads:
            t.start()
        time.sleep(duration / 2)
        rss = {a.name: {str(pid): rss_mb(pid) for pid in a.workers()} for a in apps}
        apps[1].kill()
        log(f"app-b killed; {stats.completions} completion(s) so far")
        time.sleep(duration - (time.time() - t0))
        stop.set()
        for t in threads:
            t.join(timeout=90)
        elapsed = time.time() - t0
        load_end = datetime.now(timezone.utc)
        rss[apps[0].name] = {str(pid): rss_mb(pid) for pid in apps[0].workers()}
        rss["scheduler"] = {str(sched.process.pid): rss_mb(sched.process.pid)} if sched.alive() else {}
        unexpected_exit = [p.name for p in everyone if not p.killed and not p.alive()]
        log(f"load done: {stats.completions} completion(s) in {elapsed:.1f} s; {stats.failovers} failover(s)")
    finally:
        for p in everyone:
            p.stop()
    log("checking inbox against engine, audit chains, re-execution, timers")
    checked, lags = consistency(url, work, load_end)
    return stats, elapsed, rss, checked, lags, unexpected_exit


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get(
        "CHAINQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server: the check creates and drops a database of its own there")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop clients (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (process logs)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="chainq-prod-check-"))
    try:
        with ThrowAwayPostgres(args.postgres) as url:
            log(f"database: throw-away PostgreSQL database on {args.postgres.rsplit('/', 1)[0]}")
            stats, elapsed, rss, checked, lags, unexpected_exit = run(url, work, args.duration, args.clients,
                                                                      args.workers)
        log("throw-away database dropped")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    server_errors = sum(n for status, n in stats.errors.items() if status.isdigit() and int(status) >= 500)
    checks = {
        "no_5xx": server_errors == 0,
        "completions": stats.completions > 0,
        "failover_happened": stats.failovers > 0,
        "inbox_matches_engine": checked["inbox_matches_engine"],
        "audit_chains_verify": checked["chains_ok"] and checked["anchors_ok"],
        "reexecution_matches": checked["reexecution_ok"],
        "timers_fired": checked["timers_fired"] > 0 and checked["timers_overdue"] == 0,
        "no_process_died_unasked": not unexpected_exit,
    }
    output = {
        "check": "prod_check", "database": "postgresql", "duration_s": round(elapsed, 1), "clients": args.clients,
        "apps": 2, "workers_per_app": args.workers, "killed": "app-b (SIGKILL, midway)",
        "completions": stats.completions, "completions_per_s": round(stats.completions / elapsed, 2),
        "latency": {name: summary(stats.ms[name]) for name in ENDPOINTS},
        "errors_by_status": dict(sorted(stats.errors.items())), "failovers": stats.failovers,
        "timer_lag_p99_s": round(percentile(lags, 0.99), 3) if lags else None,
        "timer_lag_p50_s": round(percentile(lags, 0.50), 3) if lags else None,
        "rss_mb": rss, "consistency": checked, "unexpected_exit": unexpected_exit,
        "checks": checks, "all_pass": all(checks.values()),
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }
    for name, ok in checks.items():
        log(f"check {name}: {'PASS' if ok else 'FAIL'}")
    print(json.dumps(output, ensure_ascii=False))
    return 0 if output["all_pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
