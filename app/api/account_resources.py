"""Accounts and organisation in the JSON API: the people search (anyone logged in) and the
administrators' users, groups and units (the same commands as the /admin pages)."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.identity import accounts, organisation, users
from . import account_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1",
                description="People search; accounts, groups and units (administrators)")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


def _account_input(args):
    return accounts.AccountInput(username=args.get("username", ""), display_name=args["display_name"],
                                 email=args["email"], unit=args["unit"], district=args["district"],
                                 groups=args["groups"], password=args.get("password", ""))


def _unit_input(args):
    return organisation.UnitInput(key=args.get("key", ""), name=args["name"], unit_type=args["unit_type"],
                                  credit_code=args["credit_code"], district=args["district"])


@blp.route("/people")
class People(MethodView):
    @blp.arguments(s.PeopleQuerySchema, location="query")
    @blp.response(200, s.PeopleEntrySchema(many=True))
    @operation(blp, "searchPeople", 401, 422)
    def get(self, args):
        """Active people whose name, user name, unit or group matches (the people picker)"""
        return users.search_people(args["q"], args["limit"])


@blp.route("/admin/users")
class Users(MethodView):
    @blp.arguments(s.UserQuerySchema, location="query")
    @blp.response(200, s.UserPageSchema)
    @operation(blp, "listUsers", 401, 403, 422)
    def get(self, args):
        """List accounts, filtered by text, group, unit and status (administrators)"""
        f = accounts.UserFilter(text=args["q"], group=args["group"], unit=args["unit"], status=args["status"])
        page = accounts.list_users(g.user, f, args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}

    @blp.arguments(s.AccountCreateSchema)
    @blp.response(201, s.CreatedAccountSchema)
    @operation(blp, "createUser", 401, 403, 409, 422)
    def post(self, args):
        """Create an account; it must change its password at the first login (administrators)"""
        user, generated = accounts.create_account(g.user, _account_input(args))
        return {"user": user, "password": generated}


@blp.route("/admin/users/<int:user_id>")
class UserResource(MethodView):
    @blp.response(200, s.UserDetailSchema)
    @operation(blp, "getUser", 401, 403, 404)
    def get(self, user_id):
        """An account with its open assigned tasks (administrators)"""
        user = accounts.get_user(g.user, user_id)
        user.open_tasks = accounts.open_tasks_of(g.user, user_id)
        return user

    @blp.arguments(s.AccountUpdateSchema)
    @blp.response(200, s.UserSchema)
    @operation(blp, "updateUser", 401, 403, 404, 409, 422)
    def put(self, args, user_id):
        """Change an account's display name, e-mail, unit, district and groups (administrators)"""
        return accounts.update_account(g.user, user_id, _account_input(args))


@blp.route("/admin/users/<int:user_id>/deactivation")
class Deactivation(MethodView):
    @blp.response(200, s.UserSchema)
    @operation(blp, "deactivateUser", 401, 404, described={
        403: "not an administrator, or your own account",
        409: "the account is deactivated already (e.g. by another administrator at the same moment)"})
    def post(self, user_id):
        """Deactivate an account: no login, its sessions and API tokens end (administrators)"""
        return accounts.deactivate(g.user, user_id)


@blp.route("/admin/users/<int:user_id>/reactivation")
class Reactivation(MethodView):
    @blp.response(200, s.UserSchema)
    @operation(blp, "reactivateUser", 401, 404, described={
        403: "not an administrator, or your own account", 409: "the account is active already"})
    def post(self, user_id):
        """Reactivate a deactivated account (administrators)"""
        return accounts.reactivate(g.user, user_id)


@blp.route("/admin/users/<int:user_id>/password-reset")
class PasswordReset(MethodView):
    @blp.arguments(s.PasswordResetSchema)
    @blp.response(200, s.PasswordResetResultSchema)
    @operation(blp, "resetPassword", 401, 403, 404, 409, 422)
    def post(self, args, user_id):
        """Set a new password that the account must change at its next login (administrators)"""
        return {"password": accounts.reset_password(g.user, user_id, args["password"])}


@blp.route("/admin/groups")
class Groups(MethodView):
    @blp.response(200, s.GroupWithCountSchema(many=True))
    @operation(blp, "listGroups", 401, 403)
    def get(self):
        """List groups with their number of active members (administrators)"""
        return [{"id": grp.id, "key": grp.key, "name": grp.name, "kind": grp.kind, "members": count}
                for grp, count in organisation.list_groups(g.user)]

    @blp.arguments(s.GroupCreateSchema)
    @blp.response(201, s.GroupSchema)
    @operation(blp, "createGroup", 401, 403, 409, 422)
    def post(self, args):
        """Create a group: a role, a district office (district_office:<district>) or a unit's leaders"""
        return organisation.create_group(g.user, args["key"], args["name"])


@blp.route("/admin/groups/<int:group_id>")
class GroupResource(MethodView):
    @blp.arguments(s.GroupRenameSchema)
    @blp.response(200, s.GroupSchema)
    @operation(blp, "renameGroup", 401, 403, 404, 409, 422)
    def put(self, args, group_id):
        """Rename a group (its key stays: diagrams name it) (administrators)"""
        return organisation.rename_group(g.user, group_id, args["name"])


@blp.route("/admin/groups/<int:group_id>/members")
class Members(MethodView):
    @blp.response(200, s.UserSchema(many=True))
    @operation(blp, "listGroupMembers", 401, 403, 404)
    def get(self, group_id):
        """The group's members, deactivated ones included (administrators)"""
        return organisation.members_of(g.user, group_id)

    @blp.arguments(s.MemberSchema)
    @blp.response(200, s.GroupSchema)
    @operation(blp, "addGroupMember", 401, 403, 404, 409, 422)
    def post(self, args, group_id):
        """Add an account to the group (administrators)"""
        return organisation.add_member(g.user, group_id, args["user"])


@blp.route("/admin/groups/<int:group_id>/members/<string:username>")
class Member(MethodView):
    @blp.response(200, s.GroupSchema)
    @operation(blp, "removeGroupMember", 401, 403, 404, 409, 422)
    def delete(self, group_id, username):
        """Remove an account from the group (administrators)"""
        return organisation.remove_member(g.user, group_id, username)


@blp.route("/admin/units")
class Units(MethodView):
    @blp.response(200, s.UnitSchema(many=True))
    @operation(blp, "listUnits", 401, 403)
    def get(self):
        """List units (administrators)"""
        return organisation.list_units(g.user)

    @blp.arguments(s.UnitCreateSchema)
    @blp.response(201, s.UnitSchema)
    @operation(blp, "createUnit", 401, 403, 409, 422)
    def post(self, args):
        """Create a unit; its credit code is checked (GB 32100) (administrators)"""
        return organisation.create_unit(g.user, _unit_input(args))


@blp.route("/admin/units/<int:unit_id>")
class UnitResource(MethodView):
    @blp.arguments(s.UnitUpdateSchema)
    @blp.response(200, s.UnitSchema)
    @operation(blp, "updateUnit", 401, 403, 404, 409, 422)
    def put(self, args, unit_id):
        """Change a unit's name, type, credit code and district (administrators)"""
        return organisation.update_unit(g.user, unit_id, _unit_input(args))
