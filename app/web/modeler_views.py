"""The process modeler (administrators): /admin/processes/<key>/edit and the JSON calls its page makes
(check, draft, deploy, element templates, people picker); /admin/processes/new starts a new key."""
from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, pgettext

from ..services.errors import ServiceError
from ..services.identity import people_search
from ..services.workflow import definitions, drafts, element_templates, modeler
from .auth import login_required
from .filters import group_names, local_time

bp = Blueprint("modeler", __name__, url_prefix="/admin")


def _json_error(exc):
    return jsonify({"message": exc.message, "errors": exc.errors or {}}), exc.status


def _posted(name):
    """A field of a JSON body, or of a form post (the page's beacon when it is left)."""
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else request.form.get(name)
    return value if isinstance(value, str) else ""


@bp.route("/processes/new", methods=["GET", "POST"])
@login_required
def new_process():
    modeler.require_admin(g.user)
    if request.method == "POST":
        key = request.form.get("key", "").strip()
        try:
            modeler.new_process(g.user, key, request.form.get("name", ""), request.form.get("source", ""))
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("admin/process_new.html", processes=definitions.list_latest(),
                                   form=request.form), exc.status
        return redirect(url_for("modeler.edit", key=key))
    return render_template("admin/process_new.html", processes=definitions.list_latest(), form={})


@bp.route("/processes/<key>/edit")
@login_required
def edit(key):
    modeler.require_admin(g.user)
    newest, draft = modeler.newest_or_none(key), drafts.get(g.user, key)
    if newest is None and draft is None:
        abort(404)
    ui_texts, lint_rules = element_templates.page_texts(_, pgettext)
    return render_template("admin/modeler.html", key=key, newest=newest, draft=draft,
                           draft_saved=local_time(draft.saved_at) if draft else "",
                           ui_texts=ui_texts, lint_rules=lint_rules)


@bp.route("/processes/<key>/draft.xml")
@login_required
def draft_xml(key):
    draft = drafts.get(g.user, key)
    if draft is None:
        abort(404)
    return Response(draft.bpmn_xml, mimetype="application/xml")


@bp.route("/processes/<key>/deployed.xml")
@login_required
def deployed_xml(key):
    modeler.require_admin(g.user)
    newest = modeler.newest_or_none(key)
    if newest is None:
        abort(404)
    return Response(newest.bpmn_xml, mimetype="application/xml")


@bp.route("/processes/<key>/validate", methods=["POST"])
@login_required
def validate(key):
    try:
        return jsonify({"problems": modeler.check(g.user, key, _posted("xml"))})
    except ServiceError as exc:
        return _json_error(exc)


@bp.route("/processes/<key>/draft", methods=["POST"])
@login_required
def save_draft(key):
    try:
        draft = drafts.save(g.user, key, _posted("xml"))
    except ServiceError as exc:
        return _json_error(exc)
    return jsonify({"saved_at": local_time(draft.saved_at)})


@bp.route("/processes/<key>/draft/discard", methods=["POST"])
@login_required
def discard_draft(key):
    drafts.discard(g.user, key)
    flash(_("Draft discarded."))
    if modeler.newest_or_none(key) is None:
        return redirect(url_for("definitions.definition_list"))
    return redirect(url_for("modeler.edit", key=key))


@bp.route("/processes/<key>/deploy", methods=["POST"])
@login_required
def deploy(key):
    try:
        definition, created = modeler.deploy_edited(g.user, key, _posted("xml"), _posted("note"))
    except ServiceError as exc:
        return _json_error(exc)
    message = _("Deployed as version %(n)d.", n=definition.version) if created else \
        _("Nothing changed: version %(n)d has this content.", n=definition.version)
    return jsonify({"version": definition.version, "created": created, "message": message,
                    "definitions_url": url_for("definitions.definition_list")}), (201 if created else 200)


@bp.route("/element-templates.json")
@login_required
def templates():
    modeler.require_admin(g.user)
    return jsonify(element_templates.translated(element_templates.load(), _))


@bp.route("/people.json")
@login_required
def people():
    users, groups = people_search.search(g.user, request.args.get("q", ""))
    return jsonify({
        "users": [{"username": u.username, "display_name": u.display_name,
                   "unit": u.unit.name if u.unit else "",
                   "groups": group_names([grp.key for grp in u.groups])} for u in users],
        "groups": [{"key": grp.key, "name": group_names([grp.key])} for grp in groups]})
