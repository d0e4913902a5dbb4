"""Administrator pages for accounts and the organisation: users, groups (district offices included)
and units. Each view parses the form and makes one service call (identity/accounts.py,
identity/organisation.py); a refused form is shown again with the message beside each field."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.districts import DISTRICTS
from ..services.errors import Forbidden, ServiceError, ValidationFailed
from ..services.identity import accounts, organisation, users
from ..services.identity.permissions import is_admin
from ..services.workflow.approval import handover
from .auth import login_required
from .params import page_number

bp = Blueprint("accounts", __name__, url_prefix="/admin")


@bp.before_request
def administrators_only():
    if g.get("user") is not None and not is_admin(g.user):
        raise Forbidden(_("Administrators only."))


def _account_input(form):
    return accounts.AccountInput(
        username=form.get("username", "").strip(), display_name=form.get("display_name", ""),
        email=form.get("email", ""), unit=form.get("unit", ""), district=form.get("district", ""),
        groups=form.getlist("groups"), password=form.get("password", ""))


def _choices():
    return {"all_groups": [group for group, _count in organisation.list_groups(g.user)],
            "all_units": organisation.list_units(g.user), "districts": DISTRICTS}


@bp.route("/users")
@login_required
def users_page():
    f = accounts.UserFilter(text=request.args.get("q", ""), group=request.args.get("group", ""),
                            unit=request.args.get("unit", ""), status=request.args.get("status", ""))
    return render_template("admin/users.html", page=accounts.list_users(g.user, f, page_number()), f=f,
                           **_choices())


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    errors, status = {}, 200
    if request.method == "POST":
        try:
            user, generated = accounts.create_account(g.user, _account_input(request.form))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            # rendered, never flashed: the password must not travel in the session cookie
            return render_template("admin/user_password.html", user=user, password=generated, created=True)
    return render_template("admin/user_form.html", user=None, form=request.form, errors=errors,
                           **_choices()), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id):
    errors, status = {}, 200
    if request.method == "POST":
        try:
            accounts.update_account(g.user, user_id, _account_input(request.form))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            flash(_("The account was saved."))
            return redirect(url_for("accounts.user_edit", user_id=user_id))
    user = accounts.get_user(g.user, user_id)
    return render_template("admin/user_form.html", user=user, form=request.form if errors else None, errors=errors,
                           open_tasks=accounts.open_tasks_of(g.user, user_id), directory=users.picker_directory(),
                           **_choices()), status


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def user_deactivate(user_id):
    user = accounts.deactivate(g.user, user_id)
    flash(_("%(name)s can no longer log in; their sessions and API tokens have ended.", name=user.display_name))
    return redirect(url_for("accounts.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def user_reactivate(user_id):
    user = accounts.reactivate(g.user, user_id)
    flash(_("%(name)s can log in again.", name=user.display_name))
    return redirect(url_for("accounts.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def user_reset_password(user_id):
    try:
        generated = accounts.reset_password(g.user, user_id, request.form.get("password", ""))
    except ValidationFailed as exc:
        flash(" ".join(exc.errors.get("password", [exc.message])), "error")
        return redirect(url_for("accounts.user_edit", user_id=user_id))
    return render_template("admin/user_password.html", user=accounts.get_user(g.user, user_id),
                           password=generated, created=False)


@bp.route("/users/<int:user_id>/tasks/<int:task_id>/reassign", methods=["POST"])
@login_required
def task_reassign(user_id, task_id):
    """Hand an open task of the account to someone else (a transfer, as administrator)."""
    try:
        handover.transfer(g.user, task_id, request.form.get("user", "").strip(), request.form.get("note", ""))
        flash(_("The task was handed on."))
    except ServiceError as exc:
        flash(" ".join([exc.message, *exc.errors.get("user", [])]), "error")
    return redirect(url_for("accounts.user_edit", user_id=user_id) + "#open-tasks")


@bp.route("/groups", methods=["GET", "POST"])
@login_required
def groups_page():
    errors, status = {}, 200
    if request.method == "POST":
        try:
            group = organisation.create_group(g.user, request.form.get("key", ""), request.form.get("name", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            flash(_("The group was created."))
            return redirect(url_for("accounts.group_page", group_id=group.id))
    return render_template("admin/groups.html", groups=organisation.list_groups(g.user), errors=errors,
                           form=request.form), status


@bp.route("/groups/district-offices", methods=["POST"])
@login_required
def district_offices():
    created = organisation.ensure_district_offices(g.user)
    flash(_("%(n)d district office group(s) created.", n=len(created)))
    return redirect(url_for("accounts.groups_page"))


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def group_page(group_id):
    if request.method == "POST":
        action = request.form.get("_action", "")
        try:
            if action == "rename":
                organisation.rename_group(g.user, group_id, request.form.get("name", ""))
            elif action == "remove":
                organisation.remove_member(g.user, group_id, request.form.get("user", ""))
            else:
                organisation.add_member(g.user, group_id, request.form.get("user", ""))
            flash(_("The group was saved."))
        except ValidationFailed as exc:
            flash(" ".join([exc.message, *exc.errors.get("user", []), *exc.errors.get("name", [])]), "error")
        return redirect(url_for("accounts.group_page", group_id=group_id))
    return render_template("admin/group.html", group=organisation.get_group(g.user, group_id),
                           members=organisation.members_of(g.user, group_id), directory=users.picker_directory())


def _unit_input(form):
    return organisation.UnitInput(key=form.get("key", "").strip(), name=form.get("name", ""),
                                  unit_type=form.get("unit_type", ""), credit_code=form.get("credit_code", ""),
                                  district=form.get("district", ""))


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units_page():
    errors, status = {}, 200
    if request.method == "POST":
        try:
            organisation.create_unit(g.user, _unit_input(request.form))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            flash(_("The unit was saved."))
            return redirect(url_for("accounts.units_page"))
    return render_template("admin/units.html", units=organisation.list_units(g.user), errors=errors,
                           form=request.form, unit_types=organisation.unit_type_labels(), districts=DISTRICTS), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit_page(unit_id):
    errors, status = {}, 200
    if request.method == "POST":
        try:
            organisation.update_unit(g.user, unit_id, _unit_input(request.form))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            flash(_("The unit was saved."))
            return redirect(url_for("accounts.unit_page", unit_id=unit_id))
    return render_template("admin/unit.html", unit=organisation.get_unit(g.user, unit_id), errors=errors,
                           form=request.form if errors else None, unit_types=organisation.unit_type_labels(),
                           districts=DISTRICTS), status
