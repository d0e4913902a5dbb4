"""Timer start events: what the compiler keeps and refuses, and when cases are due (pure)."""
from datetime import datetime, timedelta, timezone

import pytest

from app.engine import runner, start_timers
from app.engine.compiler import compile_definition
from app.engine.errors import DiagramError
from app.engine.start_timers import StartTimer

UTC = timezone.utc


def diagram(timer_xml, extra_start=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="periodic" isExecutable="true">
    <bpmn:startEvent id="tick">
      <bpmn:timerEventDefinition>{timer_xml}</bpmn:timerEventDefinition>
    </bpmn:startEvent>{extra_start}
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


def cycle(text):
    return StartTimer("tick", "timeCycle", repr(text))


def test_the_compiler_keeps_the_timer_and_the_case_starts_straight_away():
    compiled = compile_definition(diagram("<bpmn:timeCycle>R/2026-01-01T09:00:00+08:00/P3M</bpmn:timeCycle>"),
                                  "periodic.bpmn")
    [timer] = compiled.start_timers
    assert (timer.element_id, timer.kind) == ("tick", "timeCycle")
    workflow = runner.new_workflow(compiled, {})
    runner.advance(workflow)
    assert workflow.completed and runner.waiting_timers(workflow) == []   # no wait inside the case
    assert "tick" in runner.snapshot_path(workflow)


@pytest.mark.parametrize("timer_xml, message", [
    ("<bpmn:timeCycle>R/P0D</bpmn:timeCycle>", "is zero"),
    ("<bpmn:timeCycle>R0/PT1H</bpmn:timeCycle>", "never starts"),
    ("<bpmn:timeCycle>R/PT1H/2027-01-01T00:00:00Z</bpmn:timeCycle>", "start before the period"),
    ("<bpmn:timeCycle>applicant_deadline</bpmn:timeCycle>", "before a case exists"),
    ("<bpmn:timeCycle>0 0 9 * * ?</bpmn:timeCycle>", "tick"),
])
def test_unschedulable_start_timers_are_refused_naming_the_element(timer_xml, message):
    with pytest.raises(DiagramError) as caught:
        compile_definition(diagram(timer_xml), "periodic.bpmn")
    assert caught.value.element_id == "tick" and message in caught.value.describe()


def test_a_timer_start_must_be_the_only_start_event():
    extra = '<bpmn:startEvent id="by_hand" />'
    with pytest.raises(DiagramError, match="exactly one start event"):
        compile_definition(diagram("<bpmn:timeDuration>P1D</bpmn:timeDuration>", extra), "periodic.bpmn")


def test_a_cycle_with_a_start_skips_occurrences_before_the_deploy_and_steps_calendar_months():
    timer = cycle("R/2026-01-31T00:00:00Z/P1M")
    deployed = datetime(2026, 3, 15, tzinfo=UTC)
    first = start_timers.first_due(timer, deployed)
    assert first == datetime(2026, 3, 31, tzinfo=UTC)
    second = start_timers.next_due(timer, deployed, first)
    assert second == datetime(2026, 4, 30, tzinfo=UTC)       # counted from 31 January: no drift
    assert start_timers.first_due(timer, datetime(2026, 2, 1, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)


def test_a_fixed_period_far_in_the_past_is_computed_not_stepped():
    timer = cycle("R/2000-01-01T00:00:00Z/PT1M")
    moment = datetime(2026, 11, 25, 10, 30, 20, tzinfo=UTC)
    assert start_timers.first_due(timer, moment) == datetime(2026, 11, 25, 10, 31, tzinfo=UTC)


def test_repetitions_end_the_cycle():
    timer = cycle("R3/2027-01-01T00:00:00Z/P1D")
    deployed = datetime(2026, 12, 1, tzinfo=UTC)
    dues = [start_timers.first_due(timer, deployed)]
    while dues[-1] is not None:
        dues.append(start_timers.next_due(timer, deployed, dues[-1]))
    assert dues == [datetime(2027, 1, d, tzinfo=UTC) for d in (1, 2, 3)] + [None]
    assert start_timers.first_due(timer, datetime(2027, 2, 1, tzinfo=UTC)) is None   # deployed after its end


def test_a_period_alone_counts_from_the_deploy_and_a_late_firing_skips_to_the_next_occurrence():
    timer = cycle("R/PT1H")
    deployed = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert start_timers.first_due(timer, deployed) == deployed + timedelta(hours=1)
    fired_late = deployed + timedelta(hours=5, minutes=10)      # the app was down for four occurrences
    assert start_timers.next_due(timer, deployed, fired_late) == deployed + timedelta(hours=6)


def test_a_date_or_a_duration_starts_one_case():
    deployed = datetime(2026, 11, 25, tzinfo=UTC)
    date = StartTimer("tick", "timeDate", "'2027-01-05T09:00:00+08:00'")
    assert start_timers.first_due(date, deployed) == datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
    assert start_timers.next_due(date, deployed, datetime(2027, 1, 5, 1, 0, tzinfo=UTC)) is None
    duration = StartTimer("tick", "timeDuration", "'P7D'")
    assert start_timers.first_due(duration, deployed) == deployed + timedelta(days=7)


def test_calendar_months_step_in_the_offset_the_timer_was_written_in():
    """1 March 00:00 in Guangzhou is 28 February in UTC: months must be counted in +08:00."""
    china = timezone(timedelta(hours=8))
    deployed = datetime(2026, 2, 1, tzinfo=UTC)
    timer = cycle("R/2026-03-01T00:00:00+08:00/P1M")
    dues = [start_timers.first_due(timer, deployed)]
    for _ in range(3):
        dues.append(start_timers.next_due(timer, deployed, dues[-1]))
    assert [d.astimezone(china).date().isoformat() for d in dues] == \
        ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"]
    assert all(d.tzinfo == UTC for d in dues)                  # stored and compared in UTC
    month_end = cycle("R/2026-01-31T02:00:00+08:00/P1M")
    dues = [start_timers.first_due(month_end, datetime(2026, 1, 1, tzinfo=UTC))]
    for _ in range(3):
        dues.append(start_timers.next_due(month_end, deployed, dues[-1]))
    assert [d.astimezone(china).date().isoformat() for d in dues] == \
        ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]


def test_a_period_under_a_minute_is_refused():
    with pytest.raises(DiagramError, match="shorter than 1 minute"):
        compile_definition(diagram("<bpmn:timeCycle>R/PT0.000001S</bpmn:timeCycle>"), "periodic.bpmn")
    with pytest.raises(DiagramError, match="shorter than 1 minute"):
        compile_definition(diagram("<bpmn:timeCycle>R/2027-01-01T00:00:00Z/PT30S</bpmn:timeCycle>"), "periodic.bpmn")


def test_a_start_timer_that_reads_the_clock_is_refused():
    with pytest.raises(DiagramError, match="must not depend on the moment"):
        compile_definition(diagram("<bpmn:timeDate>(now() + days(1)).isoformat()</bpmn:timeDate>"), "periodic.bpmn")
