"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

Deploys changed diagrams from bpmn/ at start-up (a changed file becomes a new
version; running cases keep theirs) and starts the scheduler (daily audit
anchors) unless CHAINQ_SCHEDULER=0."""
import os
import sys

from app import create_app
from app.services.workflow import deploy

app = create_app()

if app.config.get("DEPLOY_ON_START"):
    from sqlalchemy import inspect

    from app.extensions import db

    with app.app_context():
        if inspect(db.engine).has_table("process_definition"):
            for key, version, created in deploy.deploy_folder():
                if created:
                    app.logger.warning("deployed %s v%s", key, version)

        anchors_ready = inspect(db.engine).has_table("audit_anchor")
    serving = not (os.path.basename(sys.argv[0]).startswith("flask") and "run" not in sys.argv[1:])
    if serving and anchors_ready and os.environ.get("CHAINQ_SCHEDULER", "1") == "1":
        from app import scheduler
        scheduler.start(app)
