"""The service tasks of bpmn/breakthrough_project.bpmn: what the lifecycle does to the project
library. Each runs inside the command of the step that reached it (`command.active()`), so it
commits or rolls back with that step; each returns JSON values merged into the case data.

The task book travels in the case data as its top-level fields (task_book.TEXT_FIELDS, the period,
the tables), which the drafting and change forms edit; the library's version in force decides.
"""
from datetime import datetime, time

from flask_babel import gettext as _

from .... import localtime
from ....domain import task_book
from ...command import active
from ...errors import NotFound
from . import alerts, changes, checks, due_checks, proposals, records, reports, task_books

BOOK_FIELDS = (*task_book.TEXT_FIELDS, "period_start", "period_end", *task_book.TABLES)
MIDTERM_HOUR = time(9, 0)       # the mid-term check opens at 09:00 Guangzhou time on the midpoint


def _project(ctx, data):
    return records.load(ctx, data.get("project_id"))


def _book_of(data):
    return {name: data.get(name) for name in BOOK_FIELDS}


def _book_data(document):
    return {name: document.get(name) for name in BOOK_FIELDS}


def propose(instance, data):
    """Topic `project_propose`: the lead unit's proposal enters the library (or is revised)."""
    return proposals.propose_project(active(), instance, data)


def approve(instance, data):
    """Topic `project_approve`: problems in breakthrough; the task book starts from the proposal."""
    ctx = active()
    project = proposals.approve_proposal(ctx, data.get("project_id"), instance, str(data.get("opinion") or ""))
    return {"name": data.get("name") or project.name, "project_status": project.status}


def reject(instance, data):
    """Topic `project_reject`."""
    project = proposals.reject_proposal(active(), data.get("project_id"), instance, str(data.get("opinion") or ""))
    return {"project_status": project.status}


def check_book(instance, data):
    """Topic `project_task_book_check`: the drafted book is complete; who must sign it."""
    ctx = active()
    _project_, normal, signers = task_books.check_task_book(ctx, data.get("project_id"), _book_of(data), instance)
    return {**_book_data(normal), "task_book_signers": signers}


def freeze_book(instance, data):
    """Topic `project_freeze_task_book`: version 1, executing, milestone checks, the mid-term moment."""
    ctx = active()
    project, normal = task_books.freeze_task_book(ctx, data.get("project_id"), _book_of(data),
                                                  data.get("signatures"), instance)
    middle = task_book.midpoint(normal)
    return {"task_book_version": 1, "project_status": project.status,
            "midterm_at": datetime.combine(middle, MIDTERM_HOUR, tzinfo=localtime.zone()).isoformat()}


def next_report(instance, data):
    """Topic `project_next_report`: the next quarter to report on (from the book in force, so a
    changed period counts), when its report opens, and the rows its form starts from."""
    ctx = active()
    project = _project(ctx, data)
    book = task_books.current(ctx, project).content
    last = data.get("report_quarter")
    following = [q for q in due_checks.quarters(book) if not last or q > last]
    if not following:
        return {"reports_done": True}
    quarter = following[0]
    opens = due_checks.end_of_day(task_book.quarter_end(quarter))
    return {"reports_done": False, "report_quarter": quarter, "report_opens_at": opens.isoformat(),
            "milestone_progress": [{"key": m["key"], "name": m["name"], "due": m["due"], "done": False, "note": ""}
                                   for m in book.get("milestones", [])],
            "target_values": [{"key": t["key"], "name": t["name"] or t["product"], "target": t["target"], "value": ""}
                              for t in book.get("targets", [])]}


def record_report(instance, data):
    """Topic `project_record_report`: the quarter's report enters the library and settles alerts."""
    ctx = active()
    report = reports.submit_report(ctx, data.get("project_id"), {
        "report_quarter": data.get("report_quarter"), "milestones": data.get("milestone_progress"),
        "target_values": data.get("target_values"), "summary": data.get("report_summary")}, instance)
    return {"reported_quarter": report.period}


def _rectification(data):
    """The earliest deadline the experts who asked for rectification gave."""
    days = []
    for signature in data.get("signatures") or []:
        value = (signature.get("data") or {}).get("rectification_deadline")
        if signature.get("decision") != "approve" and value:
            days.append(str(value))
    return min(days) if days else data.get("rectification_deadline")


def record_midterm(instance, data):
    """Topic `project_record_midterm`: the countersign's result (all approve: pass; a return: rectify)."""
    ctx = active()
    result = "pass" if data.get("decision") == "approve" else "rectify"
    check = checks.record_midterm(ctx, data.get("project_id"), result, str(data.get("opinion") or ""),
                                  _rectification(data) if result == "rectify" else None, instance)
    found = {"midterm_result": result, "midterm_round": check.round}
    if check.rectification_deadline is not None:
        due = due_checks.end_of_day(check.rectification_deadline)
        found.update(rectification_deadline=check.rectification_deadline.isoformat(),
                     rectification_due_at=due.isoformat())
    return found


def rectified(instance, data):
    """Topic `project_rectified`: the rectification is in; its overdue alert closes."""
    checks.rectified(active(), data.get("project_id"), data.get("midterm_round"), instance)
    return {"rectified_round": data.get("midterm_round")}


def apply_acceptance(instance, data):
    """Topic `project_apply_acceptance`: the application with its materials."""
    return {"acceptance_materials": checks.apply_for_acceptance(active(), data.get("project_id"), data, instance)}


def record_acceptance(instance, data):
    """Topic `project_record_acceptance`: all approve: pass; a reject: fail; a return: conditional."""
    result = {"approve": "pass", "return": "conditional", "reject": "fail"}[data.get("decision")]
    checks.record_acceptance(active(), data.get("project_id"), result, str(data.get("opinion") or ""),
                             data.get("acceptance_materials"), instance)
    return {"acceptance_result": result}


def archive(instance, data):
    """Topic `project_archive`: results and final report kept as knowledge assets (5.5.5); what the
    achievement admission message carries."""
    ctx = active()
    project = _project(ctx, data)
    materials = data.get("acceptance_materials") or {}
    records.record(ctx, "project_archived", project, instance, attachments=materials.get("attachments", []),
                   task_book_version=project.task_book_version)
    return {"contributor_unit": project.lead_unit_name, "problem_numbers": [p.number for p in project.problems],
            "project_name": project.name, "project_number": project.number}


def apply_change(instance, data):
    """Topic `project_apply_change`: the managing body's decision on the change request the message
    named; the case's task book fields become the version in force again."""
    ctx = active()
    project = records.of_instance(ctx, instance)
    if changes.load_change(ctx, data.get("change_request_id")).project_id != project.id:
        raise NotFound(_("No such change request."))     # a message may only name this project's request
    change = changes.decide_change(ctx, data.get("change_request_id"), data.get("decision") == "approve",
                                   str(data.get("opinion") or ""), instance)
    return {**_book_data(task_books.current(ctx, project).content), "change_status": change.status,
            "task_book_version": project.task_book_version}


def team_risk(instance, data):
    """Topic `project_team_risk`: the team's risk report becomes a team_reported alert."""
    ctx = active()
    project = records.of_instance(ctx, instance)
    alert = alerts.open_alert(ctx, project, "team_reported", alerts.team_subject(ctx, project),
                              str(data.get("risk_description") or ""), instance)
    return {"risk_alert_id": alert.id}


def risk_handled(instance, data):
    """Topic `project_risk_handled`: the managing body handled the reported risk; the alert closes."""
    alerts.close_alert_by_id(active(), data.get("risk_alert_id"), str(data.get("opinion") or ""), instance)
    return {"risk_handled": True}


