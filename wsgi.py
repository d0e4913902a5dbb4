"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

Deploys changed diagrams from bpmn/ at start-up (a changed file becomes a new
version; running cases keep theirs; CHAINQ_DEPLOY_ON_START=0 skips it). The
scheduler runs as its own process (`flask --app wsgi scheduler`); with
CHAINQ_SCHEDULER_IN_APP=1 a serving process (`flask run`, gunicorn) starts one too
(`make run` does so)."""
import sys

from app import create_app, startup

app = create_app()
startup.prepare(app, startup.is_serving(sys.argv))
