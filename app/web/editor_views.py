"""Administrators edit forms (JSON Schema, previewed as the task page shows them) and DMN rules
(dmn-js) in the browser, and deploy them with the processes that use them."""
from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Forbidden, ServiceError, ValidationFailed
from ..services.identity.permissions import is_admin
from ..services.workflow import form_versions, rule_versions
from .auth import login_required

bp = Blueprint("editors", __name__, url_prefix="/admin")


@bp.before_request
def administrators_only():
    if g.get("user") is not None and not is_admin(g.user):
        raise Forbidden(_("Administrators only."))


@bp.route("/forms")
@login_required
def form_list():
    return render_template("admin/forms.html", forms=form_versions.form_catalogue(g.user))


@bp.route("/forms/<key>/edit", methods=["GET", "POST"])
@login_required
def form_edit(key):
    entry = form_versions.form_for_editing(g.user, key)
    if request.method == "GET":
        return render_template("admin/form_edit.html", entry=entry, text=entry.text, note="", errors={})
    text, note = request.form.get("schema", ""), request.form.get("note", "")
    try:
        redeployed = form_versions.deploy_form(g.user, key, text, note)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return render_template("admin/form_edit.html", entry=entry, text=text, note=note, errors=exc.errors), 422
    if redeployed:
        flash(_("Form deployed; new versions: %(list)s.", list=", ".join(f"{k} v{v}" for k, v in redeployed)))
    else:
        flash(_("The form is unchanged: nothing was deployed."))
    return redirect(url_for("editors.form_edit", key=key))


@bp.route("/forms/<key>/preview", methods=["POST"])
@login_required
def form_preview(key):
    """The form as the task page renders it, from the posted schema text (an HTML fragment)."""
    preview = form_versions.preview_form(g.user, key, request.form.get("schema", ""), request.form.get("step", ""))
    return render_template("admin/_form_preview.html", preview=preview, checked=preview.check)


@bp.route("/rules")
@login_required
def rule_list():
    return render_template("admin/rules.html", rules=rule_versions.rules_catalogue(g.user))


@bp.route("/rules/<key>/edit")
@login_required
def rule_edit(key):
    return render_template("admin/rule_edit.html", entry=rule_versions.rules_for_editing(g.user, key))


@bp.route("/rules/<key>/source.dmn")
@login_required
def rule_source(key):
    entry = rule_versions.rules_for_editing(g.user, key)
    return Response(entry.definition.dmn_xml, mimetype="application/xml")


@bp.route("/rules/<key>/check", methods=["POST"])
@login_required
def rule_check(key):
    body = request.get_json(silent=True) or {}
    return jsonify(problems=rule_versions.check_rules(g.user, key, str(body.get("xml", ""))))


@bp.route("/rules/<key>/deploy", methods=["POST"])
@login_required
def rule_deploy(key):
    body = request.get_json(silent=True) or {}
    try:
        result = rule_versions.deploy_rules(g.user, key, str(body.get("xml", "")), str(body.get("note", "")))
    except ServiceError as exc:          # refused by the deploy itself (a decision id in another file)
        return jsonify(problems=[{"message": message} for messages in exc.errors.values() for message in messages]
                       or [{"message": exc.message}]), exc.status
    if result.problems:
        return jsonify(problems=result.problems), 422
    return jsonify(version=result.version, created=result.created,
                   redeployed=[{"key": k, "version": v} for k, v in result.redeployed])
