"""Exports of real cases' audit trails: CSV, XES (IEEE 1849-2016) and OCEL 2.0,
each checked against its published schema (tests/schemas/README.md) and for content."""
import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from lxml import etree
from sqlalchemy import select

from app.extensions import db
from app.models import ProblemStatusChange, QualityProblem
from app.services import demo
from app.services.audit import trail as audit
from app.services.audit.exports import common, csv_export, ocel, xes
from app.services.operations import cancellation, termination
from app.services.workflow import cases as case_service, tasks
from tests.problem_support import problem_data, report_through_process
from tests.project_lifecycle_support import project_in_execution, project_of

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
APPROVE = {"decision": "approve", "opinion": "同意"}
FORMULA_OPINION = "=SUM(1,2) 同意"
CONTROL_OPINION = "不符合申报条件\x0b请核实"


def act(actor, task, data):
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    return tasks.complete(actor, task.id, data)


@pytest.fixture
def cases(app, user, open_task, application_form):
    """approved: returned once by the district, then approved (its lead-unit step is claimed,
    released and claimed again); rejected: rejected by the district; running: a saved draft."""
    applicant, leader = user("applicant"), user("leader")

    approved = case_service.start_instance(applicant, "consortium_application")
    form = application_form("tianhe")
    act(applicant, open_task(approved), form)
    lead = open_task(approved)
    tasks.claim(leader, lead.id)
    tasks.release(leader, lead.id)
    act(leader, lead, APPROVE)
    act(user("district_tianhe"), open_task(approved), {"decision": "return", "opinion": "请补充成员单位"})
    form["members"][1]["name"] = "智能装备成员单位贰（更名）"
    form["members"].append({"name": "补充成员单位", "credit_code": demo.credit_code_for("补充成员单位"),
                            "contact": "王芳", "phone": "13700137000"})
    act(applicant, open_task(approved), form)
    act(leader, open_task(approved), APPROVE)
    act(user("district_tianhe"), open_task(approved), APPROVE)
    act(user("city"), open_task(approved), {"decision": "approve", "opinion": "同意组建"})

    rejected = case_service.start_instance(applicant, "consortium_application")
    act(applicant, open_task(rejected), application_form("panyu", name="新能源汽车"))
    act(leader, open_task(rejected), {"decision": "approve", "opinion": FORMULA_OPINION})
    act(user("district_panyu"), open_task(rejected), {"decision": "reject", "opinion": CONTROL_OPINION})

    running = case_service.start_instance(applicant, "consortium_application")
    tasks.save_draft(applicant, open_task(running).id, {"consortium_name": "超高清视频产业链质量创新联合体"})

    for instance in (approved, rejected, running):
        assert audit.verify_chain(audit.chain_of(instance.id)).ok
    assert (approved.outcome, rejected.outcome, running.outcome) == ("approved", "rejected", "")
    return {"approved": approved, "rejected": rejected, "running": running, "form": form}


def all_events(instances):
    return [e for i in instances for e in audit.events_of(i.id)]


def instances_of(cases):
    return [cases["approved"], cases["rejected"], cases["running"]]


# --- CSV ----------------------------------------------------------------

def read_csv(text):
    assert text.startswith("\ufeff")
    data = text.encode("utf-8")                       # what the download sends
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_audit_event_and_keeps_chinese(cases):
    instances = instances_of(cases)
    rows = read_csv(csv_export.to_csv(instances))
    header, body = rows[0], rows[1:]
    assert tuple(header) == common.CSV_COLUMNS
    events = all_events(instances)
    assert len(body) == len(events)
    column = {name: i for i, name in enumerate(header)}
    assert [r[column["event_hash"]] for r in body] == [e.hash for e in events]
    assert [r[column["event_type"]] for r in body] == [e.type for e in events]

    approved = cases["approved"]
    mine = [r for r in body if r[column["case_id"]] == str(approved.id)]
    assert {r[column["business_key"]] for r in mine} == {approved.business_key}
    assert {r[column["process_key"]] for r in mine} == {"consortium_application"}
    assert {r[column["process_version"]] for r in mine} == {str(approved.definition.version)}
    assert {r[column["district"]] for r in mine} == {"tianhe"}
    returned = [r for r in mine if r[column["decision"]] == "return"]
    assert len(returned) == 1
    assert returned[0][column["element_name"]] == "区办审核"
    assert returned[0][column["opinion"]] == "请补充成员单位"
    assert returned[0][column["actor"]] == "天河区办审核员"
    filled = [r for r in mine if r[column["event_type"]] == "task_completed"
              and r[column["element_id"]] == "fill_application"]
    assert len(filled) == 2 and filled[0][column["element_name"]] == "填写申请"
    times = [r[column["time"]] for r in mine]
    assert all(t.endswith("+08:00") for t in times)          # the programme's zone, as the pages show it
    assert [datetime.fromisoformat(t) for t in times] == \
        [e.at for e in audit.events_of(approved.id)]


