"""Migrating running cases to another version: the dry run says who can move and why not; a
migrated case goes on on the new version; a batch resumes after a crash."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, MigrationItem
from app.services.audit import replay
from app.services.errors import Conflict, Forbidden
from app.services.operations import migration, migration_batches
from app.services.workflow import cases, deploy, tasks
from app.services.workflow.forms import load_forms

from .migration_diagrams import version_1, version_2


def open_rows(case):
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == "open")).scalars().all()


def complete_open(user, case, data=None):
    [row] = open_rows(case)
    tasks.complete(user, row.id, data or {"decision": "approve", "opinion": "同意"})
    return row


@pytest.fixture
def three_cases(app, user):
    """v1 deployed; one case at `fill`, one at `review` (renamed in v2), one at `side_step` (removed in v2)."""
    deploy.deploy(user("admin"), version_1("moving"), "moving.bpmn")
    at_fill = cases.start_instance(user("applicant"), "moving")
    at_review = cases.start_instance(user("applicant"), "moving")
    complete_open(user("applicant"), at_review, {"way": "main"})
    at_side = cases.start_instance(user("applicant"), "moving")
    complete_open(user("applicant"), at_side, {"way": "side"})
    deploy.deploy(user("admin"), version_2("moving"), "moving.bpmn")
    return at_fill, at_review, at_side


def test_the_dry_run_says_which_cases_can_move_and_why_not(app, user, three_cases):
    at_fill, at_review, at_side = three_cases
    report = migration.dry_run(user("admin"), "moving", 2, from_version=1)
    by_id = {c.instance.id: c for c in report.cases}
    assert by_id[at_fill.id].movable
    assert not by_id[at_review.id].movable and "review" in by_id[at_review.id].reasons[0]
    assert "side_step" in by_id[at_side.id].reasons[0]

    mapped = migration.dry_run(user("admin"), "moving", 2, from_version=1, mapping="review=check")
    by_id = {c.instance.id: c for c in mapped.cases}
    assert by_id[at_fill.id].movable and by_id[at_review.id].movable and not by_id[at_side.id].movable
    assert by_id[at_review.id].at == ["review"]
    with pytest.raises(Forbidden):
        migration.dry_run(user("city"), "moving", 2)


def test_a_migrated_case_goes_on_on_the_new_version_and_reaches_the_new_step(app, user, three_cases):
    at_fill, at_review, at_side = three_cases
    migration.migrate_case(user("admin"), at_review.id, "moving", 2, mapping={"review": "check"})
    assert at_review.definition.version == 2
    [row] = open_rows(at_review)
    assert (row.element_id, row.name, row.form_key) == ("check", "复核", "review_opinion")
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == at_review.id, AuditEvent.type == "instance_migrated")).scalar_one()
    assert event.data["from_version"] == 1 and event.data["to_version"] == 2
    assert event.data["mapping"] == {"review": "check"}

    complete_open(user("city"), at_review)
    [row] = open_rows(at_review)
    assert row.element_id == "extra"                                   # the step v2 added
    assert replay.reexecute(user("auditor"), at_review).ok            # v1, the migration, then v2
    complete_open(user("city"), at_review)
    db.session.refresh(at_review)
    assert at_review.status == "completed"

    with pytest.raises(Conflict, match="side_step"):
        migration.migrate_case(user("admin"), at_side.id, "moving", 2)
    assert at_side.definition.version == 1 and open_rows(at_side)[0].element_id == "side_step"


def test_a_required_field_added_to_the_current_form_is_refused(app, user):
    forms = load_forms(app.config["FORMS_FOLDER"])
    stricter = {**forms["review_opinion"], "required": ["decision", "score"],
                "properties": {**forms["review_opinion"]["properties"], "score": {"type": "integer"}}}
    deploy.deploy(user("admin"), version_2("formed"), "formed.bpmn")
    case = cases.start_instance(user("applicant"), "formed")
    complete_open(user("applicant"), case, {"way": "main"})
    deploy.deploy(user("admin"), version_2("formed", "stricter"), "formed.bpmn", forms={**forms, "stricter": stricter})
    [assessed] = migration.dry_run(user("admin"), "formed", 2).cases
    assert "score" in assessed.reasons[0] and "check" in assessed.reasons[0]


def test_a_batch_migrates_each_case_and_resumes_after_a_crash(app, user, three_cases, monkeypatch):
    at_fill, at_review, at_side = three_cases
    batch = migration_batches.start_batch(user("admin"), "moving", 2, from_version=1, mapping="review=check")
    assert migration_batches.progress(user("admin"), batch.id).pending == 3

    real = migration_batches.migrate_in
    calls = []

    def crash_on_second(ctx, instance, target, mapping):
        calls.append(instance.id)
        if len(calls) == 2:
            raise KeyboardInterrupt       # the process dies mid-batch: nothing of this case is saved
        return real(ctx, instance, target, mapping)
    monkeypatch.setattr(migration_batches, "migrate_in", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        migration_batches.run_batch(user("admin"), batch.id)
    monkeypatch.setattr(migration_batches, "migrate_in", real)
    halfway = migration_batches.progress(user("admin"), batch.id)
    assert halfway.counts == {"migrated": 1, "pending": 2}

    done = migration_batches.run_batch(user("admin"), batch.id)        # a re-run goes on with the pending rows
    status = {i.instance_id: (i.status, i.reason) for i in done.items}
    assert status[at_fill.id][0] == status[at_review.id][0] == "migrated"
    assert status[at_side.id][0] == "failed" and "side_step" in status[at_side.id][1]
    assert done.batch.finished_at is not None and done.pending == 0
    assert db.session.execute(select(MigrationItem.instance_id).where(
        MigrationItem.batch_id == batch.id).order_by(MigrationItem.id)).scalars().all() == [
        at_fill.id, at_review.id, at_side.id]
    migrated = db.session.execute(select(AuditEvent.instance_id).where(
        AuditEvent.type == "instance_migrated")).scalars().all()
    assert sorted(migrated) == sorted([at_fill.id, at_review.id])       # once each, the crash left no trace
    complete_open(user("applicant"), at_fill, {"way": "main"})
    assert open_rows(at_fill)[0].element_id == "check"


def test_the_cli_runs_what_a_batch_has_pending(app, user, three_cases):
    at_fill, _at_review, _at_side = three_cases
    batch = migration_batches.start_batch(user("admin"), "moving", 2, instance_id=at_fill.id)
    result = app.test_cli_runner().invoke(args=["migrate-cases", str(batch.id)])
    assert result.exit_code == 0 and "1 migrated, 0 failed, 0 pending" in result.output
    assert app.test_cli_runner().invoke(args=["migrate-cases", "999"]).exit_code != 0
