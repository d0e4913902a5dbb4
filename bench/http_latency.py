#!/usr/bin/env python
"""HTTP latency: what a user of the JSON API waits for, through gunicorn, on a real database.

What it does:

1. A fresh database: a SQLite file in a temporary folder (the default), or a
   throw-away database of its own on the PostgreSQL server of `--postgres URL`
   (created, then dropped at the end; the URL's database name is not used).
   Set up as `make demo` does it: `flask db upgrade`, `flask seed-demo`, then
   `flask issue-token` for the four users the bench acts as.
2. gunicorn with ONE worker of one thread (gthread, so the connection is kept
   alive between requests) on a free loopback port, serving
   `bench/http_app.py` (the app from `create_app()`, no scheduler, plus an SQL
   statement counter whose per-request count comes back in `X-SQL-Statements`).
3. As `admin`, deploys `bench/two_step_approval.bpmn` through
   `POST /api/v1/definitions`: start -> first review (assigned to `leader`) ->
   exclusive gateway on `decision` -> final review (assigned to `city`) -> end.
4. One client (`http.client.HTTPConnection`, reused) runs N cases (default
   2,000; `--quick` 200; `--cases N`), each:
       baseline  GET  /api/v1/definitions                     (applicant; the HTTP floor)
       start     POST /api/v1/instances                       (applicant)
       inbox     GET  /api/v1/tasks                           (leader: finds the task)
       complete  POST /api/v1/tasks/<id>/complete  approve    (leader: on to the final review)
       inbox     GET  /api/v1/tasks                           (city)
       complete  POST /api/v1/tasks/<id>/complete  approve    (city: the case ends, approved)
   after `--warmup` untimed cases (20), all on one kept-alive connection (the
   JSON says `keep_alive`; gunicorn's sync worker would close it after every
   response).
5. Reports for each call type p50/p95 (ms, client side: request sent to body
   read), the app's own time and CPU time per request (p50, from headers the
   worker adds: CPU time is the figure to compare between runs on a busy
   machine) and the SQL statements per request (all of them, the token lookup
   included), and the worker's peak RSS (VmHWM from /proc/<pid>/status) after
   the run.

Budgets, each with a verdict in the JSON (the exit status is 0 either way):
task completion p50 <= 8 ms on SQLite, <= 10 ms on PostgreSQL; <= 15 SQL
statements per completion (the largest count of any completion); worker peak
RSS <= 120 MB.

Progress on stderr, ONE JSON object as the last stdout line.

    .venv/bin/python bench/http_latency.py [--quick] [--cases N]
    .venv/bin/python bench/http_latency.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "bench" / "two_step_approval.bpmn"
KEY = "bench_two_step_approval"
USERS = ("admin", "applicant", "leader", "city")
APPROVE = {"decision": "approve", "opinion": "同意"}
BUDGETS = {"complete_p50_ms": {"sqlite-file": 8.0, "postgresql": 10.0},
           "statements_per_complete": 15, "worker_peak_rss_mb": 120.0}

_T0 = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - _T0:7.2f}s] {message}", file=sys.stderr, flush=True)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- database and server
class ThrowAwayPostgres:
    """A database of its own on the server of `url`, dropped on exit."""

    def __init__(self, url):
        from sqlalchemy.engine import make_url
        self.server = make_url(url)
        self.name = f"chainq_http_bench_{os.getpid()}"
        self.url = self.server.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql):
        from sqlalchemy import create_engine, text
        engine = create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def __enter__(self):
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def app_environment(url, work):
    env = dict(os.environ)
    env.update({"CHAINQ_DATABASE_URL": url, "CHAINQ_UPLOAD_FOLDER": str(work / "uploads"),
                "CHAINQ_SECRET_KEY": "bench-http-latency", "CHAINQ_DEPLOY_ON_START": "0",
                "CHAINQ_SCHEDULER_IN_APP": "0", "CHAINQ_SMTP_HOST": "", "CHAINQ_DEMO": "1", "PYTHONUNBUFFERED": "1"})
    return env


def flask(env, *args):
    """A `flask --app wsgi ...` command, as `make db` / `make demo` run it; returns its stdout."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with one worker of one thread serving bench/http_app.py (gthread: the sync worker keeps no
    connection alive); stopped (SIGTERM to its master) on exit."""

    def __init__(self, env, work):
        self.env, self.port, self.log_path = env, free_port(), work / "gunicorn.log"
        self.process = None

    def __enter__(self):
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread", "--threads", "1",
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--timeout", "120",
             "bench.http_app:app"], env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/openapi.json")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within 120 s:\n{self.log_tail()}")

    def log_tail(self):
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def memory_mb(pid):
    """VmHWM (peak resident set) and VmRSS of a process, in MB (1 MB = 2^20 bytes)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) / 1024     # the kernel reports kB
    return fields["VmHWM"], fields["VmRSS"]


