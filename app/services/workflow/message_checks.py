"""Deploy-time warnings for messages: a diagram waiting for a message nobody sends.

Not a refusal: the sender may be deployed later, or be an API client. A message
an API client sends is declared on the receiving process with the camunda:property
`apiMessages` (comma-separated message names); a message some deployed process
throws (or this one) needs no declaration. Signals are not checked (a broadcast
is often sent by operators or other systems).
"""
from flask_babel import gettext as _

from ...engine.events import MESSAGE
from ...engine.steps import split_list
from . import definitions


def api_messages(compiled):
    return set(split_list(compiled.settings.properties.get("apiMessages")))


def message_warnings(compiled):
    """One sentence per message the definition waits for that no deployed process throws and
    that its `apiMessages` does not declare."""
    awaited = {name for kind, name in compiled.catches if kind == MESSAGE}
    awaited |= {name for kind, name, _element in compiled.event_starts if kind == MESSAGE}
    if not awaited:
        return []
    thrown = {name for kind, name in compiled.throws if kind == MESSAGE}
    for definition in definitions.list_latest():
        thrown |= {name for kind, name in definitions.compiled(definition).throws if kind == MESSAGE}
    missing = sorted(awaited - thrown - api_messages(compiled))
    return [_("The process waits for message '%(name)s', which no deployed process sends and which is not "
              "declared in its apiMessages property: its cases may wait for ever.", name=name) for name in missing]
