"""Pages: inbox, done, my applications, task forms, cases, registries, profile.
Each view parses input, calls one service, and renders the result."""
from datetime import datetime, timezone

from flask import Blueprint, Response, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..services.errors import Conflict, ValidationFailed
from ..services.identity import users
from ..services.identity.permissions import can_act_on_task, can_start
from ..services.workflow import (
    attachments,
    cases,
    definition_admin,
    definitions,
    pages,
    queries,
    start_forms,
    tasks,
    timer_jobs,
)
from .auth import login_required, start_session
from .filters import reads_english
from .formdata import parse_form
from .params import page_number

bp = Blueprint("views", __name__)


@bp.route("/")
@login_required
def index():
    return redirect(url_for("views.inbox"))


@bp.route("/tasks")
@login_required
def inbox():
    f = queries.InboxFilter(process_key=request.args.get("process", ""), district=request.args.get("district", ""),
                            date_from=request.args.get("from", ""), date_to=request.args.get("to", ""),
                            scope=request.args.get("scope", "all"), sort=request.args.get("sort", "newest"))
    try:
        page = queries.inbox(g.user, f, page_number())
    except ValueError:
        flash(_("Dates must be written as YYYY-MM-DD."), "error")
        f.date_from = f.date_to = ""
        page = queries.inbox(g.user, f, page_number())
    return render_template("inbox.html", page=page, f=f, processes=definitions.list_latest(),
                           now=datetime.now(timezone.utc), districts=queries.district_choices(g.user),
                           copied=queries.copied_to(g.user, [t.instance_id for t in page.items]))


@bp.route("/tasks/done")
@login_required
def done():
    return render_template("done.html", page=queries.done(g.user, page_number()))


@bp.route("/instances/mine")
@login_required
def my_instances():
    return render_template("my_instances.html", page=queries.my_instances(g.user, page_number()))


@bp.route("/instances")
@login_required
def instances():
    page = queries.visible_instances(g.user, request.args.get("status", ""), request.args.get("process", ""),
                                     page_number())
    return render_template("instances.html", page=page)


@bp.route("/processes")
@login_required
def processes():
    latest = definitions.list_latest()
    schedule = timer_jobs.start_schedule([d.id for d in latest])
    rows = [(d, can_start(g.user, definitions.compiled(d).settings), bool(definitions.compiled(d).start_timers),
             schedule.get(d.id)) for d in latest]
    return render_template("processes.html", rows=rows, stopped=definition_admin.disabled_keys())


@bp.route("/processes/<key>/start", methods=["POST"])
@login_required
def start(key):
    instance = cases.start_instance(g.user, key)
    open_task = next((t for t in queries.tasks_of(instance) if t.status == "open" and can_act_on_task(g.user, t)), None)
    flash(_("Case %(key)s started.", key=instance.business_key))
    if open_task is not None:
        return redirect(url_for("views.task", task_id=open_task.id))
    return redirect(url_for("views.instance", instance_id=instance.id))


@bp.route("/processes/<key>/new", methods=["GET", "POST"])
@login_required
def new_case(key):
    """发起: the process's first form; the case is created by its first save or submit, not before."""
    if request.method == "GET":
        return _start_page(start_forms.start_form(g.user, key))
    submit = request.form.get("_action", "complete") != "draft"
    data = parse_form(start_forms.start_schema(g.user, key), request.form)
    try:
        instance, item = start_forms.start_with_form(g.user, key, data, submit,
                                                     request.files.getlist("attachments-files"))
    except ValidationFailed as exc:
        flash(exc.message, "error")
        if any(f and f.filename for f in request.files.getlist("attachments-files")):
            flash(_("Nothing was saved: choose the files again with the corrected form."), "error")
        return _start_page(start_forms.start_form(g.user, key, data), exc.errors, 422)
    if submit:
        flash(_("Case %(key)s submitted: %(name)s.", key=instance.business_key, name=item.name))
        return redirect(url_for("views.my_instances"))
    flash(_("Draft saved as case %(key)s.", key=instance.business_key))
    return redirect(url_for("views.task", task_id=item.id))


def _start_page(form, errors=None, status=200):
    return render_template("start.html", form=form, definition=form.definition, schema=form.schema,
                           values=form.values, errors=errors or {}), status


