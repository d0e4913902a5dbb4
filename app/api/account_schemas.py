"""Schemas of the accounts and organisation API (administrators) and of the people search."""
from marshmallow import Schema, fields, validate

from .schemas import PageQuerySchema

TEXT = validate.Length(max=200)


class GroupRefSchema(Schema):
    key = fields.Str()
    name = fields.Str()


class PeopleEntrySchema(Schema):
    """Someone the people picker offers: an active account."""
    username = fields.Str()
    display_name = fields.Str()
    unit = fields.Function(lambda u: u.unit.name if u.unit else None, metadata={"description": "the unit's name"})
    groups = fields.List(fields.Nested(GroupRefSchema))


class PeopleQuerySchema(Schema):
    q = fields.Str(load_default="", validate=TEXT,
                   metadata={"description": "part of a user name, display name, unit name, group key or group name"})
    limit = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class UserSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    email = fields.Str(allow_none=True)
    unit = fields.Function(lambda u: u.unit.key if u.unit else None, metadata={"description": "the unit's key"})
    district = fields.Str(allow_none=True)
    groups = fields.Function(lambda u: sorted(g.key for g in u.groups), metadata={"description": "group keys"})
    active = fields.Bool()
    must_change_password = fields.Bool()
    created_at = fields.DateTime()


class OpenTaskSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    instance_id = fields.Int()
    instance_title = fields.Str()
    created_at = fields.DateTime()


class UserDetailSchema(UserSchema):
    open_tasks = fields.List(fields.Nested(OpenTaskSchema), metadata={
        "description": "open tasks assigned to the account: hand them on with POST /tasks/{id}/transfer"})


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class UserQuerySchema(PageQuerySchema):
    q = fields.Str(load_default="", validate=TEXT, metadata={"description": "in user name, display name, e-mail, unit"})
    group = fields.Str(load_default="", validate=validate.Length(max=100), metadata={"description": "a group key"})
    unit = fields.Str(load_default="", validate=validate.Length(max=64), metadata={"description": "a unit key"})
    status = fields.Str(load_default="", validate=validate.OneOf(["", "active", "inactive"]))


class AccountUpdateSchema(Schema):
    display_name = fields.Str(required=True, validate=validate.Length(max=120))
    email = fields.Str(load_default="", validate=TEXT)
    unit = fields.Str(load_default="", validate=validate.Length(max=64), metadata={"description": "a unit key"})
    district = fields.Str(load_default="", validate=validate.Length(max=32),
                          metadata={"description": "a district code"})
    groups = fields.List(fields.Str(validate=validate.Length(max=100)), load_default=list,
                         validate=validate.Length(max=200), metadata={"description": "group keys"})


class AccountCreateSchema(AccountUpdateSchema):
    username = fields.Str(required=True, validate=validate.Length(max=80))
    password = fields.Str(load_default="", validate=validate.Length(max=200), metadata={
        "description": "the initial password; empty: one is generated and returned once"})


class CreatedAccountSchema(Schema):
    user = fields.Nested(UserSchema)
    password = fields.Str(allow_none=True, metadata={"description": "the generated password (null when one was given)"})


class PasswordResetSchema(Schema):
    password = fields.Str(load_default="", validate=validate.Length(max=200), metadata={
        "description": "the new password; empty: one is generated and returned once"})


class PasswordResetResultSchema(Schema):
    password = fields.Str(allow_none=True, metadata={"description": "the generated password (null when one was given)"})


class GroupSchema(Schema):
    id = fields.Int()
    key = fields.Str()
    name = fields.Str()
    kind = fields.Str(metadata={"description": "role, district (a district office) or unit (a unit's leaders)"})


class GroupWithCountSchema(GroupSchema):
    members = fields.Int(metadata={"description": "active members"})


class GroupCreateSchema(Schema):
    key = fields.Str(required=True, validate=validate.Length(max=100))
    name = fields.Str(required=True, validate=TEXT)


class GroupRenameSchema(Schema):
    name = fields.Str(required=True, validate=TEXT)


class MemberSchema(Schema):
    user = fields.Str(required=True, validate=validate.Length(max=80), metadata={"description": "user name"})


class UnitSchema(Schema):
    id = fields.Int()
    key = fields.Str()
    name = fields.Str()
    unit_type = fields.Str()
    credit_code = fields.Str(allow_none=True)
    district = fields.Str(allow_none=True)


class UnitUpdateSchema(Schema):
    name = fields.Str(required=True, validate=TEXT)
    unit_type = fields.Str(load_default="enterprise", validate=validate.Length(max=40))
    credit_code = fields.Str(load_default="", validate=validate.Length(max=40))
    district = fields.Str(load_default="", validate=validate.Length(max=32))


class UnitCreateSchema(UnitUpdateSchema):
    key = fields.Str(required=True, validate=validate.Length(max=64))
