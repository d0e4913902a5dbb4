"""Auditor pages: search, replay a case step by step, bottlenecks, proof of integrity."""
import json
from dataclasses import asdict

from flask import Blueprint, Response, abort, flash, g, jsonify, render_template, request

from ..domain.districts import DISTRICTS
from ..services.audit import (
    bottlenecks as bottlenecks_service,
    proof as proof_service,
    replay,
    search as audit_search,
    trail as audit,
)
from ..services.audit.exports import csv_export, ocel, xes
from ..services.errors import ValidationFailed
from ..services.workflow import cases, definitions, pages
from .auth import login_required
from .filters import reads_english
from .input_guard import MAX_ID
from .params import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _filter():
    a = request.args
    return audit_search.CaseFilter(
        process_key=a.get("process", ""), version=a.get("version", ""), district=a.get("district", ""),
        status=a.get("status", ""), actor=a.get("actor", ""), date_from=a.get("from", ""),
        date_to=a.get("to", ""), business_key=a.get("business_key", ""), text=a.get("q", ""))


@bp.route("/")
@login_required
def search():
    f = _filter()
    try:
        page = audit_search.search_cases(g.user, f, page_number())
    except ValidationFailed as exc:      # a malformed date or version in the filter
        flash(exc.message, "error")
        f = audit_search.CaseFilter()
        page = audit_search.search_cases(g.user, f, page_number())
    return render_template("audit/search.html", page=page, f=f, processes=definitions.list_latest(),
                           districts=DISTRICTS)


@bp.route("/operations")
@login_required
def operations():
    return render_template("audit/operations.html", page=audit_search.admin_operations(g.user, page_number()))


def _case(instance_id):
    replay.require_auditor(g.user)
    return cases.get_instance(g.user, instance_id)


@bp.route("/cases/<int:instance_id>")
@login_required
def case(instance_id):
    instance = _case(instance_id)
    steps = replay.steps_of(instance)
    n = request.args.get("step", type=int) or len(steps)
    current, total = replay.step(g.user, instance, n)
    return render_template("audit/case.html", instance=instance, steps=steps, current=current, total=total,
                           chain=audit.verify_chain(audit.chain_of(instance.id)),
                           step_html=_step_html(instance, current))


def _step_html(instance, current):
    compiled = definitions.compiled(instance.definition)
    step = compiled.steps.get(current.element_id) if current else None
    form_schema = instance.definition.forms.get(step.form_key, {}) if step else {}
    application = pages.submission_schema(instance.definition, compiled)
    return render_template("audit/_step.html", instance=instance, current=current, form_schema=form_schema,
                           application_schema=application)


@bp.route("/cases/<int:instance_id>/steps/<int:n>.json")
@login_required
def step_json(instance_id, n):
    instance = _case(instance_id)
    current, total = replay.step(g.user, instance, n)
    body = current.as_dict() if current else {}
    body.update({"n": max(1, min(n, total)), "total": total, "html": _step_html(instance, current)})
    return jsonify(body)


@bp.route("/cases/<int:instance_id>/reexecute")
@login_required
def reexecute(instance_id):
    instance = _case(instance_id)
    return render_template("audit/_reexecution.html", report=replay.reexecute(g.user, instance))


@bp.route("/bottlenecks")
@login_required
def bottlenecks():
    processes = definitions.list_latest()
    key = request.args.get("process") or (processes[0].key if processes else "")
    date_from, date_to = request.args.get("from", ""), request.args.get("to", "")
    try:
        rows = bottlenecks_service.waits(g.user, key, date_from, date_to) if key else []
    except ValueError:
        rows, date_from, date_to = bottlenecks_service.waits(g.user, key), "", ""
    definition = next((d for d in processes if d.key == key), None)
    return render_template("audit/bottlenecks.html", rows=rows, heat=[asdict(r) for r in rows],
                           processes=processes, key=key,
                           definition=definition, date_from=date_from, date_to=date_to)


@bp.route("/definitions/<int:definition_id>/diagram.xml")
@login_required
def definition_diagram(definition_id):
    replay.require_auditor(g.user)
    definition = definitions.get(definition_id)
    return Response(definitions.diagram_xml(definition, english=reads_english()), mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{definition.key}.bpmn"'})


# format -> (render, mimetype, file extension); werkzeug adds "; charset=utf-8" to text/* itself
EXPORTS = {
    "csv": (lambda cases: csv_export.to_csv(cases).encode("utf-8"), "text/csv", "csv"),
    "xes": (xes.to_xes, "application/xml", "xes"),
    "ocel": (lambda cases: json.dumps(ocel.to_ocel(cases), ensure_ascii=False, indent=1).encode("utf-8"),
             "application/json", "jsonocel"),
}


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    """The cases matching the search filters (or one case: ?case=ID) as CSV, XES or OCEL 2.0."""
    if fmt not in EXPORTS:
        abort(404)
    case_id = request.args.get("case", type=int)
    if case_id is not None and not 0 < case_id <= MAX_ID:
        abort(404)
    cases = [_case(case_id)] if case_id else audit_search.matching_cases(g.user, _filter())
    render, mimetype, ext = EXPORTS[fmt]
    name = f"chainq-{cases[0].business_key if case_id else 'cases'}.{ext}"
    return Response(render(cases), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/proof")
@login_required
def proof():
    found = proof_service.proof_report(g.user)
    return render_template("audit/proof.html", reports=found.reports, anchors=found.anchors,
                           business_keys=found.business_keys)



