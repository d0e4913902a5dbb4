"""What a serving process does once the app is built (wsgi.py): deploy changed diagrams, and
start the scheduler in-process when SCHEDULER_IN_APP says so (the development server; in
production the scheduler is its own process, `flask scheduler`).

Nothing here touches the database unless a setting asks for it: gunicorn's --preload builds
the app in the master, and a connection opened there would be shared by the forked workers."""
import os

from sqlalchemy import inspect

from . import scheduler
from .extensions import db
from .services.workflow import deploy


def is_serving(argv):
    """gunicorn and `flask run` serve; any other `flask <command>` (also `python -m flask …`) does not."""
    program = argv[0] if argv else ""
    flask_cli = os.path.basename(program).startswith("flask") or program.endswith(os.path.join("flask", "__main__.py"))
    return not flask_cli or "run" in argv[1:]


def prepare(app, serving):
    """Returns the in-process scheduler when one was started, else None."""
    if app.config["DEPLOY_ON_START"]:
        with app.app_context():
            if inspect(db.engine).has_table("process_definition"):
                # a refused file is logged and skipped (deploy_folder_skipping): its deployed versions
                # keep serving, and every `flask` command (verify-audit, backup …) still runs
                results, _refused = deploy.deploy_folder_skipping()
                for key, version, created in results:
                    if created:
                        app.logger.warning("deployed %s v%s", key, version)
    if not (serving and app.config["SCHEDULER_IN_APP"]):
        return None
    with app.app_context():
        if not inspect(db.engine).has_table("audit_anchor"):
            app.logger.warning("scheduler not started: the database is not migrated (flask db upgrade)")
            return None
    return scheduler.start(app)