def test_csv_neutralises_formulas_for_excel_unless_asked_not_to(cases):
    safe = csv_export.to_csv([cases["rejected"]])
    assert "'" + FORMULA_OPINION in safe
    exact = csv_export.to_csv([cases["rejected"]], bom=False, excel_safe=False)
    assert not exact.startswith("\ufeff")
    opinions = [row[12] for row in csv.reader(io.StringIO(exact, newline=""))]
    assert FORMULA_OPINION in opinions and CONTROL_OPINION in opinions


# --- XES ----------------------------------------------------------------

def xes_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "xes-ieee-1849-2016.xsd")))


def attrs(element):
    """key -> value of an XES element's own attributes."""
    return {child.get("key"): child.get("value") for child in element
            if child.tag in ("string", "date", "int", "float", "boolean", "id")}


def test_xes_is_valid_ieee_1849_and_one_trace_per_case(cases):
    instances = instances_of(cases)
    document = xes.to_xes(instances)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(document)
    xes_schema().assertValid(root)

    assert root.get("xes.version") == "1849.2016"
    assert {e.get("prefix") for e in root.findall("extension")} == {"concept", "time", "org", "lifecycle",
                                                                   "identity"}
    event_globals = attrs(root.find("global[@scope='event']"))
    for classifier in root.findall("classifier"):     # classifier keys must be global event attributes
        assert set(classifier.get("keys").split()) <= set(event_globals)
    assert attrs(root)["lifecycle:model"] == "standard"

    traces = root.findall("trace")
    assert [attrs(t)["concept:name"] for t in traces] == [i.business_key for i in instances]
    for trace, instance in zip(traces, instances, strict=True):
        head = attrs(trace)
        assert (head["case_id"], head["process_key"], head["process_version"]) == \
            (str(instance.id), "consortium_application", str(instance.definition.version))
        mined = [e for e in audit.events_of(instance.id) if e.type in common.XES_LIFECYCLE]
        events = [attrs(e) for e in trace.findall("event")]
        assert [e["audit_seq"] for e in events] == [str(e.seq) for e in mined]
        assert [e["audit_hash"] for e in events] == [e.hash for e in mined]
        stamps = [datetime.fromisoformat(e["time:timestamp"]) for e in events]
        assert all(s.utcoffset().total_seconds() == 8 * 3600 for s in stamps)   # the programme's zone
        assert stamps == sorted(stamps)
        for event in events:                           # every global event attribute is present
            assert set(event_globals) <= set(event)
    assert attrs(traces[0])["district"] == "tianhe" and attrs(traces[0])["outcome"] == "approved"
    assert attrs(traces[1])["outcome"] == "rejected"


