"""The service tasks of bpmn/sharing_request.bpmn (registered in workflow/handlers.py): each runs
inside the command of the step that reached it (`command.active()`) and returns JSON values merged
into the case data. The grant itself is written by sharing.py."""
from .... import localtime
from ...command import active
from . import sharing


def record_request(instance, data):
    """Topic `sharing_record_request`: the grant is requested; who at the contributor answers it."""
    grant, achievement, answerers, requester = sharing.record_request(active(), instance, data)
    return {"grant_id": grant.id, "grant_status": grant.status, "achievement_number": achievement.number,
            "achievement_name": achievement.name, "contributor_name": achievement.contributor_name,
            "contributor_users": answerers, "requester_name": requester, "purpose": grant.purpose,
            "days": sharing.checked_days(data.get("days")),
            "sharing_title": f"{achievement.number} {achievement.name}"[:300]}


def grant(instance, data):
    """Topic `sharing_grant`: the contributor consented; the timer waits for `valid_until`."""
    record = sharing.grant(active(), instance, data.get("grant_id"), data.get("days"), data.get("opinion"))
    return {"grant_status": record.status, "valid_from": localtime.iso(record.valid_from),
            "valid_until": localtime.iso(record.valid_until)}


def refuse(instance, data):
    """Topic `sharing_refuse`: refused by the contributor, or by the step's deadline."""
    record = sharing.refuse(active(), instance, data.get("grant_id"), data.get("opinion"),
                            timed_out=data.get("timeout") is True)
    return {"grant_status": record.status}


def expire(instance, data):
    """Topic `sharing_expire`: the period is over."""
    return {"grant_status": sharing.expire(active(), instance, data.get("grant_id")).status}


TOPICS = {
    "sharing_record_request": record_request,
    "sharing_grant": grant,
    "sharing_refuse": refuse,
    "sharing_expire": expire,
}