def _keep_uploads(item, data, files, version):
    """A submission the form check refused still keeps the files chosen with it: a browser cannot
    fill a file field again, so they are stored with a draft and the form lists them. The typed
    values stay as typed either way."""
    try:
        for upload in files:
            upload.stream.seek(0)            # the refused submission read them
        tasks.save_draft(g.user, item.id, data, version, files)
    except (ValidationFailed, Conflict, OSError):
        return data                          # the files themselves were refused: the errors say why
    flash(_("The files you chose were saved with a draft; correct the fields marked and submit again."))
    kept = dict(data)
    kept[attachments.FIELD] = (item.draft_data or {}).get(attachments.FIELD, [])
    return kept


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id):
    if request.method == "GET":
        return _task_page(pages.task_page(g.user, task_id))
    action = request.form.get("_action", "complete")
    item = tasks.get_task(g.user, task_id)
    data = parse_form(tasks.form_of(item), request.form)
    files = request.files.getlist("attachments-files")
    version = request.form.get("_version", type=int)   # a tampered value is no crash: no version check
    try:
        return _act(action, item, data, version, files)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        kept = _keep_uploads(item, data, files, version) if action == "complete" and any(
            f and f.filename for f in files) else data
        return _task_page(pages.task_page(g.user, task_id, kept), exc.errors, 422)
    except Conflict as exc:
        flash(exc.message, "error")
        page = pages.task_page(g.user, task_id, data)
        if action != "complete" or page.task.status != "open" or not page.can_act:
            return redirect(url_for("views.task", task_id=task_id))   # someone acted first: show it as it is
        # a stale tab of a task still in the user's hands: the input stays
        flash(_("What you entered is still below: check it against the task as it is now and submit again."))
        return _task_page(page, {}, 409)


def _act(action, item, data, version, files):
    """One task command, then where the user goes next."""
    if action == "claim":
        tasks.claim(g.user, item.id, version)
        flash(_("Task claimed."))
    elif action == "release":
        tasks.release(g.user, item.id, version)
        flash(_("Task released to the group."))
        return redirect(url_for("views.inbox"))
    elif action == "draft":
        tasks.save_draft(g.user, item.id, data, version, files)
        flash(_("Draft saved."))
    else:
        tasks.complete(g.user, item.id, data, version, files)
        flash(_("Submitted: %(name)s.", name=item.name))
        return redirect(url_for("views.inbox"))
    return redirect(url_for("views.task", task_id=item.id))


def _task_page(page, errors=None, status=200):
    return render_template("task.html", page=page, task=page.task, schema=page.schema, values=page.values,
                           errors=errors or {}, case=page.case, history=page.history, step_rows=page.step_rows,
                           directory=page.directory, return_targets=page.return_targets,
                           opinion_required=page.opinion_required, readonly_fields=page.readonly_fields,
                           application_schema=page.application_schema, can_act=page.can_act,
                           can_claim=page.can_claim, options=page.options), status


@bp.route("/instances/<int:instance_id>")
@login_required
def instance(instance_id):
    detail = pages.case_detail(g.user, instance_id)
    return render_template("instance.html", view=detail, instance=detail.instance, tasks=detail.tasks,
                           events=detail.events, chain=detail.chain, application_schema=detail.application_schema)


@bp.route("/instances/<int:instance_id>/print")
@login_required
def instance_print(instance_id):
    """The case's 审批单 for paper or PDF (the browser's print to PDF): form, opinions, chain proof."""
    detail = pages.case_detail(g.user, instance_id)
    return render_template("print.html", view=detail, instance=detail.instance, tasks=detail.tasks,
                           chain=detail.chain, application_schema=detail.application_schema,
                           printed_at=datetime.now(timezone.utc))


@bp.route("/instances/<int:instance_id>/diagram.xml")
@login_required
def diagram(instance_id):
    item = cases.get_instance(g.user, instance_id)
    return Response(definitions.diagram_xml(item.definition, english=reads_english()), mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{item.definition.key}.bpmn"'})


@bp.route("/attachments/<token>")
@login_required
def attachment(token):
    row, content = attachments.open_attachment(g.user, token)
    return send_file(content, mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.route("/consortia")
@login_required
def consortia():
    page = queries.consortia(g.user, request.args.get("district", ""), page_number())
    return render_template("consortia.html", page=page)


@bp.route("/consortia/<int:consortium_id>")
@login_required
def consortium(consortium_id):
    page = queries.consortium(g.user, consortium_id)
    return render_template("consortium.html", item=page.record, show_contacts=page.show_contacts)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    token = users.issue_token(g.user, request.form.get("label", "")) if request.method == "POST" else None
    return _profile_page(token=token)


def _profile_page(token=None, password_errors=None, status=200):
    return render_template("profile.html", token=token, tokens=users.tokens_of(g.user),
                           now=datetime.now(timezone.utc), password_errors=password_errors or {}), status


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    users.revoke_token(g.user, token_id)
    flash(_("The API token was revoked."))
    return redirect(url_for("views.profile"))


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    try:
        user = users.change_password(g.user, request.form.get("current_password", ""),
                                     request.form.get("new_password", ""))
    except ValidationFailed as exc:
        return _profile_page(password_errors=exc.errors, status=exc.status)
    start_session(user)       # this browser stays logged in; every other session has ended
    flash(_("Your password was changed. Other sessions have been logged out."))
    return redirect(url_for("views.profile"))
