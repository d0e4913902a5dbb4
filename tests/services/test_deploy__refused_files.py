"""One refused file in bpmn/ or rules/ is reported and skipped: the app still starts, every `flask`
command still runs, the other files deploy, and the refused one's deployed versions keep serving."""
import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import startup
from app.extensions import db
from app.models import ProcessDefinition
from app.services.errors import ValidationFailed
from app.services.workflow import cases, deploy

BROKEN = b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'


@pytest.fixture
def folders(app, tmp_path):
    root = Path(app.root_path).parent
    bpmn = tmp_path / "bpmn"
    shutil.copytree(root / "bpmn", bpmn)
    rules = tmp_path / "rules"
    shutil.copytree(root / "rules", rules)
    app.config.update(BPMN_FOLDER=str(bpmn), RULES_FOLDER=str(rules), DEPLOY_ON_START=True)
    return bpmn, rules


def _versions(key):
    return db.session.execute(select(func.max(ProcessDefinition.version))
                              .where(ProcessDefinition.key == key)).scalar()


def _change(path):
    path.write_text(path.read_text(encoding="utf-8").replace("区办审核", "区办初审"), encoding="utf-8")


def test_the_app_starts_and_deploys_the_other_files(app, folders, caplog, user):
    bpmn, _rules = folders
    _change(bpmn / "consortium_application.bpmn")
    before = _versions("achievement_admission")
    (bpmn / "achievement_admission.bpmn").write_bytes(BROKEN)
    with caplog.at_level(logging.WARNING):
        startup.prepare(app, serving=False)
    assert any("achievement_admission.bpmn not deployed" in r.getMessage() for r in caplog.records)
    assert _versions("consortium_application") == 2                          # the other files deployed
    assert _versions("achievement_admission") == before                      # the old version stays
    assert cases.start_instance(user("applicant"), "consortium_application").definition.version == 2

    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert "0 broken" in result.output


def test_flask_deploy_names_the_refused_file_deploys_the_rest_and_exits_1(app, folders):
    bpmn, _rules = folders
    _change(bpmn / "consortium_application.bpmn")
    (bpmn / "broken.bpmn").write_bytes(BROKEN)
    result = app.test_cli_runner().invoke(args=["deploy", "--lang", "en"])
    assert result.exit_code == 1
    assert "consortium_application v2 deployed" in result.output
    assert "broken.bpmn, line 1" in result.output


def test_a_refused_rules_file_is_skipped_and_the_processes_keep_their_rules(app, folders):
    _bpmn, rules = folders
    dmn = sorted(rules.glob("*.dmn"))[0]
    dmn.write_bytes(b"<definitions")
    results, refused = deploy.deploy_folder_skipping()
    assert [name for name, _message in refused] == [f"rules/{dmn.name}"]
    assert all(not created for _key, _version, created in results)          # nothing changed, nothing lost


def test_a_caller_that_needs_every_file_is_told_which_was_refused(app, folders):
    """deploy_folder (the tests' seed, the benches) deploys what it can, then refuses naming the file."""
    bpmn, _rules = folders
    _change(bpmn / "consortium_application.bpmn")
    (bpmn / "broken.bpmn").write_bytes(BROKEN)
    with pytest.raises(ValidationFailed) as refused:
        deploy.deploy_folder()
    assert list(refused.value.errors) == ["broken.bpmn"]
    assert _versions("consortium_application") == 2
