"""What changed since a reviewer returned the case: after a return for revision, the reviewer's
next visit shows the applicant's edits (fields changed, attachments added or removed) against
the case as it stood when they returned it. Read from the case's audit fold (audit/replay.py),
so it is the same history the auditor replays."""
from dataclasses import dataclass, field

from ..audit import replay
from .forms import STEP_OWN

# what the engine and the steps keep in the case data besides the applicant's fields
_BOOKKEEPING = frozenset({*STEP_OWN, "signatures", "tally", "initiator", "initiator_name", "initiator_unit",
                          "initiator_unit_name",
                          "resubmit_jumps_to"})


@dataclass
class Resubmission:
    returned_by: str                              # who returned it (their name as the audit trail has it)
    returned_at: str                              # ISO time with offset
    opinion: str
    fields: list = field(default_factory=list)    # [(field, before, after)], attachments aside
    added: list = field(default_factory=list)     # attachments: [{token, filename}]
    removed: list = field(default_factory=list)


def since_return(instance, element_id, schema):
    """The changes since `element_id` last returned the case, or None if it never did. `schema`:
    the submitted form (its properties name the fields compared; all the case data without it)."""
    steps = replay.steps_of(instance)
    returns = [s for s in steps if s.type == "task_completed" and s.element_id == element_id
               and (s.event_data or {}).get("decision") == "return"]
    if not returns:
        return None
    back, now = returns[-1], steps[-1].data
    before = back.data
    names = list((schema or {}).get("properties", {})) or sorted(set(before) | set(now))
    result = Resubmission(back.actor, back.at, str((back.event_data or {}).get("opinion", "")))
    for name in names:
        if name in _BOOKKEEPING or before.get(name) == now.get(name):
            continue
        if _is_attachments(before.get(name)) or _is_attachments(now.get(name)):
            old = {a["token"]: a for a in before.get(name) or []}
            new = {a["token"]: a for a in now.get(name) or []}
            result.added += [a for token, a in new.items() if token not in old]
            result.removed += [a for token, a in old.items() if token not in new]
        else:
            result.fields.append((name, before.get(name), now.get(name)))
    return result


def _is_attachments(value):
    return isinstance(value, list) and bool(value) and all(isinstance(a, dict) and "token" in a for a in value)
