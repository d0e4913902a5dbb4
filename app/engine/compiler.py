"""Turn diagram bytes into a runnable, validated definition.

Order matters: hardened XML parse → our checks (which name element and line)
→ SpiffWorkflow's parser on the finished tree. A compiled definition is
immutable and shared between threads; instances reference it, never embed it.
"""
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from . import flow_order
from .business_rule_task import DecisionTask, DecisionTaskParser
from .checks import check_diagram, quote_timer_literals
from .delivery import kind_of, start_events
from .dmn.model import DmnDocument
from .errors import N_, DiagramError
from .events import PARSERS as EVENT_PARSERS
from .service_task import TopicServiceTask, TopicServiceTaskParser
from .start_timers import KINDS as TIMER_KINDS, StartTimer, StartTimerError, validate as validate_start_timer
from .steps import NSMAP, ProcessSettings, StepConfig, bpmn_id, read_process, read_properties, read_step
from .xml_safety import parse_xml


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignore on subclassing.
class ChainQParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (TopicServiceTaskParser, TopicServiceTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
        **{full_tag(tag): classes for tag, classes in EVENT_PARSERS.items()},
    }

    def __init__(self, decisions: Mapping[str, DmnDocument] | None = None) -> None:
        super().__init__()
        self.decisions = dict(decisions or {})    # decision id -> the DMN document holding it


@dataclass(frozen=True)
class CompiledDefinition:
    key: str
    settings: ProcessSettings
    steps: dict[str, StepConfig]      # element id -> StepConfig (user tasks)
    element_names: dict[str, str]     # element id -> display name (all flow nodes): the BPMN name, in Chinese
    spec: Any = field(repr=False)     # SpiffWorkflow's BpmnProcessSpec
    # element id -> English name (`nameEn` extension property), where the diagram gives one
    element_names_en: dict[str, str] = field(default_factory=dict)
    subprocess_specs: dict[str, Any] = field(repr=False, default_factory=dict)
    start_timers: tuple[StartTimer, ...] = ()   # the scheduler starts the cases, not a person
    has_timer_events: bool = True     # any timer a running case can wait at (False: no step looks for one)
    # element id -> ids before it on the forward flow
    before: dict[str | None, frozenset[str | None]] = field(repr=False, default_factory=dict)
    # decision id -> DMN document, for the decisions the business-rule tasks reference
    decisions: dict[str, DmnDocument] = field(repr=False, default_factory=dict)
    # message and signal start events: (kind, name, element id); a message or signal starts the cases
    event_starts: tuple[tuple[str, str, str], ...] = ()
    catches: frozenset[tuple[str, str]] = frozenset()   # (kind, name) of everything it can wait for
    throws: frozenset[tuple[str, str]] = frozenset()    # (kind, name) of everything it can throw

    @property
    def decision_ids(self) -> tuple[str, ...]:
        """The decisions this definition evaluates, sorted: with each document's `digest`
        (or `source`) they belong in the definition's content hash."""
        return tuple(sorted(self.decisions))

    @property
    def name(self) -> str:
        return self.settings.name

    def step(self, element_id: str) -> StepConfig:
        return self.steps[element_id]


# What a diagram's file name may end with; `X.bpmn20.xml` names the process `X`, as Camunda's own files do.
_DIAGRAM_SUFFIXES = re.compile(r"(\.(bpmn20|bpmn2|bpmn|xml))+$", re.I)


def file_stem(filename: str | None) -> str:
    """The file's name without its folder and its diagram extensions (`a/X.bpmn20.xml` -> `X`)."""
    return _DIAGRAM_SUFFIXES.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])


def _pick_process(root: etree._Element, filename: str | None) -> etree._Element:
    """The process to deploy. Checked before anything else: problems of the elements are no use to
    someone whose file has nothing that would be deployed.

    Only processes marked isExecutable="true" are deployed, as Camunda 7 does since 7.6: a process
    without the attribute is documentation (a partner's pool, a sketch), not a program. SpiffWorkflow
    would parse one without the attribute as executable; we follow the dialect the diagrams are in."""
    processes = root.findall("bpmn:process", NSMAP)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if not executable:
        unmarked = [p for p in processes if p.get("isExecutable") is None]
        if unmarked:
            raise DiagramError(N_("no process is marked isExecutable=\"true\": only such a process is deployed "
                                  "(as in Camunda 7); add the attribute to the process to run"),
                               element_id=unmarked[0].get("id"), line=unmarked[0].sourceline, filename=filename)
        raise DiagramError(N_("no process is marked isExecutable=\"true\""), filename=filename)
    if len(executable) == 1:
        return executable[0]
    stem = file_stem(filename)
    named = [p for p in executable if p.get("id") == stem]
    if len(named) != 1:
        raise DiagramError(N_("%(count)s executable processes; the one to deploy must have "
                              "the file's name '%(name)s' as its id"), filename=filename,
                           count=len(executable), name=stem)
    return named[0]


