"""A Python client generated from /api/openapi.json (openapi-python-client) drives a case over HTTP.

The client is generated at test time (a few seconds) into a temporary folder, from the document
the live server serves, and imported from there: so the document is what client generators need
(operation ids become the function names, the schemas the models, the bearer scheme the auth).
As the applicant it starts a consortium application and completes its first task.
"""
import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import demo
from app.services.identity import users
from tests.support import database_url, make_app, reset_database

from .live_server import LiveServer

PACKAGE = "chainq_client"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(server URL, the applicant's token) of a gunicorn server on a copy of the seeded SQLite database."""
    folder = tmp_path_factory.mktemp("generated-client")
    app = make_app(database_url("sqlite", folder), folder)
    with app.app_context():
        reset_database()
        applicant = db.session.execute(select(User).where(User.username == "applicant")).scalar_one()
        token = users.issue_token(applicant)
        db.session.remove()
        with LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], folder, workers=1) as server:
            yield f"http://127.0.0.1:{server.port}", token
        db.engine.dispose()


def generate_client(base_url, folder):
    """Generate the client package from the served document into `folder`; import it."""
    with urllib.request.urlopen(f"{base_url}/api/openapi.json") as response:
        (folder / "openapi.json").write_bytes(response.read())
    # no post hooks: the generator would run ruff from PATH on the generated code
    (folder / "config.json").write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE}))
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run([str(generator), "generate", "--path", str(folder / "openapi.json"), "--meta", "none",
                    "--output-path", str(folder / PACKAGE), "--config", str(folder / "config.json")],
                   check=True, capture_output=True, timeout=120)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


def test_a_generated_client_starts_a_case_and_completes_its_task(live, tmp_path):
    base_url, token = live
    client_package = generate_client(base_url, tmp_path)
    api = importlib.import_module(f"{PACKAGE}.api.api_v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in ("start_instance", "list_tasks", "get_task", "complete_task"):
        importlib.import_module(f"{PACKAGE}.api.api_v1.{name}")
    client = client_package.AuthenticatedClient(base_url=base_url, token=token)

    case = api.start_instance.sync(client=client, body=models.Start(process_key="consortium_application"))
    assert isinstance(case, models.Instance) and case.status == "running"

    inbox = api.list_tasks.sync(client=client)
    [task] = [t for t in inbox.items if t.instance_id == case.id]
    detail = api.get_task.sync(client=client, task_id=task.id)
    assert detail.element_id == "fill_application"

    form = demo.application_data("智能装备", "智能装备", "tianhe", "广州测试牵头单位有限公司", 2)
    done = api.complete_task.sync(client=client, task_id=task.id, body=models.Complete.from_dict(
        {"data": form, "version": detail.version}))
    assert isinstance(done, models.Task) and done.status == "completed"

    refused = api.complete_task.sync_detailed(client=client, task_id=task.id, body=models.Complete.from_dict(
        {"data": form, "version": detail.version}))
    assert refused.status_code == 409 and isinstance(refused.parsed, models.Error)