# --------------------------------------------------------------------------- the client
class Client:
    """One HTTP connection, reused; each call timed and its statement count kept per call type."""

    def __init__(self, port, tokens):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tokens = tokens
        self.recording = False
        self.ms, self.statements, self.server_ms, self.server_cpu_ms = {}, {}, {}, {}
        self.worker_pid = None
        self.connection_header = None

    def call(self, kind, user, method, path, body=None, raw=None, content_type="application/json", expect=200):
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Accept": "application/json"}
        payload = raw if raw is not None else (json.dumps(body).encode("utf-8") if body is not None else None)
        if payload is not None:
            headers["Content-Type"] = content_type
        t0 = time.perf_counter()
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != expect:
            raise SystemExit(f"{method} {path} as {user}: HTTP {response.status} (expected {expect}): "
                             f"{data[:500].decode('utf-8', 'replace')}")
        self.worker_pid = int(response.getheader("X-Worker-Pid"))
        self.connection_header = response.getheader("Connection")
        if self.recording:
            self.ms.setdefault(kind, []).append(elapsed)
            self.statements.setdefault(kind, []).append(int(response.getheader("X-SQL-Statements")))
            self.server_ms.setdefault(kind, []).append(float(response.getheader("X-Server-Ms")))
            self.server_cpu_ms.setdefault(kind, []).append(float(response.getheader("X-Server-CPU-Ms")))
        return json.loads(data) if data else None

    def open_task(self, user, instance_id):
        page = self.call("inbox", user, "GET", "/api/v1/tasks")
        found = [t for t in page["items"] if t["instance_id"] == instance_id]
        if len(found) != 1:
            raise SystemExit(f"{user}'s inbox does not show exactly one task of case {instance_id}: {page}")
        return found[0]

    def case(self):
        """One two-step approval, start to end, as the three people involved drive it."""
        self.call("baseline", "applicant", "GET", "/api/v1/definitions")
        instance = self.call("start", "applicant", "POST", "/api/v1/instances", {"process_key": KEY}, expect=201)
        for user, kind in (("leader", "complete_first"), ("city", "complete_final")):
            task = self.open_task(user, instance["id"])
            done = self.call(kind, user, "POST", f"/api/v1/tasks/{task['id']}/complete",
                             {"data": APPROVE, "version": task["version"]})
            if done["status"] != "completed":
                raise SystemExit(f"task {task['id']} came back {done['status']}")


def summary(ms, statements, server_ms, server_cpu_ms):
    figures = {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2),
               "server_p50_ms": round(statistics.median(server_ms), 2),
               "server_cpu_p50_ms": round(statistics.median(server_cpu_ms), 2),
               "statements": statistics.median(statements)}
    if max(statements) != min(statements):
        figures["statements_range"] = [min(statements), max(statements)]
    return figures


