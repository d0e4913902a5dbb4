"""Command-line commands: thin wrappers that call services."""
import json
import sys

import click
from flask import current_app
from flask.cli import ScriptInfo, pass_script_info
from flask_babel import force_locale
from sqlalchemy import select

from . import scheduler
from .extensions import db
from .models import MigrationBatch, User
from .services import backup, demo, demo_achievements, demo_projects, demo_sharing
from .services.audit import replay, search as audit_search, trail as audit
from .services.audit.exports import csv_export, ocel, xes
from .services.errors import ValidationFailed
from .services.identity import accounts, users
from .services.operations import migration_batches
from .services.workflow import deploy, timer_firing


@click.command("deploy")
@click.option("--folder", default=None, help="Folder of .bpmn files (default: bpmn/)")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None,
              help="Language of a refusal (default: the UI's default, Chinese)")
def deploy_command(folder, lang):
    """Deploy every DMN file in rules/ and diagram in bpmn/ (a changed file becomes a new version). A
    refused file is named with its line and element and left out (its deployed versions stay in
    service); the others are deployed. The exit status is 1 when any file was refused."""
    with force_locale(lang or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        results, refused = deploy.deploy_folder_skipping(bpmn_folder=folder)
    for key, version, created in results:
        click.echo(f"{key} v{version} {'deployed' if created else 'unchanged'}")
        for warning in [] if key.startswith("rules/") else deploy.warnings_of(key):
            click.echo(f"  warning: {warning}")
    for _name, message in refused:
        click.echo(message, err=True)
    if refused:
        sys.exit(1)


def _read_kept_anchors(path):
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["anchors"]


def _report(check):
    """Print a verification as `flask verify-audit` does; True when everything holds."""
    bad = [r for r in check.chains if not r.ok]
    for r in bad:
        click.echo(f"BROKEN {r.chain}: event #{r.broken_seq} (id {r.broken_id}): {r.reason}")
    click.echo(f"{len(check.chains)} chain(s), {sum(r.events for r in check.chains)} event(s), {len(bad)} broken")
    if not check.anchors.ok:
        click.echo(f"BROKEN anchor of {check.anchors.broken_day}: {check.anchors.reason}")
    click.echo(f"{check.anchors.anchors} daily anchor(s), {'all hold' if check.anchors.ok else 'one broken'}")
    if check.kept is not None:
        if not check.kept.ok:
            click.echo(f"BROKEN against the kept anchors, {check.kept.broken_day}: {check.kept.reason}")
        click.echo(f"{check.kept.anchors} kept anchor(s), {'all hold' if check.kept.ok else 'one broken'}")
    return check.ok


@click.command("verify-audit")
@click.option("--anchors", "anchors_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="anchors kept outside the database (flask export-anchors): each must still hold here")
def verify_audit_command(anchors_file):
    """Verify every audit hash chain; name the first broken link of each bad chain."""
    sys.exit(0 if _report(backup.verify(_read_kept_anchors(anchors_file))) else 1)


@click.command("export-anchors")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
def export_anchors_command(out):
    """Write every daily audit anchor to a JSON file, to be kept outside the database."""
    anchors = audit.anchors_as_records()
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"anchors": anchors}, handle, ensure_ascii=False, indent=1)
    click.echo(f"{len(anchors)} anchor(s) written to {out}")


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False), required=True,
              help="the backup file (pg_dump custom format on PostgreSQL, a database file on SQLite)")
