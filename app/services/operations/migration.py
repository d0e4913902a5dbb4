"""Moving running cases to another version of their process (Camunda's process instance migration).

`dry_run` tells, for one case or a filtered set, which cases can move and which cannot and why: the
element the case is at is missing in the target (or one it passed, whose renamed id needs a
mapping), or the form of the step it waits at changed incompatibly (a required field added, a
field's type changed). `migrate_case` moves one case in one command, under its row lock: the
workflow through SpiffWorkflow's migration (app/engine/migration.py), then its inbox rows (element,
name, form of the new version), timer jobs and subscriptions, and an `instance_migrated` event on
the case's chain with both versions and the mapping. Batches of many cases: migration_batches.py.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ...engine import migration as engine_migration, runner
from ...extensions import db
from ...models import HumanTask, ProcessDefinition, ProcessInstance
from ...models.states import InstanceStatus, TaskStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, NotFound, ValidationFailed
from ..workflow import definitions
from ..workflow.engine_calls import audited_handlers, run_engine
from ..workflow.loading import case_for_update
from ..workflow.steps import apply_step
from .guard import require_admin

MOVABLE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)
MAX_CASES = 500      # one dry run reads each case's state: a larger set is narrowed by its filters


@dataclass
class CaseAssessment:
    """One case of a dry run: whether it can move to the target, and why not."""
    instance: ProcessInstance
    from_version: int
    at: list                     # element ids it is at now
    reasons: list = field(default_factory=list)    # what keeps it from moving, in the reader's language

    @property
    def movable(self):
        return not self.reasons


@dataclass
class DryRun:
    process_key: str
    target: ProcessDefinition
    mapping: dict
    cases: list

    @property
    def movable(self):
        return [c for c in self.cases if c.movable]

    @property
    def refused(self):
        return [c for c in self.cases if not c.movable]


def parse_mapping(text):
    """`old_id=new_id` (or `old_id -> new_id`), one pair a line or separated by commas, into a dict;
    a dict passes through. A malformed pair is refused naming the field `mapping`."""
    if isinstance(text, dict):
        pairs = list(text.items())
    else:
        pairs = []
        for part in str(text or "").replace(",", "\n").splitlines():
            if not part.strip():
                continue
            old, sep, new = part.replace("->", "=").partition("=")
            if not sep:
                raise ValidationFailed(_("Write each changed element as old_id=new_id."), {"mapping": [
                    _("'%(pair)s' is not of the form old_id=new_id.", pair=part.strip())]})
            pairs.append((old, new))
    mapping = {}
    for old, new in pairs:
        old, new = str(old).strip(), str(new).strip()
        if not old or not new:
            raise ValidationFailed(_("Write each changed element as old_id=new_id."), {"mapping": [
                _("An element id is missing in '%(pair)s'.", pair=f"{old}={new}")]})
        mapping[old] = new
    return mapping


def target_definition(process_key, to_version):
    try:
        version = int(to_version)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Choose the version to move to."), {"to": [_("A version is a whole number.")]}) \
            from None
    found = definitions.version_of(process_key, version)
    if found is None:
        raise NotFound(_("Process '%(key)s' has no version %(version)s.", key=process_key, version=version))
    return found


def _reason(obstacle):
    texts = {
        "missing_element": _("The case is at '%(element)s', which the target version does not have."),
        "passed_element_missing": _("The case passed '%(element)s', which the target version does not have "
                                    "(if it was renamed, map it to its new id)."),
        "missing_subprocess": _("The case is inside subprocess '%(element)s', which the target version does not "
                                "have."),
        "unknown_mapping": _("The mapping names '%(element)s', which is not an element of that version."),
        "required_field_added": _("The form of '%(element)s' now requires '%(field)s', which the case has no "
                                  "value for."),
        "field_type_changed": _("The form of '%(element)s' changed the type of '%(field)s'."),
    }
    return texts[obstacle.code] % {"element": obstacle.element_id, "field": obstacle.detail}


def assess(instance, target, mapping):
    """(reasons, workflow): why this case cannot move to `target` (none: it can), and its workflow."""
    if instance.status not in MOVABLE_STATUSES:
        return [_("The case has ended (%(status)s).", status=instance.status)], None
    if instance.definition_id == target.id:
        return [_("The case is already on version %(version)s.", version=target.version)], None
    source = definitions.compiled_by_id(instance.definition_id)
    compiled_target = definitions.compiled(target)
    workflow = runner.open_workflow(instance.state, source)
    found = engine_migration.check_mapping(source, compiled_target, mapping)
    found += engine_migration.obstacles(workflow, compiled_target, mapping)
    old_forms, new_forms = definitions.forms_by_id(instance.definition_id), definitions.forms_by_id(target.id)
    for ready in runner.ready_user_tasks(workflow):
        new_id = mapping.get(ready.element_id, ready.element_id)
        old_step, new_step = source.steps.get(ready.element_id), compiled_target.steps.get(new_id)
        if old_step is None or new_step is None:
            continue
        found += engine_migration.form_incompatibilities(
            new_id, old_forms.get(old_step.form_key), new_forms.get(new_step.form_key), ready.data)
    return [_reason(o) for o in dict.fromkeys(found)], workflow


def _selected(process_key, from_version, status, instance_id):
    query = select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id) \
        .where(ProcessInstance.process_key == process_key).order_by(ProcessInstance.id)
    if instance_id:
        if not str(instance_id).isdigit() or int(instance_id) > 2 ** 31 - 1:
            raise ValidationFailed(_("A case number is a whole number."), {"instance": [
                _("A case number is a whole number.")]})
        query = query.where(ProcessInstance.id == int(instance_id))
    if from_version not in (None, ""):
        try:
            query = query.where(ProcessDefinition.version == int(from_version))
        except ValueError:
            raise ValidationFailed(_("A version is a whole number."), {"from": [
                _("A version is a whole number.")]}) from None
    if status:
        if status not in MOVABLE_STATUSES:
            raise ValidationFailed(_("Only running or suspended cases can move."), {"status": [
                _("Choose running or suspended.")]})
        query = query.where(ProcessInstance.status == status)
    else:
        query = query.where(ProcessInstance.status.in_(MOVABLE_STATUSES))
    return db.session.execute(query.limit(MAX_CASES + 1)).scalars().all()


def select_cases(process_key, from_version=None, status="", instance_id=None):
    """The cases a dry run or a batch looks at (running or suspended; at most MAX_CASES)."""
    found = _selected(process_key, from_version, status, instance_id)
    if len(found) > MAX_CASES:
        raise ValidationFailed(_("More than %(n)d cases match: narrow the filter (version, status).", n=MAX_CASES),
                               {"from": [_("Too many cases.")]})
    return found


def dry_run(actor, process_key, to_version, from_version=None, status="", instance_id=None, mapping=None):
    """Which of the chosen cases can move to `to_version`, and why the others cannot (changes nothing)."""
    require_admin(actor)
    mapping = parse_mapping(mapping)
    target = target_definition(process_key, to_version)
    report = []
    for instance in select_cases(process_key, from_version, status, instance_id):
        reasons, workflow = assess(instance, target, mapping)
        at = engine_migration.current_elements(workflow) if workflow is not None else []
        report.append(CaseAssessment(instance, instance.definition.version, at, reasons))
    return DryRun(process_key, target, mapping, report)


def migrate_in(ctx, instance, target, mapping):
    """Move a locked case to `target` inside the running command. Returns the reasons it cannot
    move (nothing changed then), or [] when it moved."""
    if instance.status == InstanceStatus.SUSPENDED:
        return [_("The case is suspended: resume it first.")]
    reasons, workflow = assess(instance, target, mapping)
    if reasons:
        return reasons
    compiled = definitions.compiled(target)
    source_version = instance.definition.version
    try:
        run_engine(lambda: engine_migration.migrate(workflow, compiled, mapping))
    except engine_migration.MigrationFailed as exc:
        return [str(exc)]
    workflow = runner.open_workflow(runner.snapshot(workflow).state, compiled,
                                    audited_handlers(ctx, instance, ctx.actor))   # as the new version reads it
    ready = {r.spiff_id: r for r in runner.ready_user_tasks(workflow)}
    rows = ctx.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
    for row in rows:
        now = ready.get(row.spiff_task_id)
        if now is None:
            continue            # the step is gone after the migration: apply_step cancels the row
        step = compiled.steps.get(now.element_id)
        row.element_id, row.name = now.element_id, now.name[:200]
        row.form_key = step.form_key if step is not None else ""
        row.process_name = target.name[:200]
    instance.definition = target
    audit.record(ctx, "instance_migrated", actor=ctx.actor, instance_id=instance.id, data={
        "from_version": source_version, "to_version": target.version, "to_definition": target.id,
        "mapping": mapping, "at": engine_migration.current_elements(workflow)})
    apply_step(ctx, instance, compiled, workflow)
    return []


def migrate_case(actor, instance_id, process_key, to_version, mapping=None):
    """Move one case to another version of its process, or refuse naming why (409)."""
    require_admin(actor)
    mapping = parse_mapping(mapping)
    target = target_definition(process_key, to_version)
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.process_key != target.key:
            raise ValidationFailed(_("A case moves only to a version of its own process."), {"to": [
                _("Not a version of this case's process.")]})
        reasons = migrate_in(ctx, instance, target, mapping)
        if reasons:
            raise Conflict(_("The case cannot move: %(reasons)s", reasons=" ".join(reasons)), {"to": reasons})
    return instance