def test_xes_events_carry_the_steps_lifecycle_and_decisions(cases):
    root = etree.fromstring(xes.to_xes([cases["approved"], cases["rejected"], cases["running"]]))
    approved, rejected, running = ([attrs(e) for e in t.findall("event")] for t in root.findall("trace"))

    def life(events, element_id):
        return [e["lifecycle:transition"] for e in events if e.get("element_id") == element_id]

    # the returned step is done twice, and so is every review before the return
    assert life(approved, "fill_application") == ["schedule", "complete", "schedule", "complete"]
    assert life(approved, "lead_unit_opinion") == ["schedule", "assign", "reassign", "complete",
                                                   "schedule", "assign", "complete"]
    assert life(approved, "district_review") == ["schedule", "assign", "complete"] * 2
    assert life(approved, "city_review") == ["schedule", "assign", "complete"]
    names = [e["concept:name"] for e in approved if e["lifecycle:transition"] == "complete"]
    assert names == ["提交申请", "填写申请", "牵头单位意见",
                     "区办审核", "填写申请",
                     "牵头单位意见", "区办审核",
                     "市办审核", "创建联合体", "已批准"]
    district = [e for e in approved if e.get("element_id") == "district_review"
                and e["lifecycle:transition"] == "complete"]
    assert [(e["decision"], e["opinion"]) for e in district] == [("return", "请补充成员单位"), ("approve", "同意")]
    assert {e["org:resource"] for e in district} == {"天河区办审核员"}
    assert {e["org:group"] for e in district} == {"district_office:tianhe"}
    scheduled = [e for e in approved if e.get("element_id") == "fill_application"
                 and e["lifecycle:transition"] == "schedule"]
    assert {e["assignee"] for e in scheduled} == {"applicant"}
    service = [e for e in approved if e["audit_type"] == "service_task_completed"]
    assert [(e["element_id"], e["topic"]) for e in service] == [("create_consortium", "create_consortium")]
    assert approved[-1]["outcome"] == "approved" and approved[-1]["element_id"] == "approved"
    assert len({e["identity:id"] for e in approved + rejected + running}) == len(approved + rejected + running)

    assert rejected[-1]["concept:name"] == "未通过"
    opinions = [e["opinion"] for e in rejected if "opinion" in e]
    assert FORMULA_OPINION in opinions
    assert "不符合申报条件\ufffd请核实" in opinions        # a character XML cannot carry is replaced, not fatal
    assert [(e["concept:name"], e["lifecycle:transition"]) for e in running] == \
        [("提交申请", "complete"), ("填写申请", "schedule")]


# --- OCEL 2.0 -----------------------------------------------------------

