"""Administrators' operations on running cases: suspend, resume, terminate (from the case page);
migration to another version: a dry run (/admin/migrations/new?process=KEY&from=1&to=2), a
batch started from it, and the batch's progress page, which runs the pending cases in chunks;
a failed step's incident (/admin/incidents/steps/<id>): its error, the case data editor, retry."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Forbidden, ServiceError
from ..services.identity.permissions import is_admin
from ..services.operations import incidents, migration, migration_batches, suspension, termination
from .auth import login_required

bp = Blueprint("operations", __name__, url_prefix="/admin")
CHUNK = 20          # cases a click on "run" migrates before the progress page shows again


@bp.before_request
def administrators_only():
    if g.get("user") is not None and not is_admin(g.user):
        raise Forbidden(_("Administrators only."))


def _back_to_case(instance_id):
    return redirect(url_for("views.instance", instance_id=instance_id))


@bp.route("/instances/<int:instance_id>/suspend", methods=["POST"])
@login_required
def suspend(instance_id):
    try:
        suspension.suspend(g.user, instance_id, request.form.get("reason", ""))
        flash(_("The case is suspended."))
    except ServiceError as exc:
        flash(exc.message, "error")
    return _back_to_case(instance_id)


@bp.route("/instances/<int:instance_id>/resume", methods=["POST"])
@login_required
def resume(instance_id):
    try:
        suspension.resume(g.user, instance_id)
        flash(_("The case is running again."))
    except ServiceError as exc:
        flash(exc.message, "error")
    return _back_to_case(instance_id)


@bp.route("/instances/<int:instance_id>/terminate", methods=["POST"])
@login_required
def terminate(instance_id):
    try:
        termination.terminate(g.user, instance_id, request.form.get("reason", ""))
        flash(_("The case is terminated."))
    except ServiceError as exc:
        flash(exc.message, "error")
    return _back_to_case(instance_id)


def _criteria(source):
    return {"process": source.get("process", "").strip(), "from": source.get("from", "").strip(),
            "to": source.get("to", "").strip(), "status": source.get("status", "").strip(),
            "instance": source.get("instance", "").strip(), "mapping": source.get("mapping", "")}


@bp.route("/migrations")
@login_required
def migrations():
    return render_template("admin/migrations.html", batches=migration_batches.list_batches(g.user))


@bp.route("/migrations/new")
@login_required
def new_migration():
    """The dry run: the form, and the report once a process and a target version are chosen."""
    criteria, report, errors = _criteria(request.args), None, {}
    if criteria["process"] and criteria["to"]:
        try:
            report = migration.dry_run(g.user, criteria["process"], criteria["to"], criteria["from"] or None,
                                       criteria["status"], criteria["instance"] or None, criteria["mapping"])
        except ServiceError as exc:
            errors = exc.errors or {"_form": [exc.message]}
    return render_template("admin/migration_new.html", criteria=criteria, report=report, errors=errors), \
        422 if errors else 200


@bp.route("/migrations", methods=["POST"])
@login_required
def start_migration():
    criteria = _criteria(request.form)
    try:
        batch = migration_batches.start_batch(g.user, criteria["process"], criteria["to"], criteria["from"] or None,
                                              criteria["status"], criteria["mapping"], criteria["instance"] or None)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("operations.new_migration", **{k: v for k, v in criteria.items() if v}))
    return redirect(url_for("operations.migration_batch", batch_id=batch.id))


@bp.route("/migrations/<int:batch_id>")
@login_required
def migration_batch(batch_id):
    return render_template("admin/migration_batch.html", progress=migration_batches.progress(g.user, batch_id))


@bp.route("/migrations/<int:batch_id>/run", methods=["POST"])
@login_required
def run_migration(batch_id):
    done = migration_batches.run_batch(g.user, batch_id, limit=CHUNK)
    flash(_("%(done)d of %(total)d cases handled.", done=done.done, total=done.total))
    return redirect(url_for("operations.migration_batch", batch_id=batch_id))


@bp.route("/incidents/steps/<int:incident_id>")
@login_required
def step_incident(incident_id):
    return render_template("admin/step_incident.html", detail=incidents.incident_detail(g.user, incident_id))


@bp.route("/incidents/steps/<int:incident_id>/retry", methods=["POST"])
@login_required
def retry_step(incident_id):
    incident = incidents.retry(g.user, incident_id)
    if incident.status == "resolved":
        flash(_("The step ran through; the case goes on."))
        return redirect(url_for("views.instance", instance_id=incident.instance_id))
    flash(_("The step failed again: %(error)s", error=incident.error), "error")
    return redirect(url_for("operations.step_incident", incident_id=incident_id))


@bp.route("/instances/<int:instance_id>/data", methods=["GET", "POST"])
@login_required
def case_data(instance_id):
    """The case data editor (JSON); after saving, back to the incident it was opened from."""
    incident = request.values.get("incident", type=int)
    if request.method == "POST":
        try:
            incidents.correct_data(g.user, instance_id, request.form.get("data", ""), request.form.get("reason", ""))
            flash(_("The case data was corrected."))
        except ServiceError as exc:
            flash(" ".join([exc.message, *[m for ms in exc.errors.values() for m in ms]]), "error")
        if incident:
            return redirect(url_for("operations.step_incident", incident_id=incident))
        return redirect(url_for("operations.case_data", instance_id=instance_id))
    instance, data = incidents.case_data(g.user, instance_id)
    return render_template("admin/case_data.html", instance=instance, data=data)
