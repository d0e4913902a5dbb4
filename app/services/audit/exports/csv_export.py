"""Audit trails as CSV for people.

CSV (`to_csv`)
    One row per audit event of every case, in chain order, every event type
    included, element id and name as the audit row has them (empty for
    instance_started and service_task_completed, which the trail records
    without an element). Times are ISO 8601 UTC with microseconds and `Z`.
    With `bom=True` (the default) the text starts with a UTF-8 byte order mark
    so Excel opens the Chinese text correctly; rows end with CRLF (RFC 4180). Because Excel
    runs a cell that starts with = + - @ (or a tab or carriage return) as a
    formula, such text cells get a leading apostrophe (`excel_safe=True`, the
    default; OWASP "CSV injection"). Pass `excel_safe=False` for exact text.
"""
import csv
import io

from .. import trail as audit
from . import common

# --- CSV ----------------------------------------------------------------

def _excel_cell(value):
    return "'" + value if value.startswith(common.FORMULA_START) else value


def to_csv(instances, bom=True, excel_safe=True):
    """One row per audit event of each case (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(common.CSV_COLUMNS)
    for instance in instances:
        version = common.process_version(instance)
        for event in audit.events_of(instance.id):
            decision, opinion = common.decision_opinion(event)
            texts = [instance.business_key, instance.process_key, common.text(instance.district), event.actor_name,
                     event.type, event.element_id, event.element_name, decision, opinion]
            if excel_safe:
                texts = [_excel_cell(common.text(t)) for t in texts]
            business_key, process_key, district, actor, kind, element_id, element_name, decision, opinion = texts
            writer.writerow([instance.id, business_key, process_key, version, district, event.seq,
                             common.iso_time(event.at), actor, kind, element_id, element_name, decision, opinion,
                             event.hash])
    return ("\ufeff" if bom else "") + out.getvalue()
