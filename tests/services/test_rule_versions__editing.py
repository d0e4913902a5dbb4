"""The rules editor's service: the deploy's own checks, each problem located by decision, rule and
column in the reader's language; a deploy with a change note redeploys the processes that evaluate
the rules; the file's id cannot change; only administrators."""
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DecisionDefinition
from app.services.errors import Forbidden
from app.services.workflow import rule_versions

KEY = "problem_severity_rules"


@pytest.fixture
def source(user):
    return rule_versions.rules_for_editing(user("admin"), KEY).definition.dmn_xml


def test_the_catalogue_names_the_processes_that_evaluate_each_file(app, user):
    entries = {e.definition.key: e for e in rule_versions.rules_catalogue(user("admin"))}
    assert set(entries) == {KEY, "project_risk_rules"}
    assert ("problem_report", 1) in [(key, version) for key, _name, version in entries[KEY].processes]


def test_a_problem_names_its_decision_rule_and_column(app, user, source):
    overlapping = source.replace("[2.5..4.0[", "[2.5..4.5[")
    with app.test_request_context(), force_locale("en"):
        problems = rule_versions.check_rules(user("admin"), KEY, overlapping)
    assert len(problems) == 1
    assert problems[0]["decision"] == "problem_severity" and problems[0]["element"] == "rule_important"
    assert "rules 1 and 2" in problems[0]["message"]
    with app.test_request_context(), force_locale("zh_CN"):
        problems = rule_versions.check_rules(user("admin"), KEY, source.replace("&gt;= 4.0<", "&gt;= 4.0 +<"))
    assert problems[0]["rule"] == 1 and problems[0]["column"] == "Weighted total"
    assert problems[0]["element"] == "rule_critical_total" and "第 1 条规则" in problems[0]["message"]


def test_unreadable_xml_is_one_problem_with_its_line(app, user):
    problems = rule_versions.check_rules(user("admin"), KEY, "<definitions")
    assert len(problems) == 1 and problems[0]["line"] == 1


def test_deploy_with_a_note_redeploys_the_processes(app, user, source):
    admin = user("admin")
    edited = source.replace("&gt;= 4.0", "&gt;= 3.5").replace("[2.5..4.0[", "[2.5..3.5[")
    result = rule_versions.deploy_rules(admin, KEY, edited, "关键问题门槛降到 3.5")
    assert result.problems == [] and (result.version, result.created) == (2, True)
    assert ("problem_report", 2) in result.redeployed
    event = db.session.execute(select(AuditEvent).where(AuditEvent.type == "decision_deployed")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert event.data["note"] == "关键问题门槛降到 3.5" and event.data["version"] == 2
    again = rule_versions.deploy_rules(admin, KEY, edited, "再次")
    assert (again.created, again.redeployed) == (False, [])


def test_refusals_deploy_nothing(app, user, source):
    admin = user("admin")
    assert rule_versions.deploy_rules(admin, KEY, source.replace("[2.5..4.0[", "[2.5..4.5["), "重叠").problems
    assert rule_versions.deploy_rules(admin, KEY, source, " ").problems[0]["element"] == "note"
    renamed = source.replace('id="problem_severity_rules"', 'id="other_rules"')
    assert "problem_severity_rules" in rule_versions.deploy_rules(admin, KEY, renamed, "改名").problems[0]["message"]
    assert db.session.execute(select(DecisionDefinition.version).where(DecisionDefinition.key == KEY)) \
        .scalars().all() == [1]


def test_only_administrators(app, user, source):
    for call in (lambda u: rule_versions.rules_catalogue(u), lambda u: rule_versions.check_rules(u, KEY, source),
                 lambda u: rule_versions.deploy_rules(u, KEY, source, "x")):
        with pytest.raises(Forbidden):
            call(user("manager"))