def backup_command(out):
    """Back up the whole database while the app runs (pg_dump, or SQLite's online backup API)."""
    try:
        size = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {out} ({size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already holds tables")
@click.option("--anchors", "anchors_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="anchors kept outside the database (flask export-anchors), checked after the restore")
def restore_command(source, force, anchors_file):
    """Restore a backup into this app's database, then verify the audit trail as verify-audit does."""
    kept = _read_kept_anchors(anchors_file)
    db.session.remove()
    db.engine.dispose()          # no connection of ours may stay on the database being replaced
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    db.engine.dispose()
    click.echo(f"restored {source}; verifying the audit trail")
    sys.exit(0 if _report(backup.verify(kept)) else 1)


@click.command("fire-timers")
def fire_timers_command():
    """Fire every timer job that is due (the scheduler does this continuously)."""
    click.echo(f"{timer_firing.fire_due()} timer job(s) fired")


@click.command("scheduler")
@click.option("--metrics-port", type=int, default=None, envvar="CHAINQ_SCHEDULER_METRICS_PORT",
              help="Serve this process's metrics at http://127.0.0.1:PORT/metrics (a host without app workers)")
@pass_script_info
def scheduler_command(info: ScriptInfo, metrics_port):
    """Run the scheduler in the foreground until SIGTERM: fires timers, anchors the audit daily."""
    scheduler.run(info.load_app(), metrics_port=metrics_port)


@click.command("anchor-audit")
def anchor_audit_command():
    """Record today's anchor of every audit chain's head (the scheduler does this daily)."""
    day = replay.anchor_today()
    click.echo(f"anchored {day}" if day else "today is already anchored")


@click.command("seed-demo")
def seed_demo_command():
    """Create demo accounts (one per role) and demo cases."""
    demo.seed_accounts()
    _results, refused = deploy.deploy_folder_skipping()
    for _name, message in refused:
        click.echo(message, err=True)
    created = demo.seed_cases()
    problems = demo.seed_problems()
    created += demo.seed_problem_processes()
    created += demo_projects.seed_project_processes()
    created += demo_achievements.seed_achievements()
    created += demo_sharing.seed_sharing()
    click.echo(f"demo accounts ready (password '{demo.DEMO_PASSWORD}'); {created} demo case(s) and "
               f"{problems} demo problem(s) created")


@click.command("create-user")
@click.argument("username")
@click.argument("display_name")
@click.option("--password", prompt=True, hide_input=True)
@click.option("--group", "groups", multiple=True, help="a group key (repeat for several)")
@click.option("--unit", default="", help="a unit key")
@click.option("--district", default="", help="a district code (district offices)")
@click.option("--email", default="", help="where e-mail copies of notifications go")
@click.option("--force-change/--no-force-change", "force_change", default=True,
              help="The user must change the password at the first login (default; not enforced in demo "
                   "mode). --no-force-change: for a scripted setup whose accounts keep the given password.")
def create_user_command(username, display_name, password, groups, unit, district, email, force_change):
    """Create a user in existing groups, checked as the administrators' account page checks it (a
    taken name, an unknown group or unit, a weak password are refused, naming each; exit status 1)."""
    data = accounts.AccountInput(username=username, display_name=display_name, email=email, unit=unit,
                                 district=district, groups=list(groups), password=password)
    try:
        accounts.create_account(None, data, must_change=force_change)
    except ValidationFailed as exc:
        click.echo(exc.message, err=True)
        for field_name, problems in exc.errors.items():
            for problem in problems:
                click.echo(f"  {field_name}: {problem}", err=True)
        sys.exit(1)
    click.echo(f"user {username} created" + ("" if force_change else " (no password change required)"))


@click.command("issue-token")
@click.argument("username")
def issue_token_command(username):
    """Issue an API token for a user (shown once)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    click.echo(users.issue_token(user))


@click.command("export-log")
@click.option("--format", "fmt", type=click.Choice(["csv", "xes", "ocel"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@click.option("--process", default="", help="only cases of this process key")
@click.option("--district", default="")
@click.option("--from", "date_from", default="", help="cases started on or after YYYY-MM-DD")
@click.option("--to", "date_to", default="")
def export_log_command(fmt, out, process, district, date_from, date_to):
    """Export the audit trail of cases as CSV, an XES event log or an OCEL 2.0 log (auditor's view)."""
    auditor = db.session.execute(select(User).where(
        User.groups.any(key="auditors"))).scalars().first()
    if auditor is None:
        raise click.ClickException("no auditor account exists to export as")
    cases = audit_search.matching_cases(auditor, audit_search.CaseFilter(
        process_key=process, district=district, date_from=date_from, date_to=date_to))
    if fmt == "csv":
        payload = csv_export.to_csv(cases).encode("utf-8")
    elif fmt == "xes":
        payload = xes.to_xes(cases)
    else:
        payload = json.dumps(ocel.to_ocel(cases), ensure_ascii=False, indent=1).encode("utf-8")
    with open(out, "wb") as handle:
        handle.write(payload)
    click.echo(f"{len(cases)} case(s) written to {out}")


@click.command("migrate-cases")
@click.argument("batch_id", type=int)
def migrate_cases_command(batch_id):
    """Run a migration batch's pending cases (a re-run goes on where a stopped one left off), as the
    administrator who ordered it."""
    batch = db.session.get(MigrationBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"no migration batch {batch_id}")
    done = migration_batches.run_batch(batch.created_by, batch_id)
    click.echo(f"batch {batch_id}: {done.counts.get('migrated', 0)} migrated, "
               f"{done.counts.get('failed', 0)} failed, {done.pending} pending")


def init_app(app):
    for cmd in (deploy_command, verify_audit_command, anchor_audit_command, export_anchors_command,
                backup_command, restore_command, export_log_command, fire_timers_command, scheduler_command,
                seed_demo_command, create_user_command, issue_token_command, migrate_cases_command):
        app.cli.add_command(cmd)
