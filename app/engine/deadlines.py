"""Due dates of user tasks (`camunda:dueDate`): an ISO 8601 duration counted
from now, an ISO date-time, or a `${...}` expression giving either."""
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import expressions


def due_at(text, data, now=None):
    if not text:
        return None
    value = expressions.evaluate(text, data) if "${" in text else text.strip()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    value = str(value)
    now = now or datetime.now(timezone.utc)
    if value.upper().startswith("P"):
        parsed = TimerEventDefinition.parse_iso_duration(value)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
