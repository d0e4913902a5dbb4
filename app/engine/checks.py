"""Deploy-time checks: refuse, with the element and line, every diagram the
engine must not or cannot run. Each check is a small function over the parsed
XML tree; `check_diagram` runs them all and reports every problem found."""
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import expressions
from .dmn.evaluate import MAPPINGS
from .dmn.model import DmnDocument
from .errors import N_, DiagramError, Message
from .steps import (
    CAMUNDA_NS,
    INITIATOR_POLICIES,
    NO_APPROVER_POLICIES,
    NSMAP,
    TIMEOUT_POLICIES,
    ApprovalMode,
    StepConfig,
    read_step,
)

MAX_FLOW_NODES = 300   # SpiffWorkflow's parser recurses per node; ~500 in a chain overflows

_UNSUPPORTED = {
    "scriptTask": N_("script tasks are not allowed; use a service task with a whitelisted camunda:topic"),
    "complexGateway": N_("complex gateways are not supported by the engine"),
    "dataStoreReference": N_("data stores are not supported by the engine"),
    "dataStore": N_("data stores are not supported by the engine"),
    "compensateEventDefinition": N_("compensation is not supported by the engine"),
    "sendTask": N_("send tasks are not supported; use a service task"),
    # SpiffWorkflow makes these wait for a person, but they carry no assignment: they would sit
    # in nobody's inbox. (Camunda passes through them; we ask for an explicit choice.)
    "task": N_("a task without a type would wait for nobody's action; make it a userTask with "
               "camunda:assignee or camunda:candidateGroups, or a serviceTask"),
    "manualTask": N_("manual tasks are not supported; use a userTask with camunda:assignee or "
                     "camunda:candidateGroups so someone confirms the step"),
}
_FLOW_NODE_TAGS = ("task", "userTask", "serviceTask", "manualTask", "exclusiveGateway",
                   "parallelGateway", "inclusiveGateway", "eventBasedGateway", "startEvent",
                   "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                   "boundaryEvent", "subProcess", "callActivity", "businessRuleTask")
_ISO_LITERAL = re.compile(r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}[T0-9:.+\-Z]*)(/.*)?$")


def _problem(element: etree._Element, template: str, **params: object) -> DiagramError:
    """A problem at an element: `template` is a constant English message marked N_(...)."""
    error = DiagramError(template, element_id=element.get("id"), line=element.sourceline)
    error.problem = Message(template, **params)
    return error