def ocel_validator():
    schema = json.loads((SCHEMAS / "ocel20-schema-json.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    # times are only checked as date-time when rfc3339-validator is installed
    assert "date-time" in Draft7Validator.FORMAT_CHECKER.checkers
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def check_referential_integrity(log):
    """What the JSON schema cannot say: every reference resolves, every type is declared."""
    object_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in log["objectTypes"]}
    event_types = {t["name"]: {a["name"] for a in t["attributes"]} for t in log["eventTypes"]}
    assert len(object_types) == len(log["objectTypes"]) and len(event_types) == len(log["eventTypes"])
    objects = {o["id"]: o for o in log["objects"]}
    assert len(objects) == len(log["objects"])
    assert len({e["id"] for e in log["events"]}) == len(log["events"])
    for obj in log["objects"]:
        assert {a["name"] for a in obj.get("attributes", [])} <= object_types[obj["type"]]
        for rel in obj.get("relationships", []):
            assert rel["objectId"] in objects
    for event in log["events"]:
        assert {a["name"] for a in event.get("attributes", [])} <= event_types[event["type"]]
        for rel in event.get("relationships", []):
            assert rel["objectId"] in objects
    return objects


def test_ocel_is_valid_ocel_2_and_links_cases_consortia_and_members(cases):
    instances = instances_of(cases)
    log = ocel.to_ocel(instances)
    log = json.loads(json.dumps(log, ensure_ascii=False))     # it is plain JSON
    ocel_validator().validate(log)
    objects = check_referential_integrity(log)

    assert {t["name"] for t in log["objectTypes"]} == {"case", "consortium", "member_unit",
                                                       "problem", "project", "achievement"}
    by_type = {}
    for obj in log["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    assert set(by_type) == {"case", "consortium", "member_unit"}
    assert [o["id"] for o in by_type["case"]] == [f"case:{i.business_key}" for i in instances]

    approved, rejected = cases["approved"], cases["rejected"]
    [consortium] = by_type["consortium"]
    values = {a["name"]: a["value"] for a in consortium["attributes"]}
    assert values["name"] == "智能装备产业链质量创新联合体" and values["district"] == "tianhe"
    codes = [m["credit_code"] for m in cases["form"]["members"]]
    assert consortium["relationships"] == [{"objectId": f"member_unit:{c}", "qualifier": "has member"}
                                           for c in codes]
    assert objects[f"case:{approved.business_key}"]["relationships"] == \
        [{"objectId": consortium["id"], "qualifier": "created"}]
    assert "relationships" not in objects[f"case:{rejected.business_key}"]

    assert len(by_type["member_unit"]) == 3 + 2        # approved case's three, rejected case's two
    renamed = objects[f"member_unit:{codes[1]}"]
    assert [a["value"] for a in renamed["attributes"] if a["name"] == "name"] == \
        ["智能装备成员单位2", "智能装备成员单位贰（更名）"]
    assert {a["value"] for a in objects[f"member_unit:{codes[2]}"]["attributes"]} >= {"补充成员单位", codes[2]}
    case_outcome = [a for a in objects[f"case:{approved.business_key}"]["attributes"] if a["name"] == "outcome"]
    assert [a["value"] for a in case_outcome] == ["approved"]


def test_ocel_events_relate_to_their_case_consortium_and_listed_members(cases):
    instances = instances_of(cases)
    log = ocel.to_ocel(instances)
    ocel_validator().validate(log)
    events = all_events(instances)
    assert len(log["events"]) == len(events)
    assert [e["time"] for e in log["events"]] == sorted(e["time"] for e in log["events"])
    assert all(e["time"].endswith("+08:00") for e in log["events"])

    def audit_type(event):
        return next(a["value"] for a in event["attributes"] if a["name"] == "audit_type")

    def related(event, qualifier):
        return [r["objectId"] for r in event["relationships"] if r["qualifier"] == qualifier]

    by_case = {}
    for event in log["events"]:
        [case] = related(event, "case")                 # every event belongs to exactly one case
        by_case.setdefault(case, []).append(event)
    approved, rejected = cases["approved"], cases["rejected"]
    mine = by_case[f"case:{approved.business_key}"]
    assert [e["id"] for e in mine] == [f"instance:{approved.id}#{e.seq}" for e in audit.events_of(approved.id)]
    [consortium] = [o["id"] for o in log["objects"] if o["type"] == "consortium"]
    [service] = [e for e in mine if audit_type(e) == "service_task_completed"]
    assert service["type"] == "创建联合体 (service completed)"
    assert related(service, "created") == [consortium]
    [ended] = [e for e in mine if audit_type(e) == "instance_completed"]
    assert ended["type"] == "已批准 (case ended)" and related(ended, "resulted in") == [consortium]
    [rejected_end] = [e for e in by_case[f"case:{rejected.business_key}"] if audit_type(e) == "instance_completed"]
    assert rejected_end["relationships"] == [{"objectId": f"case:{rejected.business_key}", "qualifier": "case"}]

    filled = [e for e in mine if e["type"] == "填写申请 (completed)"]
    codes = [f"member_unit:{m['credit_code']}" for m in cases["form"]["members"]]
    assert [related(e, "lists member") for e in filled] == [codes[:2], codes]
    reviews = [e for e in mine if e["type"] == "区办审核 (completed)"]
    assert [{a["name"]: a["value"] for a in e["attributes"]}["decision"] for e in reviews] == ["return", "approve"]
    assert {e["type"] for e in log["events"]} >= {"牵头单位意见 (claimed)",
                                                  "牵头单位意见 (released)",
                                                  "填写申请 (draft saved)",
                                                  "提交申请 (case started)"}
    declared = {t["name"]: t["attributes"] for t in log["eventTypes"]}
    assert {"name": "decision", "type": "string"} in declared["区办审核 (completed)"]
    assert {"name": "audit_seq", "type": "integer"} in declared["区办审核 (completed)"]


# --- nothing to export --------------------------------------------------

def test_exports_of_no_cases_are_still_valid_documents(app):
    assert csv_export.to_csv([]) == "\ufeff" + ",".join(common.CSV_COLUMNS) + "\r\n"
    root = etree.fromstring(xes.to_xes([]))
    xes_schema().assertValid(root)
    assert root.findall("trace") == []
    log = ocel.to_ocel([])
    ocel_validator().validate(log)
    assert (log["objects"], log["events"], log["eventTypes"]) == ([], [], [])


def test_ocel_carries_the_problems_and_projects_their_cases_act_on(app):
    """A report registers a problem; a project's lifecycle takes two problems up: the log has the
    problem and project objects, their status over time, and the cases and events that act on them."""
    project_case, problem_ids = project_in_execution()
    project = project_of(project_case)
    report = report_through_process("applicant", problem_data(project.consortium_id, title="新报告的问题"))
    reported = db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == report.id)).scalar_one()
    log = json.loads(json.dumps(ocel.to_ocel([project_case, report]), ensure_ascii=False))
    ocel_validator().validate(log)
    objects = check_referential_integrity(log)

    project_id = f"project:{project.number}"
    sources = [f"problem:{p.number}" for p in project.problems]
    assert objects[project_id]["relationships"] == [{"objectId": s, "qualifier": "addresses"} for s in sources]
    runs = objects[f"case:{project_case.business_key}"]["relationships"]
    assert {"objectId": project_id, "qualifier": "runs"} in runs
    assert {(r["objectId"], r["qualifier"]) for r in runs} >= {(s, "changed status") for s in sources}
    assert objects[f"case:{report.business_key}"]["relationships"] == [
        {"objectId": f"problem:{reported.number}", "qualifier": "reported"}]

    def events_of(case):
        return [e for e in log["events"] if {"objectId": f"case:{case.business_key}", "qualifier": "case"}
                in e["relationships"]]
    assert all({"objectId": project_id, "qualifier": "project"} in e["relationships"] for e in events_of(project_case))
    assert all({"objectId": f"problem:{reported.number}", "qualifier": "problem"} in e["relationships"]
               for e in events_of(report))

    source = db.session.get(QualityProblem, problem_ids[0])
    history = db.session.execute(select(ProblemStatusChange).where(
        ProblemStatusChange.problem_id == source.id).order_by(ProblemStatusChange.id)).scalars().all()
    statuses = [(a["value"], a["time"]) for a in objects[f"problem:{source.number}"]["attributes"]
                if a["name"] == "status"]
    assert statuses == [(c.to_status, common.iso_time(c.at)) for c in history]
    assert [s for s, _t in statuses] == ["identified", "in_breakthrough"]


