"""Uploaded files: size-limited, type-checked by content, stored outside the
static folder under their SHA-256 (in the attachment store: attachment_store.py),
served only to people who may see the case, or a problem registered from it (a
problem's files are its report case's: app/services/registries/problems)."""
import hashlib
import os
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Attachment, ProcessInstance
from ..errors import Forbidden, NotFound, ValidationFailed
from ..filenames import shorten
from ..identity.permissions import can_view_instance
from ..registries.problems.queries import source_case_visible
from . import attachment_store

# extension -> (content type, accepted leading bytes)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
FIELD = "attachments"
FILENAME_LIMIT = Attachment.filename.type.length


def unique_name(filename, taken):
    """`filename`, or "name (2).ext", "name (3).ext" … when the list already holds that name: two
    files called 报告.pdf must not look like one. Adds the result to `taken`."""
    stem, ext = os.path.splitext(filename)
    name, n = filename, 1
    while name in taken:
        n += 1
        suffix = f" ({n}){ext}"          # the stem gives way, so the number always shows
        name = stem[:max(FILENAME_LIMIT - len(suffix), 0)] + suffix
    taken.add(name)
    return name


def _store(actor, instance, upload, taken):
    filename = unique_name(shorten(os.path.basename(upload.filename or "").strip(), FILENAME_LIMIT), taken)
    ext = os.path.splitext(filename)[1].lower()
    if ext not in ALLOWED:
        raise ValidationFailed(_("File type not allowed."), {FIELD: [
            _("%(name)s: only PDF, DOC, DOCX, JPG and PNG files are accepted.", name=filename or "?")]})
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(_("File too large."), {FIELD: [
            _("%(name)s is larger than %(mb)d MB.", name=filename, mb=limit // (1024 * 1024))]})
    content_type, magics = ALLOWED[ext]
    if not any(content.startswith(m) for m in magics):
        raise ValidationFailed(_("File content does not match its type."), {FIELD: [
            _("%(name)s is not really a %(ext)s file.", name=filename, ext=ext)]})
    digest = hashlib.sha256(content).hexdigest()
    attachment_store.store().save(digest, content)  # content-addressed: a rollback leaves a harmless orphan
    row = Attachment(token=secrets.token_hex(16), instance_id=instance.id, uploaded_by_id=actor.id,
                     filename=filename, content_type=content_type, size=len(content), sha256=digest)
    db.session.add(row)
    return {"token": row.token, "filename": filename, "size": len(content)}


def attach_uploads(actor, instance, data, files):
    """Store new uploads and check that listed attachments belong to this case."""
    listed = data.get(FIELD) or []
    if not isinstance(listed, list):
        raise ValidationFailed(_("Attachments are not valid."), {FIELD: [_("Expected a list.")]})
    if not all(isinstance(a, dict) and isinstance(a.get("token"), str) for a in listed):
        raise ValidationFailed(_("Attachments are not valid."), {FIELD: [
            _("Each attachment is an object whose token is a string.")]})
    tokens = [a["token"] for a in listed]
    if tokens:
        known = set(db.session.execute(select(Attachment.token).where(
            Attachment.token.in_(tokens), Attachment.instance_id == instance.id)).scalars())
        unknown = [t for t in tokens if t not in known]
        if unknown:
            raise ValidationFailed(_("Attachments are not valid."), {FIELD: [_("Unknown attachment.")]})
    taken = {str(a.get("filename", "")) for a in listed}
    stored = [_store(actor, instance, f, taken) for f in files if f and f.filename]
    if stored or FIELD in data:
        data = dict(data)
        data[FIELD] = list(listed) + stored
    return data


def open_attachment(actor, token):
    """The attachment row and its bytes open for reading, for someone who may see them."""
    row = db.session.execute(select(Attachment).where(Attachment.token == token)).scalar_one_or_none()
    if row is None:
        raise NotFound(_("No such file."))
    instance = db.session.get(ProcessInstance, row.instance_id)
    if instance is None or not (can_view_instance(actor, instance) or source_case_visible(actor, instance.id)):
        raise Forbidden(_("You may not see this file."))
    try:
        return row, attachment_store.store().open(row.sha256)
    except FileNotFoundError:
        raise NotFound(_("No such file.")) from None