def _parent(element: etree._Element) -> etree._Element:
    """The parent of an element below the root (the root is bpmn:definitions, checked first)."""
    parent = element.getparent()
    assert parent is not None, "only the root has no parent"
    return parent


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def check_unsupported_elements(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    for element in root.iter():
        name = _local(element.tag)
        if name in _UNSUPPORTED:
            owner = element if element.get("id") else _parent(element)
            yield _problem(owner, _UNSUPPORTED[name])
        if element.tag == f"{{{CAMUNDA_NS}}}script" or element.tag == f"{{{CAMUNDA_NS}}}executionListener" \
                or element.tag == f"{{{CAMUNDA_NS}}}taskListener":
            holder: etree._Element | None = element     # the nearest element with an id
            while holder is not None and not holder.get("id"):
                holder = holder.getparent()
            yield _problem(holder if holder is not None else element,
                           N_("scripts and listeners are not allowed; use a service task"))
        if element.get("{https://www.sartography.com/spiff}preScript") is not None or \
                _local(element.tag) in ("preScript", "postScript"):
            yield _problem(element, N_("pre/post scripts are not allowed"))


def check_size(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    for process in root.findall("bpmn:process", NSMAP):
        count = sum(len(process.findall(f".//bpmn:{tag}", NSMAP)) for tag in _FLOW_NODE_TAGS)
        if count > MAX_FLOW_NODES:
            yield _problem(process, N_("the process has %(count)s steps; the limit is %(limit)s"),
                           count=count, limit=MAX_FLOW_NODES)


def check_expressions(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    for cond in root.iter(f"{{{NSMAP['bpmn']}}}conditionExpression"):
        owner = _parent(cond)
        for reason in expressions.expression_problems(cond.text or ""):
            yield _problem(owner, N_("condition refused: %(reason)s"), reason=reason)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iter(f"{{{NSMAP['bpmn']}}}{tag}"):
            owner = _parent(_parent(timer))
            literal = expressions.unwrap(timer.text or "")
            if _ISO_LITERAL.match(literal):
                # A bare ISO 8601 literal: quote_timer_literals turns it into a string, so it is
                # never code; check now that SpiffWorkflow will be able to read it when reached.
                if not _timer_literal_is_valid(tag, literal):
                    yield _problem(owner, _TIMER_KINDS[tag], literal=literal)
                continue
            for reason in expressions.expression_problems(timer.text or ""):
                yield _problem(owner, N_("timer refused: %(reason)s"), reason=reason)


_TIMER_KINDS = {
    "timeDuration": N_("timer refused: '%(literal)s' is not a valid ISO 8601 duration"),
    "timeDate": N_("timer refused: '%(literal)s' is not a valid ISO 8601 date-time"),
    "timeCycle": N_("timer refused: '%(literal)s' is not a valid ISO 8601 repeating interval"),
}


def _timer_literal_is_valid(tag: str, text: str) -> bool:
    parse = {"timeDuration": TimerEventDefinition.parse_iso_duration,
             "timeDate": TimerEventDefinition.parse_time_or_duration,
             "timeCycle": TimerEventDefinition.parse_iso_recurring_interval}[tag]
    if text.replace("--", "/").count("/") > 2:
        return False
    try:
        value = parse(text)
    except Exception:  # the library raises bare Exception, ValueError, AttributeError …
        return False
    return tag != "timeDate" or isinstance(value, datetime)


def check_sequence_flow_ids(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    """SpiffWorkflow silently drops a sequence flow without an id, so the case would stop before it.
    Refused rather than given an id here: the stored diagram stays the file the administrator
    deployed, byte for byte (its content hash, and the ids the audit trail and the diagram views
    name), and every modeler writes ids, so a missing one is a damaged file worth a look."""
    for element in root.iter(f"{{{NSMAP['bpmn']}}}sequenceFlow"):
        if not element.get("id"):
            yield _problem(element, N_("a sequence flow (from '%(source)s' to '%(target)s') has no id; the engine "
                                       "would ignore it and the case would stop before it: give it an id"),
                           source=element.get("sourceRef") or "?", target=element.get("targetRef") or "?")


_EVENT_REFERENCES = (("errorEventDefinition", "errorRef", "error"),
                     ("escalationEventDefinition", "escalationRef", "escalation"),
                     ("messageEventDefinition", "messageRef", "message"),
                     ("signalEventDefinition", "signalRef", "signal"))


def check_event_references(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    """An event's errorRef / escalationRef / messageRef / signalRef names a bpmn:error (…) declared at
    the top of the file; the engine's parser fails on a missing one without naming the event."""
    for definition_tag, attribute, kind in _EVENT_REFERENCES:
        declared = {each.get("id") for each in root.iter(f"{{{NSMAP['bpmn']}}}{kind}")}
        for definition in root.iter(f"{{{NSMAP['bpmn']}}}{definition_tag}"):
            ref = definition.get(attribute)
            if ref and ref not in declared:
                yield _problem(_parent(definition),
                               N_("the event refers to %(kind)s '%(ref)s', which the file does not declare: "
                                  "add a bpmn:%(kind)s with that id at the top of the file"),
                               kind=kind, ref=ref)


def check_call_activities(root: etree._Element, **_: Any) -> Iterator[DiagramError]:
    processes = {p.get("id"): p for p in root.findall("bpmn:process", NSMAP)}
    for call in root.iter(f"{{{NSMAP['bpmn']}}}callActivity"):
        called = call.get("calledElement") or ""
        if not called:
            yield _problem(call, N_("the call activity names no process to call: set calledElement to the id of "
                                    "a bpmn:process of this file"))
        elif called not in processes:
            # the engine's parser would only say "The process 'X' was not found", naming no place
            yield _problem(call, N_("the call activity calls process '%(process)s', which is not in this file; "
                                    "a called process must be a bpmn:process of the same file (here: %(known)s)"),
                           process=called, known=_listed([pid for pid in processes if pid]))
    calls = {pid: {c.get("calledElement") for c in p.iter(f"{{{NSMAP['bpmn']}}}callActivity")}
             for pid, p in processes.items()}
    for pid, process in processes.items():
        seen, stack = set(), list(calls[pid])
        while stack:
            target = stack.pop()
            if target == pid:
                yield _problem(process, N_("a call activity calls its own process (directly or through "
                                           "others); this would grow without bound"))
                break
            if target in calls and target not in seen:
                seen.add(target)
                stack.extend(calls[target])


def check_user_tasks(root: etree._Element, forms: Collection[str] | None = None,
                     **_: Any) -> Iterator[DiagramError]:
    for element in root.iter(f"{{{NSMAP['bpmn']}}}userTask"):
        step = read_step(element)
        if not step.templates:
            yield _problem(element, N_("a user task needs camunda:assignee, camunda:candidateGroups "
                                       "or camunda:candidateUsers"))
        for template in step.templates:
            for expr in expressions.expressions_in(template):
                for reason in expressions.expression_problems(expr):
                    yield _problem(element, N_("assignment expression refused: %(reason)s"), reason=reason)
        if forms is not None and step.form_key and step.form_key not in forms:
            yield _problem(element, N_("form '%(form)s' is not in forms/"), form=step.form_key)
        yield from _check_approval(element, step)


def _check_approval(element: etree._Element, step: StepConfig) -> Iterator[DiagramError]:
    mode = step.approval_mode
    if mode not in ApprovalMode.ALL:
        yield _problem(element, N_("unknown approvalMode '%(value)s' (use one of %(allowed)s)"),
                       value=mode, allowed=", ".join(ApprovalMode.ALL))
        return
    if mode in ApprovalMode.MULTI and not (step.candidate_users or step.candidate_groups):
        yield _problem(element, N_("approvalMode '%(value)s' needs camunda:candidateUsers or camunda:candidateGroups"),
                       value=mode)
    if mode == ApprovalMode.VOTE:
        try:
            rate = step.vote_pass_rate
        except ValueError:
            rate = -1
        if not 0 < rate <= 1:
            yield _problem(element, N_("votePassRate must be a number above 0 and at most 1 (e.g. 0.6)"))
    yield from _check_policies(element, step)


def _check_policies(element: etree._Element, step: StepConfig) -> Iterator[DiagramError]:
    """What a step does without an approver, with the initiator among its approvers, at its
    due time, and whom it copies."""
    if step.no_approver not in NO_APPROVER_POLICIES:
        yield _problem(element, N_("unknown noApprover '%(value)s' (use %(allowed)s)"),
                       value=step.no_approver, allowed=", ".join(NO_APPROVER_POLICIES))
    if step.properties.get("signerChanges", "none") not in ("none", "allowed"):
        yield _problem(element, N_("signerChanges must be 'none' (the default) or 'allowed'"))
    if step.initiator_is_approver not in INITIATOR_POLICIES:
        yield _problem(element, N_("unknown initiatorIsApprover '%(value)s' (use %(allowed)s)"),
                       value=step.initiator_is_approver, allowed=", ".join(INITIATOR_POLICIES))
    if step.initiator_is_approver == "next_level" and not step.next_level_group:
        yield _problem(element, N_("initiatorIsApprover 'next_level' needs nextLevelGroup (the group above)"))
    timeout = step.properties.get("timeoutPolicy")
    if timeout and timeout not in TIMEOUT_POLICIES:
        yield _problem(element, N_("unknown timeoutPolicy '%(value)s' (use %(allowed)s)"),
                       value=timeout, allowed=", ".join(TIMEOUT_POLICIES))
    elif timeout:
        if not step.due_date:
            yield _problem(element, N_("timeoutPolicy needs camunda:dueDate"))
        if timeout == "alert" and not step.properties.get("riskRule"):
            yield _problem(element, N_("timeoutPolicy 'alert' needs the property riskRule (the rule it raises)"))
        try:
            step.timeout_policy  # noqa: B018 -- read for the error it raises on bad settings
        except (ValueError, TypeError) as exc:
            yield _problem(element, N_("remindEvery/remindTimes are not valid: %(reason)s"), reason=str(exc))
    for template in step.cc_templates:
        for expr in expressions.expressions_in(template):
            for reason in expressions.expression_problems(expr):
                yield _problem(element, N_("cc expression refused: %(reason)s"), reason=reason)


def check_service_tasks(root: etree._Element, services: Collection[str] | None = None,
                        **_: Any) -> Iterator[DiagramError]:
    for element in root.iter(f"{{{NSMAP['bpmn']}}}serviceTask"):
        topic = element.get(f"{{{CAMUNDA_NS}}}topic")
        if not topic:
            yield _problem(element, N_("a service task needs camunda:topic naming a whitelisted service"))
        elif services is not None and topic not in services:
            yield _problem(element, N_("service '%(topic)s' is not whitelisted (known: %(known)s)"),
                           topic=topic, known=_listed(services))


_RESULT_VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Camunda's other implementations of a business-rule task: code we do not run.
_RULE_TASK_IMPLEMENTATIONS = ("class", "expression", "delegateExpression", "type", "topic")


def check_business_rule_tasks(root: etree._Element, decisions: Mapping[str, DmnDocument] | None = None,
                              **_: Any) -> Iterator[DiagramError]:
    """A business-rule task only evaluates a DMN decision given with the definition (decisions=None:
    the decisions are not known to this check, only the task's own attributes are checked)."""
    for element in root.iter(f"{{{NSMAP['bpmn']}}}businessRuleTask"):
        ref = element.get(f"{{{CAMUNDA_NS}}}decisionRef") or ""
        if any(element.get(f"{{{CAMUNDA_NS}}}{name}") for name in _RULE_TASK_IMPLEMENTATIONS):
            yield _problem(element, N_("a business rule task evaluates a DMN decision: use camunda:decisionRef, "
                                       "not a class, expression or external task"))
        if not ref or "${" in ref or "#{" in ref:
            yield _problem(element, N_("a business rule task needs camunda:decisionRef naming a decision id "
                                       "(an expression is not allowed)"))
        if element.get(f"{{{CAMUNDA_NS}}}decisionRefBinding") not in (None, "latest", "deployment"):
            yield _problem(element, N_("decisions are versioned with the process definition: "
                                       "camunda:decisionRefBinding must be left out"))
        variable = element.get(f"{{{CAMUNDA_NS}}}resultVariable") or ""
        if not _RESULT_VARIABLE.match(variable):
            yield _problem(element, N_("a business rule task needs camunda:resultVariable, a name such as "
                                       "'severity' (letters, digits, underscores)"))
        mapping = element.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList"
        if mapping not in MAPPINGS:
            yield _problem(element, N_("unknown camunda:mapDecisionResult '%(value)s' (use %(allowed)s)"),
                           value=mapping, allowed=", ".join(MAPPINGS))
        if decisions is None or not ref:
            continue
        document = decisions.get(ref)
        if document is None:
            yield _problem(element, N_("decision '%(decision)s' is not among the rules given with the definition "
                                       "(known: %(known)s)"), decision=ref, known=_listed(decisions))
        elif mapping in ("singleEntry", "collectEntries"):
            outputs = document.decision(ref).output_names
            if len(outputs) != 1:
                yield _problem(element, N_("camunda:mapDecisionResult '%(value)s' needs a decision with one "
                                           "output; '%(decision)s' has %(count)s (%(outputs)s)"),
                               value=mapping, decision=ref, count=len(outputs), outputs=", ".join(outputs))


def _listed(names: Collection[str]) -> str | Message:
    return ", ".join(sorted(names)) or Message(N_("none"))


CHECKS: tuple[Callable[..., Iterator[DiagramError]], ...] = (
    check_unsupported_elements, check_size, check_sequence_flow_ids, check_event_references, check_expressions,
    check_call_activities,
    check_user_tasks, check_service_tasks, check_business_rule_tasks)


def check_diagram(root: etree._Element, forms: Collection[str] | None = None,
                  services: Collection[str] | None = None,
                  decisions: Mapping[str, DmnDocument] | None = None) -> list[DiagramError]:
    """All problems found in the diagram, in document order."""
    problems: list[DiagramError] = []
    for check in CHECKS:
        problems.extend(check(root, forms=forms, services=services, decisions=decisions))
    return problems


def quote_timer_literals(root: etree._Element) -> None:
    """Quote bare ISO 8601 timer texts (as modelers write them) so the evaluator reads strings."""
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iter(f"{{{NSMAP['bpmn']}}}{tag}"):
            text = expressions.unwrap(timer.text or "")
            if _ISO_LITERAL.match(text):
                timer.text = repr(text)