# --------------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 cases instead of 2,000")
    parser.add_argument("--cases", type=int, help="timed cases (default 2,000; quick 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed cases first (default 20)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (e.g. postgresql+psycopg://"
                        "postgres@127.0.0.1:5432/postgres): the bench creates and drops a database of its own there")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (SQLite file, server log)")
    args = parser.parse_args()
    n = args.cases or (200 if args.quick else 2_000)
    # Stopped from outside (SIGTERM, or SIGINT in a background job, where the shell ignores it), the bench
    # still stops its gunicorn and drops its database: the `finally` and `__exit__` blocks run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    database = "postgresql" if args.postgres else "sqlite-file"

    work = Path(tempfile.mkdtemp(prefix="chainq-http-bench-"))
    try:
        if args.postgres:
            with ThrowAwayPostgres(args.postgres) as url:
                log(f"database: throw-away PostgreSQL database on {args.postgres.rsplit('/', 1)[0]}")
                result = run(url, work, n, args.warmup)
            log("throw-away database dropped")
        else:
            url = f"sqlite:///{work / 'chainq.db'}"
            log(f"database: {url}")
            result = run(url, work, n, args.warmup)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    complete_ms, complete_statements = result.pop("complete_ms"), result.pop("complete_statements")
    p50_limit = BUDGETS["complete_p50_ms"][database]
    checks = {
        "complete_p50_ms": (round(statistics.median(complete_ms), 2), p50_limit),
        "statements_per_complete": (max(complete_statements), BUDGETS["statements_per_complete"]),
        "worker_peak_rss_mb": (result["worker"]["peak_rss_mb"], BUDGETS["worker_peak_rss_mb"]),
    }
    budgets = {name: {"value": value, "limit": limit, "pass": value <= limit} for name, (value, limit) in checks.items()}
    output = {"bench": "http_latency", "quick": args.quick, "database": database, "cases": n, **result,
              "budgets": budgets, "all_pass": all(b["pass"] for b in budgets.values()),
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    for name, b in budgets.items():
        log(f"budget {name}: {b['value']} (limit {b['limit']}) {'PASS' if b['pass'] else 'FAIL'}")
    print(json.dumps(output, ensure_ascii=False))


def run(url, work, n, warmup):
    env = app_environment(url, work)
    log("flask db upgrade; flask seed-demo")
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    tokens = {user: flask(env, "issue-token", user).strip().splitlines()[-1] for user in USERS}
    log("tokens issued; starting gunicorn (1 sync worker)")
    with Gunicorn(env, work) as server:
        client = Client(server.port, tokens)
        deployed = client.call("deploy", "admin", "POST", f"/api/v1/definitions?filename={DIAGRAM.name}",
                               raw=DIAGRAM.read_bytes(), content_type="application/xml", expect=201)
        log(f"deployed {deployed['definition']['key']} v{deployed['definition']['version']} on port {server.port}; "
            f"{warmup} warm-up case(s)")
        for _ in range(warmup):
            client.case()
        pid = client.worker_pid
        rss_after_warmup = memory_mb(pid)[1]
        client.recording = True
        t0 = time.perf_counter()
        for i in range(n):
            client.case()
            if (i + 1) % max(1, n // 10) == 0:
                log(f"  {i + 1}/{n} cases")
        wall = time.perf_counter() - t0
        peak_rss, rss = memory_mb(pid)
        client.recording = False
        ended = client.call("check", "admin", "GET",
                            f"/api/v1/instances?process={KEY}&status=completed&per_page=1")["total"]
        if ended != n + warmup or client.worker_pid != pid:
            raise SystemExit(f"{ended} cases completed of {n + warmup}; worker {client.worker_pid} (was {pid})")
        keep_alive = (client.connection_header or "").lower() != "close"

    kinds = ("baseline", "start", "inbox", "complete_first", "complete_final")
    calls = {kind: summary(client.ms[kind], client.statements[kind], client.server_ms[kind],
                           client.server_cpu_ms[kind]) for kind in kinds}

    def completions(per_kind):
        return per_kind["complete_first"] + per_kind["complete_final"]
    complete_ms, complete_statements = completions(client.ms), completions(client.statements)
    calls["complete"] = summary(complete_ms, complete_statements, completions(client.server_ms),
                                completions(client.server_cpu_ms))
    return {
        "server": "gunicorn, 1 gthread worker of 1 thread, loopback",
        "keep_alive": keep_alive,
        "calls": calls,
        "ms_per_case": round(wall * 1000 / n, 2),
        "requests_per_case": 6,
        "worker": {"peak_rss_mb": round(peak_rss, 1), "rss_mb": round(rss, 1),
                   "rss_after_warmup_mb": round(rss_after_warmup, 1)},
        "warmup_cases": warmup,
        "complete_ms": complete_ms,
        "complete_statements": complete_statements,
    }


if __name__ == "__main__":
    main()
