"""The check every operation on running cases makes first."""
from flask_babel import gettext as _

from ..errors import Forbidden
from ..identity.permissions import is_admin


def require_admin(actor):
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