def compile_definition(data: bytes | str, filename: str | None = None, forms: Collection[str] | None = None,
                       services: Collection[str] | None = None,
                       decisions: Mapping[str, DmnDocument] | None = None) -> CompiledDefinition:
    """Validate and parse diagram bytes; raise DiagramError naming what is wrong.

    `decisions` maps decision id -> checked DMN document (`dmn.checks.load_dmn`); every
    camunda:decisionRef must be among them (see `dmn.checks.decisions_by_id`)."""
    root = parse_xml(data, filename=filename)
    if etree.QName(root).localname != "definitions":
        raise DiagramError(N_("the root element must be bpmn:definitions"), filename=filename)
    decisions = dict(decisions or {})
    process = _pick_process(root, filename)
    problems = check_diagram(root, forms=forms, services=services, decisions=decisions)
    if problems:
        first = problems[0]
        first.filename = filename
        first.more = tuple(problems[1:])
        raise first
    quote_timer_literals(root)
    start_timers = _take_start_timers(process, filename)
    parser = ChainQParser(decisions)
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=filename)
        spec = parser.get_spec(process.get("id"))
        subprocess_specs = parser.get_subprocess_specs(process.get("id"))
    except ValidationException as exc:
        raise _engine_refusal(exc, root, process, filename) from None
    except RecursionError:
        raise DiagramError(N_("the diagram is nested or chained too deeply to parse"),
                           element_id=process.get("id"), filename=filename) from None
    except Exception as exc:  # the library raises assorted errors on malformed models
        error = DiagramError(N_("the engine cannot parse this process: it holds a construct the engine does not "
                                "support, at an element the engine does not name"),
                             element_id=process.get("id"), line=process.sourceline, filename=filename)
        error.detail = f"{type(exc).__name__}: {exc}"
        raise error from None
    settings = read_process(process)
    _check_start_per(settings, start_timers, process, filename)
    _check_flag(settings, "initiatorMayCancel", process, filename)
    _check_event_starts(process, filename)
    steps = {bpmn_id(el): read_step(el) for el in process.iter(f"{{{NSMAP['bpmn']}}}userTask")}
    names = {element_id: (el.get("name") or element_id)
             for el in process.iter() if (element_id := el.get("id"))}
    names_en = {element_id: english for el in process.iter()
                if (element_id := el.get("id")) and (english := read_properties(el).get("nameEn"))}
    return CompiledDefinition(key=bpmn_id(process), settings=settings, steps=steps,
                              element_names=names, element_names_en=names_en, spec=spec,
                              subprocess_specs=subprocess_specs,
                              start_timers=start_timers,
                              has_timer_events=_has_timer_events(spec, subprocess_specs),
                              before=flow_order.predecessors(process),
                              decisions=_referenced_decisions(spec, subprocess_specs, decisions),
                              **_events_of(spec, subprocess_specs))


