"""Schemas of the licence agreements' API (App. H): the terms an applicant sends, and what a party
or an overseer reads."""
from marshmallow import Schema, fields, validate

from ..models.states import LicenceStatus, LicenceType

LONG = validate.Length(max=20_000)


class LicenceTermsInSchema(Schema):
    """The App. H terms (territory and field of use: items separated by 、 or commas; 全国 / 不限
    cover everything, docs/licences.md)."""
    licence_type = fields.Str(required=True, validate=validate.OneOf(LicenceType.ALL),
                              metadata={"description": " | ".join(LicenceType.ALL)})
    territory = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    field_of_use = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    term_from = fields.Date(required=True)
    term_to = fields.Date(required=True)
    fee_amount = fields.Str(load_default="0", validate=validate.Regexp(r"^[0-9]{1,12}(\.[0-9]{1,2})?$"),
                            metadata={"description": "yuan, a decimal string with at most two decimals: 50000.00"})
    payment_schedule = fields.Str(load_default="", validate=LONG)
    duties = fields.Str(required=True, validate=validate.Length(min=1, max=20_000))
    liability = fields.Str(required=True, validate=validate.Length(min=1, max=20_000))
    dispute_resolution = fields.Str(required=True, validate=validate.Length(min=1, max=20_000))


class ConfirmationSchema(Schema):
    party = fields.Str(metadata={"description": "licensor | licensee"})
    user = fields.Str(attribute="user.username")
    user_name = fields.Str(attribute="user.display_name")
    confirmed_at = fields.DateTime()
    text_sha256 = fields.Str()


class RevenueSchema(Schema):
    id = fields.Int()
    received_on = fields.Date()
    amount = fields.Decimal(as_string=True)
    note = fields.Str()
    recorded_at = fields.DateTime()


class LicenceSchema(Schema):
    id = fields.Int()
    number = fields.Str(metadata={"description": "<achievement number>-L<n>"})
    achievement_id = fields.Int()
    achievement_number = fields.Str(attribute="achievement.number")
    achievement_name = fields.Str(attribute="achievement.name")
    instance_id = fields.Int(allow_none=True, metadata={"description": "the licence case"})
    licensor_name = fields.Str()
    licensee_name = fields.Str()
    licensee_credit_code = fields.Str()
    licence_type = fields.Str(metadata={"description": " | ".join(LicenceType.ALL)})
    territory = fields.Str()
    field_of_use = fields.Str()
    term_from = fields.Date()
    term_to = fields.Date()
    fee_amount = fields.Decimal(as_string=True)
    payment_schedule = fields.Str()
    duties = fields.Str()
    liability = fields.Str()
    dispute_resolution = fields.Str()
    status = fields.Str(metadata={"description": " | ".join(LicenceStatus.ALL)})
    text_sha256 = fields.Str(metadata={"description": "SHA-256 of the accepted text (empty before acceptance)"})
    created_at = fields.DateTime()
    registered_at = fields.DateTime(allow_none=True)


class MyLicencesSchema(Schema):
    as_licensee = fields.List(fields.Nested(LicenceSchema))
    as_licensor = fields.List(fields.Nested(LicenceSchema))


class LicenceDetailSchema(LicenceSchema):
    current_sha256 = fields.Str(metadata={"description": "SHA-256 of the agreement's canonical text now"})
    canonical_text = fields.Str(metadata={"description": "the text both parties confirm (JSON, sorted keys)"})
    confirmations = fields.List(fields.Nested(ConfirmationSchema))
    revenue = fields.List(fields.Nested(RevenueSchema))
    revenue_total = fields.Decimal(as_string=True)
