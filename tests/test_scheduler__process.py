"""The scheduler as its own process (`flask scheduler`); serving processes start one only when configured."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from app import startup
from app.extensions import db
from app.models import TimerJob
from app.services.workflow import cases, deploy
from tests.services.test_timers__jobs import timer_diagram

ROOT = Path(__file__).resolve().parent.parent


def test_flask_scheduler_fires_timers_logs_with_ids_and_stops_on_sigterm(app, user, tmp_path):
    deploy.deploy(user("admin"), timer_diagram("own_process", "PT1S"), "own_process.bpmn")
    case = cases.start_instance(user("applicant"), "own_process")
    db.session.remove()
    env = dict(os.environ, FLASK_APP="wsgi", CHAINQ_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               CHAINQ_DEPLOY_ON_START="0", CHAINQ_UPLOAD_FOLDER=str(tmp_path / "uploads"),
               CHAINQ_SCHEDULER_RECHECK_SECONDS="0.2", CHAINQ_LOG_FORMAT="json")
    process = subprocess.Popen([sys.executable, "-m", "flask", "scheduler"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, status = time.monotonic() + 30, None
        while status != "done" and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            db.session.rollback()
            status = db.session.execute(select(TimerJob.status).where(TimerJob.instance_id == case.id)).scalar()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert status == "done", err[-2000:]
    assert process.returncode == 0, err[-2000:]
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    [fired] = [line for line in lines if line["message"] == "fired 1 timer job(s)"]
    assert fired["logger"] == "app.scheduler" and fired["request_id"].startswith("timers-")
    assert any(line["message"] == "scheduler stopped" for line in lines)


def test_a_serving_process_starts_a_scheduler_only_when_configured(app):
    app.config["DEPLOY_ON_START"] = False
    assert startup.prepare(app, serving=True) is None             # the production default
    app.config["SCHEDULER_IN_APP"] = True
    assert startup.prepare(app, serving=False) is None            # `flask <command>`: never
    running = startup.prepare(app, serving=True)                  # `make run`: the dev server runs it
    try:
        assert running is not None and running.scheduler.get_job("recheck") is not None
    finally:
        running.shutdown()


def test_which_processes_serve():
    assert startup.is_serving(["/srv/.venv/bin/gunicorn", "-w", "4", "wsgi:app"])
    assert startup.is_serving(["/srv/.venv/bin/flask", "run"])
    assert not startup.is_serving(["/srv/.venv/bin/flask", "scheduler"])
    assert not startup.is_serving(["/srv/lib/python3.11/site-packages/flask/__main__.py", "fire-timers"])
