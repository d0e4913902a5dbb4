#!/usr/bin/env python
"""DMN speed: the App. D severity table (rules/problem_severity.dmn), bare and in a case.

In one run, on one fresh SQLite database (in-process, no HTTP):

1. **bare**: the evaluator alone (`app.engine.dmn.evaluate.decide`, the two-decision DRG
   severity_score -> problem_severity, mapDecisionResult singleResult), over every integer score
   combination in turn; decisions per second.
2. **service**: the same decision as a business-rule task in a case. Two small diagrams are
   deployed through the deploy service: `graded` (start -> scores, a user task with the expert
   scoring form -> business-rule task -> confirm) and `plain` (the same without the rule). For
   each case the scores task is completed through `tasks.complete` (one command; in `graded` the
   business-rule task runs inside it), alternating between the diagrams. Reports completions per
   second of each and the rule's cost per completion (graded - plain, p50): what a business-rule
   task adds to the command that reaches it.

Progress on stderr, ONE JSON object as the last stdout line. No budget: a diagnostic.

    .venv/bin/python bench/dmn.py [--quick] [--cases N] [--decisions N]
"""
import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import ROOT, log, make_app, reset_database  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.engine.dmn.checks import load_dmn  # noqa: E402
from app.engine.dmn.evaluate import decide  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import HumanTask, User  # noqa: E402
from app.services.workflow import cases, deploy, tasks  # noqa: E402

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="{key}_defs" targetNamespace="https://chainq.example/bench">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="scores" name="评分" camunda:assignee="${{initiator}}" camunda:formKey="problem_scoring" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="scores" />
    {rule}
    <bpmn:userTask id="confirm" name="确认" camunda:assignee="${{initiator}}" camunda:formKey="review_opinion" />
    <bpmn:endEvent id="end" />
    {flows}
    <bpmn:sequenceFlow id="f_end" sourceRef="confirm" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
RULE = ('<bpmn:businessRuleTask id="grade" camunda:decisionRef="problem_severity" camunda:resultVariable="severity" '
        'camunda:mapDecisionResult="singleResult" />')
GRADED = DIAGRAM.format(key="bench_graded", rule=RULE, flows=(
    '<bpmn:sequenceFlow id="f1" sourceRef="scores" targetRef="grade" />'
    '<bpmn:sequenceFlow id="f2" sourceRef="grade" targetRef="confirm" />'))
PLAIN = DIAGRAM.format(key="bench_plain", rule="", flows='<bpmn:sequenceFlow id="f1" sourceRef="scores" targetRef="confirm" />')
SCORES = list(itertools.product(range(1, 6), repeat=3))


def bare(document, n):
    started = time.perf_counter()
    for i in range(n):
        impact, diffusion, urgency = SCORES[i % len(SCORES)]
        decide(document, "problem_severity", {"impact": impact, "diffusion": diffusion, "urgency": urgency},
               "singleResult")
    return n / (time.perf_counter() - started)


def in_cases(n):
    """For n cases of each diagram, alternating: seconds to complete the scores task."""
    applicant = db.session.execute(select(User).where(User.username == "applicant")).scalar_one()
    timings = {"bench_graded": [], "bench_plain": []}
    for i in range(n):
        impact, diffusion, urgency = SCORES[i % len(SCORES)]
        form = {"impact": impact, "diffusion": diffusion, "urgency": urgency, "decision": "approve"}
        for key in (("bench_graded", "bench_plain") if i % 2 else ("bench_plain", "bench_graded")):
            case = cases.start_instance(applicant, key)
            task_id = db.session.execute(select(HumanTask.id).where(HumanTask.instance_id == case.id)).scalar_one()
            db.session.remove()
            started = time.perf_counter()
            tasks.complete(applicant, task_id, form)
            timings[key].append(time.perf_counter() - started)
            db.session.remove()
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases and decisions (CI, quick checks)")
    parser.add_argument("--cases", type=int, help="cases of each diagram (default 500; quick 50)")
    parser.add_argument("--decisions", type=int, help="bare evaluations (default 20,000; quick 2,000)")
    args = parser.parse_args()
    n_cases = args.cases or (50 if args.quick else 500)
    n_decisions = args.decisions or (2_000 if args.quick else 20_000)
    document = load_dmn((ROOT / "rules" / "problem_severity.dmn").read_bytes(), "problem_severity.dmn")
    work = Path(tempfile.mkdtemp(prefix="chainq-bench-dmn-"))
    app = make_app(f"sqlite:///{work / 'bench.db'}", work)
    with app.app_context():
        log("database: accounts, bpmn/ and rules/ deployed")
        reset_database()
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        for key, xml in (("bench_graded", GRADED), ("bench_plain", PLAIN)):
            deploy.deploy(admin, xml.encode("utf-8"), f"{key}.bpmn")
        log(f"bare evaluator: {n_decisions} decisions")
        bare(document, n_decisions // 10)                      # warm-up
        bare_rate = bare(document, n_decisions)
        log(f"service: {n_cases} cases of each diagram, alternating")
        in_cases(10)                                          # warm-up
        timings = in_cases(n_cases)
    graded, plain = (statistics.median(timings[k]) for k in ("bench_graded", "bench_plain"))
    print(json.dumps({
        "bench": "dmn", "quick": args.quick, "database": "sqlite-file", "decision": "problem_severity (2-decision DRG)",
        "bare": {"decisions": n_decisions, "decisions_per_s": round(bare_rate, 1),
                 "us_per_decision": round(1e6 / bare_rate, 1)},
        "service": {"cases": n_cases, "graded_complete_p50_ms": round(graded * 1000, 3),
                    "plain_complete_p50_ms": round(plain * 1000, 3),
                    "graded_decisions_per_s": round(1 / graded, 1),
                    "rule_task_cost_p50_ms": round((graded - plain) * 1000, 3)},
        "load_avg_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
