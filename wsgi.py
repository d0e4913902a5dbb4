"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

Deploys changed diagrams from bpmn/ at start-up (a changed file becomes a new
version; running cases keep theirs)."""
from app import create_app

app = create_app()

if app.config.get("DEPLOY_ON_START"):
    from sqlalchemy import inspect

    from app.extensions import db
    from app.services import definitions

    with app.app_context():
        if inspect(db.engine).has_table("process_definition"):
            for key, version, created in definitions.deploy_folder():
                if created:
                    app.logger.warning("deployed %s v%s", key, version)
