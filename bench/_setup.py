"""Shared set-up for the benchmarks: an app on a fresh database, seeded like the tests do.

Imports only from `app.*` (never from tests/), so the benchmarks measure the
shipped code paths: create_app → db.create_all → demo accounts → deploy bpmn/.
"""
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.domain.districts import DISTRICTS  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import HumanTask, User  # noqa: E402
from app.models.states import TaskStatus  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.command import command  # noqa: E402
from app.services.registries.problems import commands as problems_commands  # noqa: E402
from app.services.workflow import (
    cases,
    deploy,
    tasks,  # noqa: E402
)

_T0 = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - _T0:7.2f}s] {message}", file=sys.stderr, flush=True)


def make_app(url, workdir, **extra):
    """The product app on `url`, configured as the test suite configures it."""
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(Path(workdir) / "uploads"),
              "WTF_CSRF_ENABLED": False, "DEPLOY_ON_START": False, "SECRET_KEY": "bench-secret",
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "FORCE_PASSWORD_CHANGE": False}
    config.update(extra)
    return create_app(config)


def reset_database():
    """Empty schema, demo accounts, every diagram in bpmn/ deployed (inside an app context)."""
    db.session.remove()
    db.drop_all()
    db.create_all()
    demo.seed_accounts()
    deploy.deploy_folder()


def check_postgres_url(url):
    """Create the bench database if missing; refuse a name without 'bench' (it is wiped)."""
    server, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    if "bench" not in name:
        raise SystemExit(f"refusing to wipe database '{name}': use a database whose name contains 'bench'")
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url


def drop_postgres_database(url):
    """Remove a bench database made by check_postgres_url (after the app's engine is disposed)."""
    server, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    if "bench" not in name:
        return
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


class Workdir:
    """A temporary directory for the SQLite files and uploads, removed at exit unless kept."""

    def __init__(self, keep=False):
        self.path = Path(tempfile.mkdtemp(prefix="chainq-bench-"))
        self.keep = keep

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if self.keep:
            log(f"kept {self.path}")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def sqlite_url(path):
    return f"sqlite:///{path}"


def user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def machine():
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0]}


# --------------------------------------------------------------------------- driving real cases
PROCESS = "consortium_application"
APPROVE = {"decision": "approve", "opinion": "同意。"}
CITY_APPROVE = {"decision": "approve", "opinion": "同意组建。"}
DISTRICT_CODES = list(DISTRICTS)
# (applicant, unit leader, lead unit name): the three demo units
TEAMS = [("applicant", "leader", demo.UNITS[0][1]), ("applicant2", "leader2", demo.UNITS[1][1]),
         ("applicant3", "leader3", demo.UNITS[2][1])]


def application(i, district=None):
    """A valid App. A form (credit codes computed by the demo helper, not invented)."""
    district = district or DISTRICT_CODES[i % len(DISTRICT_CODES)]
    lead = TEAMS[i % len(TEAMS)][2]
    return demo.application_data(f"测试{i}号", "智能装备", district, lead, members=3)


class Actors:
    """The demo users' ids; each command reloads its user, as a request's login loader does."""

    def __init__(self):
        self.teams = [(user(applicant).id, user(leader).id) for applicant, leader, _unit in TEAMS]
        self.district = {code: user(f"district_{code}").id for code in DISTRICT_CODES}
        self.city = user("city").id
        db.session.remove()


COMMAND_CLOCK = {"seconds": 0.0, "commands": 0}   # time inside service commands only


def request(fn, user_id, *args):
    """One web request: a fresh session, the logged-in user loaded, one service command.

    Only the service call itself is added to COMMAND_CLOCK; loading the user (the
    login loader's work) and ending the session are the web layer's.
    """
    try:
        actor = db.session.get(User, user_id)
        actor.group_keys
        t0 = time.perf_counter()
        try:
            return fn(actor, *args)
        finally:
            COMMAND_CLOCK["seconds"] += time.perf_counter() - t0
            COMMAND_CLOCK["commands"] += 1
    finally:
        db.session.remove()


def open_task_id(instance_id):
    """What the next actor clicks in the inbox (one indexed read, its own request)."""
    try:
        return db.session.execute(select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)).scalar_one()
    finally:
        db.session.remove()


def start_case(actors, i, district=None):
    """start_instance + fill_application (the applicant is the assignee: no claim)."""
    applicant, _leader = actors.teams[i % len(actors.teams)]
    instance_id = request(lambda actor: cases.start_instance(actor, PROCESS).id, applicant)
    request(tasks.complete, applicant, open_task_id(instance_id), application(i, district))
    return instance_id


def review(instance_id, approver_id, data=APPROVE, claim_only=False, claim=True):
    """A group task: claim, then complete (each its own command).

    claim=False completes without claiming, which tasks.complete also accepts from
    a candidate (one command instead of two).
    """
    task_id = open_task_id(instance_id)
    if claim or claim_only:
        request(tasks.claim, approver_id, task_id)
    if not claim_only:
        request(tasks.complete, approver_id, task_id, data)


def approved_case(actors, i, claim=True):
    """The approve path end to end: 8 service commands (5 with claim=False)."""
    district = DISTRICT_CODES[i % len(DISTRICT_CODES)]
    instance_id = start_case(actors, i, district)
    _applicant, leader = actors.teams[i % len(actors.teams)]
    review(instance_id, leader, claim=claim)
    review(instance_id, actors.district[district], claim=claim)
    review(instance_id, actors.city, CITY_APPROVE, claim=claim)
    return instance_id


def seed_problems(consortium_id, count):
    """`count` problems of the consortium's library (untimed set-up), each through the library's command."""
    ids = []
    for k in range(count):
        data = {"consortium_id": consortium_id, "title": f"柔轮早期断裂问题{k}", "segment": "midstream",
                "link": "零部件", "node": "柔轮热处理", "products": "RV-40E", "description": "近12个月柔轮早期断裂7起。",
                "category": "technology", "reporter_unit_name": "广州测试单位", "reporter_name": "陈工",
                "defect_rate": "2.4", "complaints": 7, "gap_value": "40", "gap_unit": "%",
                "technical_roots": ["material", "process"], "management_roots": ["skills"], "is_generic": True,
                "impact_score": 4, "diffusion_score": 3, "urgency_score": 4, "report_date": "2026-03-01"}
        with command() as ctx:
            ids.append(problems_commands.register_problem(ctx, None, data)["problem_id"])
        db.session.remove()
    return ids
