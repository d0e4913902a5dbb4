"""Modeler drafts: each administrator's unsaved diagram per process key (table modeler_draft).

The modeler page saves the diagram here as the administrator edits (debounced) and when they
leave, so leaving loses nothing; reopening the page offers it. A deploy of the key by the same
administrator removes it in the deploy's command. A draft is private scratch: not checked (a
half-drawn diagram is normal) and not audited (it changes nothing anyone else sees); only its
size and its key's form are limited.
"""
import re

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ...engine.xml_safety import MAX_DIAGRAM_BYTES
from ...extensions import db
from ...models import ModelerDraft
from ..command import command
from ..errors import Forbidden, ValidationFailed
from ..identity.permissions import is_admin

KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")     # a BPMN process id, as a file stem


def check_key(key):
    if not KEY_PATTERN.match(key or ""):
        raise ValidationFailed(_("A process key starts with a letter or '_' and has only letters, digits, "
                                 "'_' and '-' (at most 100)."), {"key": [_("Not a valid process key.")]})


def _require_admin(actor):
    if not is_admin(actor):
        raise Forbidden(_("Only administrators may edit process definitions."))


def get(actor, key):
    """The administrator's draft of `key`, or None."""
    _require_admin(actor)
    return db.session.execute(select(ModelerDraft).where(
        ModelerDraft.user_id == actor.id, ModelerDraft.key == key)).scalar_one_or_none()


def save(actor, key, xml_text):
    """Keep (or replace) the administrator's draft of `key`. Returns the draft."""
    _require_admin(actor)
    check_key(key)
    if not xml_text or len(xml_text.encode("utf-8")) > MAX_DIAGRAM_BYTES:
        raise ValidationFailed(_("A draft is a diagram of at most %(n)d bytes.", n=MAX_DIAGRAM_BYTES),
                               {"bpmn": [_("Empty or too large.")]})
    with command(actor) as ctx:
        draft = ctx.session.execute(select(ModelerDraft).where(
            ModelerDraft.user_id == actor.id, ModelerDraft.key == key)).scalar_one_or_none()
        if draft is None:
            draft = ModelerDraft(user_id=actor.id, key=key, bpmn_xml=xml_text, saved_at=ctx.now)
            ctx.session.add(draft)
        else:
            draft.bpmn_xml, draft.saved_at = xml_text, ctx.now
    return draft


def discard(actor, key):
    """Throw the administrator's draft of `key` away (the page's "discard draft")."""
    _require_admin(actor)
    with command(actor) as ctx:
        remove(ctx, actor, key)


def remove(ctx, actor, key):
    """Inside a command: the actor's draft of `key` is gone (a deploy of the key)."""
    ctx.session.execute(delete(ModelerDraft).where(ModelerDraft.user_id == actor.id, ModelerDraft.key == key))
