"""The definitions page (/admin/definitions): versions, case counts, diagrams and bundles of every
process; administrators switch the start of new cases (auditors read)."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.identity.permissions import is_admin
from ..services.workflow import definition_admin, definitions
from .auth import login_required
from .filters import reads_english

bp = Blueprint("definitions", __name__, url_prefix="/admin/definitions")


@bp.route("")
@login_required
def definition_list():
    return render_template("admin/definitions.html", rows=definition_admin.overview(g.user),
                           may_manage=is_admin(g.user))


@bp.route("/<int:definition_id>")
@login_required
def version(definition_id):
    definition = definition_admin.version(g.user, definition_id)
    return render_template("admin/definition_version.html", definition=definition)


@bp.route("/<int:definition_id>/diagram.xml")
@login_required
def diagram(definition_id):
    definition = definition_admin.version(g.user, definition_id)
    return Response(definitions.diagram_xml(definition, english=reads_english()), mimetype="application/xml")


@bp.route("/<int:definition_id>/bundle.zip")
@login_required
def bundle(definition_id):
    filename, data = definition_admin.bundle(g.user, definition_id)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<key>/start", methods=["POST"])
@login_required
def switch_start(key):
    enabled = request.form.get("enabled") == "1"
    if definition_admin.set_start_enabled(g.user, key, enabled):
        flash(_("New cases of %(key)s may be started again.", key=key) if enabled else
              _("New cases of %(key)s can no longer be started.", key=key))
    return redirect(url_for("definitions.definition_list"))