# The library's own exception text (a class name, a namespaced tag): of no use to an administrator
_RAW_LIBRARY_TEXT = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b|\{https?://|Traceback")


def _engine_refusal(exc: ValidationException, root: etree._Element, process: etree._Element,
                    filename: str | None) -> DiagramError:
    """The parser's refusal at the element it names (its line looked up here: the library reads a
    line attribute that lxml does not have). A reason in the library's own words is replaced by a
    plain one, and kept as `detail` for the log."""
    element_id = getattr(exc, "id", "") or ""
    found = root.xpath("//*[@id=$id]", id=element_id) if element_id else []
    element = found[0] if found else process
    reason = str(exc).split("\n")[0]
    if not _RAW_LIBRARY_TEXT.search(reason):
        return DiagramError(N_("the engine refused the diagram: %(reason)s"), element_id=element.get("id"),
                            line=element.sourceline, filename=filename, reason=reason)
    error = DiagramError(N_("the engine cannot read this %(kind)s: it refers to something the file does not "
                            "declare, or uses a setting the engine does not support"),
                         element_id=element.get("id"), line=element.sourceline, filename=filename,
                         kind=etree.QName(element).localname)
    error.detail = reason
    return error


def _referenced_decisions(spec: Any, subprocess_specs: Mapping[str, Any],
                          decisions: Mapping[str, DmnDocument]) -> dict[str, DmnDocument]:
    return {task_spec.decision_ref: decisions[task_spec.decision_ref]
            for process in (spec, *subprocess_specs.values()) for task_spec in process.task_specs.values()
            if isinstance(task_spec, DecisionTask)}


START_PER_RECORD = ("consortium",)     # what a timer start may open one case for, each


def _check_start_per(settings: ProcessSettings, start_timers: tuple[StartTimer, ...], process: etree._Element,
                     filename: str | None) -> None:
    if not settings.start_per:
        return
    if settings.start_per not in START_PER_RECORD:
        raise DiagramError(N_("startPerRecord must be one of %(allowed)s, not '%(value)s'"),
                           element_id=process.get("id"), line=process.sourceline, filename=filename,
                           allowed=", ".join(START_PER_RECORD), value=settings.start_per)
    if not start_timers:
        raise DiagramError(N_("startPerRecord needs a timer start event: it says what each firing opens a case for"),
                           element_id=process.get("id"), line=process.sourceline, filename=filename)


def _check_flag(settings: ProcessSettings, name: str, process: etree._Element, filename: str | None) -> None:
    """A yes/no process property is written true or false (a typo must not quietly mean the default)."""
    value = settings.properties.get(name)
    if value is not None and value.strip().lower() not in ("true", "false"):
        raise DiagramError(N_("%(name)s must be true or false, not '%(value)s'"), element_id=process.get("id"),
                           line=process.sourceline, filename=filename, name=name, value=value)


def _check_event_starts(process: etree._Element, filename: str | None) -> None:
    """A message or signal start event starts a case; a plain start event beside it would start the
    same case at once (SpiffWorkflow starts at every plain start event), so they do not mix."""
    starts = process.findall("bpmn:startEvent", NSMAP)
    by_event = [s for s in starts if s.find("bpmn:messageEventDefinition", NSMAP) is not None
                or s.find("bpmn:signalEventDefinition", NSMAP) is not None]
    if by_event and len(by_event) != len(starts):
        plain = next(s for s in starts if s not in by_event)
        raise DiagramError(N_("a process started by a message or signal may have no other kind of start event"),
                           plain.get("id"), plain.sourceline, filename)


def _events_of(spec: Any, subprocess_specs: Mapping[str, Any]) -> dict[str, Any]:
    """Its message and signal start events, and (kind, name) of what it can catch and throw."""
    catches: set[tuple[str, str]] = set()
    throws: set[tuple[str, str]] = set()
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            definitions = [definition, *getattr(definition, "event_definitions", ())]
            for each in definitions:
                kind = kind_of(each)
                if kind is not None:
                    (throws if isinstance(task_spec, ThrowingEvent) else catches).add((kind, each.name))
    return {"event_starts": tuple(start_events(spec)), "catches": frozenset(catches), "throws": frozenset(throws)}


def _has_timer_events(spec: Any, subprocess_specs: Mapping[str, Any]) -> bool:
    def is_timer(definition: object) -> bool:
        if isinstance(definition, TimerEventDefinition):
            return True
        return any(is_timer(d) for d in getattr(definition, "event_definitions", ()) or ())
    return any(is_timer(getattr(task_spec, "event_definition", None))
               for process in (spec, *subprocess_specs.values()) for task_spec in process.task_specs.values())


def _take_start_timers(process: etree._Element, filename: str | None) -> tuple[StartTimer, ...]:
    """Read the process's timer start event and take the timer off the executable model.

    BPMN starts a new case at each occurrence; SpiffWorkflow would wait inside one
    case instead. So the job table schedules the starts (start_timers.py) and the
    started case begins at a plain start event with the same id: replay, the
    diagram and the audit trail all still name the timer start event."""
    starts = process.findall("bpmn:startEvent", NSMAP)
    found = []
    for start in starts:
        definition = start.find("bpmn:timerEventDefinition", NSMAP)
        if definition is None:
            continue
        if len(starts) > 1:
            raise DiagramError(N_("a process started by a timer must have exactly one start event "
                                  "(this one has %(count)s)"), start.get("id"), start.sourceline, filename,
                               count=len(starts))
        texts = [(child, etree.QName(child).localname) for child in definition
                 if etree.QName(child).localname in TIMER_KINDS]
        text = (texts[0][0].text or "").strip() if len(texts) == 1 else ""
        if not text:
            raise DiagramError(N_("a timer start event needs one of timeDate, timeDuration or timeCycle"),
                               start.get("id"), start.sourceline, filename)
        timer = StartTimer(bpmn_id(start), texts[0][1], text)
        try:
            validate_start_timer(timer)
        except StartTimerError as exc:
            raise DiagramError(N_("timer start event refused: %(reason)s"), start.get("id"),
                               texts[0][0].sourceline, filename, reason=exc.problem) from None
        start.remove(definition)
        found.append(timer)
    return tuple(found)
