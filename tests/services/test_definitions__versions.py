"""Deploys: changed content is version N+1, running cases keep their version and
forms, and diagrams the engine must not run are refused naming the element."""
import json
import shutil
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProcessDefinition
from app.services.errors import Forbidden, ValidationFailed
from app.services.workflow import cases, definitions, deploy, tasks


def _copy_sources(tmp_path, root):
    shutil.copytree(root / "bpmn", tmp_path / "bpmn")
    shutil.copytree(root / "forms", tmp_path / "forms")
    return tmp_path / "bpmn", tmp_path / "forms"


@pytest.fixture
def sources(tmp_path, app):
    from pathlib import Path
    return _copy_sources(tmp_path, Path(app.root_path).parent)


def test_unchanged_files_are_not_a_new_version(app, sources):
    bpmn, forms = sources
    assert ("consortium_application", 1, False) in deploy.deploy_folder(bpmn_folder=bpmn, forms_folder=forms)


def test_an_administrator_deploying_an_earlier_versions_content_gets_a_new_version(app, sources, user):
    """A deliberate revert: v1's content deployed after v2 is v3; the same again changes nothing."""
    bpmn, _forms = sources
    admin, path = user("admin"), bpmn / "consortium_application.bpmn"
    original = path.read_bytes()
    changed = original.replace("区办审核".encode(), "区办初审".encode())
    assert deploy.deploy(admin, changed, path.name)[0].version == 2
    reverted, created = deploy.deploy(admin, original, path.name)
    assert (reverted.version, created) == (3, True)
    assert definitions.latest("consortium_application").content_hash == reverted.content_hash
    assert deploy.deploy(admin, original, path.name)[0].version == 3              # same as the newest
    assert deploy.deploy(admin, original, path.name)[1] is False


def test_a_file_on_disk_replaced_in_the_browser_does_not_come_back_at_start_up(app, sources, user):
    """Start-up synchronises bpmn/: content any version already had is not deployed again."""
    bpmn, forms = sources
    path = bpmn / "consortium_application.bpmn"
    edited = path.read_bytes().replace("区办审核".encode(), "区办初审".encode())
    assert deploy.deploy(user("admin"), edited, path.name)[0].version == 2        # the modeler's version
    results, refused = deploy.deploy_folder_skipping(bpmn_folder=bpmn, forms_folder=forms)
    assert refused == [] and ("consortium_application", 1, False) in results
    assert ("consortium_application", 1, False) in deploy.deploy_folder(bpmn_folder=bpmn, forms_folder=forms)
    assert definitions.latest("consortium_application").version == 2


def test_two_hosts_starting_at_once_deploy_a_changed_file_once(app, sources, monkeypatch):
    """Both read that the content is new before either writes (held at a barrier where the database
    lets them: PostgreSQL; SQLite's write lock makes them take turns): the second one's duplicate
    version is a conflict, and its second try finds the first one's version."""
    bpmn, forms = sources
    path = bpmn / "consortium_application.bpmn"
    path.write_bytes(path.read_bytes().replace("区办审核".encode(), "区办初审".encode()))
    barrier, real = threading.Barrier(2), deploy._unchanged

    def both_read_first(*args):
        found = real(*args)
        try:
            barrier.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return found
    monkeypatch.setattr(deploy, "_unchanged", both_read_first)
    db.session.remove()
    outcomes = []

    def start_host():
        with app.app_context():
            try:
                results, refused = deploy.deploy_folder_skipping(bpmn_folder=bpmn, forms_folder=forms)
                outcomes.append([r for r in results if r[0] == "consortium_application"] + refused)
            except Exception as exc:      # what this test looks for
                outcomes.append(repr(exc))
            finally:
                db.session.remove()
    hosts = [threading.Thread(target=start_host) for _ in range(2)]
    for host in hosts:
        host.start()
    for host in hosts:
        host.join()
    assert sorted(outcomes, key=repr) == [[("consortium_application", 2, False)], [("consortium_application", 2, True)]], \
        outcomes
    assert definitions.latest("consortium_application").version == 2


def test_changed_diagram_or_form_is_a_new_version_and_running_cases_keep_theirs(
        app, sources, user, open_task, application_form):
    bpmn, forms = sources
    applicant = user("applicant")
    old_case = cases.start_instance(applicant, "consortium_application")

    path = bpmn / "consortium_application.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("区办审核",
                                                             "区办初审"), encoding="utf-8")
    schema = json.loads((forms / "review_opinion.json").read_text(encoding="utf-8"))
    schema["properties"]["opinion"]["maxLength"] = 500
    (forms / "review_opinion.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert ("consortium_application", 2, True) in deploy.deploy_folder(bpmn_folder=bpmn, forms_folder=forms)

    new_case = cases.start_instance(applicant, "consortium_application")
    assert (old_case.definition.version, new_case.definition.version) == (1, 2)
    tasks.complete(applicant, open_task(old_case).id, application_form())
    lead = open_task(old_case)
    assert tasks.form_of(lead)["properties"]["opinion"]["maxLength"] == 2000   # v1's form
    tasks.claim(user("leader"), lead.id)
    tasks.complete(user("leader"), lead.id, {"decision": "approve", "opinion": "同意"})
    assert open_task(old_case).name == "区办审核"          # v1's diagram


def _diagram(body):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="bad_process" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
{body}
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


SCRIPT = _diagram("""    <bpmn:scriptTask id="run_shell" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:script>import os; os.system('id')</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run_shell"/>""")
IMPORT = _diagram("""    <bpmn:exclusiveGateway id="gw"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>__import__('os').system('id')</bpmn:conditionExpression></bpmn:sequenceFlow>""")


@pytest.mark.parametrize("xml, element", [(SCRIPT, "run_shell"), (IMPORT, "f2")])
def test_refused_diagrams_name_the_element_and_deploy_nothing(app, user, xml, element):
    with pytest.raises(ValidationFailed) as refused:
        deploy.deploy(user("admin"), xml, "bad_process.bpmn")
    assert f"元素“{element}”" in refused.value.message and " 行" in refused.value.message   # the default language
    assert db.session.execute(select(ProcessDefinition).where(ProcessDefinition.key == "bad_process")).first() is None


def test_entity_expansion_is_refused(app, user):
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"""
    with pytest.raises(ValidationFailed) as refused:
        deploy.deploy(user("admin"), bomb, "bomb.bpmn")
    assert "DOCTYPE" in refused.value.message


def test_only_administrators_deploy(app, user):
    with pytest.raises(Forbidden):
        deploy.deploy(user("city"), SCRIPT, "x.bpmn")


def test_the_compiled_definition_cache_belongs_to_one_app(app, tmp_path):
    """Ids are immutable within a database, not across databases: a second app on another
    database whose definition 1 is a different process must not get this app's cached one."""
    from tests.support import make_app
    first = db.session.get(ProcessDefinition, 1)
    assert definitions.compiled_by_id(1).key == first.key             # cached in this app
    (tmp_path / "other").mkdir()
    other = make_app(f"sqlite:///{tmp_path / 'other' / 'other.db'}", tmp_path / "other")
    with other.app_context():
        db.create_all()
        deploy.deploy(None, b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="only_here" isExecutable="true"><bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" /></bpmn:process>
</bpmn:definitions>""", "only_here.bpmn", forms={})
        assert definitions.compiled_by_id(1).key == "only_here"
        db.session.remove()
        db.engine.dispose()
    assert definitions.compiled_by_id(1).key == first.key