# --- cases ended early --------------------------------------------------

def test_cases_ended_early_are_aborted_in_xes_and_keep_their_reason_in_ocel(app, user):
    """An administrator's termination and an initiator's cancellation: pi_abort with the reason."""
    cancelled = case_service.start_instance(user("applicant"), "consortium_application")
    cancellation.cancel_own_case(user("applicant"), cancelled.id, "重复申报")
    terminated = case_service.start_instance(user("applicant"), "consortium_application")
    termination.terminate(user("admin"), terminated.id, "材料造假")
    root = etree.fromstring(xes.to_xes([cancelled, terminated]))
    xes_schema().assertValid(root)
    ends = {}
    for trace in root.findall("trace"):
        [last] = [attrs(e) for e in trace.findall("event")][-1:]
        ends[attrs(trace)["concept:name"]] = (last["audit_type"], last["lifecycle:transition"], last.get("reason"))
    assert ends == {cancelled.business_key: ("instance_cancelled", "pi_abort", "重复申报"),
                    terminated.business_key: ("instance_terminated", "pi_abort", "材料造假")}
    log = json.loads(json.dumps(ocel.to_ocel([cancelled, terminated]), ensure_ascii=False))
    ocel_validator().validate(log)
    check_referential_integrity(log)
    reasons = {e["type"]: {a["name"]: a["value"] for a in e["attributes"]}["reason"]
               for e in log["events"] if e["type"] in ("instance_cancelled", "instance_terminated")}
    assert reasons == {"instance_cancelled": "重复申报", "instance_terminated": "材料造假"}
    outcomes = {o["id"]: {a["name"]: a["value"] for a in o["attributes"]}.get("outcome") for o in log["objects"]}
    assert outcomes[f"case:{cancelled.business_key}"] == "cancelled_by_initiator"
