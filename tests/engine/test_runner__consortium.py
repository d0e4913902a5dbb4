"""The shipped consortium diagram, walked through every outcome the way the
services drive it: save and reload after every step."""
from pathlib import Path
from uuid import uuid4

import pytest
from SpiffWorkflow.task import TaskState

from app.engine import runner
from app.engine.compiler import compile_definition

ROOT = Path(__file__).resolve().parents[2]
START_DATA = {"initiator": "alice", "initiator_unit": "unit_7", "district": "yuhang",
              "consortium_name": "Hangzhou EV chain"}


@pytest.fixture(scope="module")
def definition():
    data = (ROOT / "bpmn" / "consortium_application.bpmn").read_bytes()
    return compile_definition(data, filename="consortium_application.bpmn",
                              services={"create_consortium"})


class Case:
    """One instance as the services see it: only the saved state survives between steps."""

    def __init__(self, definition, services=None):
        self.definition = definition
        self.calls = []
        self.services = services or {"create_consortium": self.create_consortium}
        workflow = runner.new_workflow(definition, dict(START_DATA), services=self.services)
        runner.advance(workflow)
        self.save(workflow)

    def create_consortium(self, data, **kwargs):
        self.calls.append((dict(data), kwargs))
        return {"consortium_id": 1001}

    def save(self, workflow):
        self.snap = runner.snapshot(workflow)
        self.states = getattr(self, "states", []) + [self.snap.state]

    def load(self):
        return runner.open_workflow(self.snap.state, self.definition, services=self.services)

    @property
    def waiting(self):
        return [t.element_id for t in self.snap.ready_tasks]

    def act(self, element_id, **data):
        workflow = self.load()
        [task] = runner.ready_user_tasks(workflow)
        assert task.element_id == element_id
        runner.complete_user_task(workflow, task.spiff_id, data)
        self.save(workflow)
        return task


def test_approve_path(definition):
    case = Case(definition)
    assert case.waiting == ["fill_application"]
    case.act("fill_application", members=[{"name": "A"}, {"name": "B"}])
    assert case.waiting == ["lead_unit_opinion"]
    case.act("lead_unit_opinion", decision="approve", opinion="同意")
    assert case.waiting == ["district_review"]
    case.act("district_review", decision="approve", opinion="ok")
    assert case.waiting == ["city_review"]
    assert case.calls == []
    case.act("city_review", decision="approve", opinion="批准")

    assert case.snap.completed and case.snap.end_element == "approved"
    assert case.waiting == []
    assert case.snap.completed_elements == (
        "start", "fill_application", "lead_unit_opinion", "lead_unit_decision", "district_review",
        "district_decision", "city_review", "city_decision", "create_consortium", "approved")
    # The service task ran once, with the case data, and its result is in the data.
    [(data, kwargs)] = case.calls
    assert data["consortium_name"] == "Hangzhou EV chain" and data["decision"] == "approve"
    assert data["members"] == [{"name": "A"}, {"name": "B"}]
    assert case.snap.data["consortium_id"] == 1001
    assert case.snap.data["opinion"] == "批准"
    # Reloading the finished instance neither re-runs the service nor loses anything.
    finished = case.load()
    runner.advance(finished)
    assert finished.completed and len(case.calls) == 1
    assert runner.snapshot(finished).data["consortium_id"] == 1001


def test_return_path_goes_back_and_through_the_chain_again(definition):
    case = Case(definition)
    case.act("fill_application", version=1)
    case.act("lead_unit_opinion", decision="return", opinion="add members")
    assert case.waiting == ["fill_application"]
    case.act("fill_application", version=2)
    case.act("lead_unit_opinion", decision="approve")
    case.act("district_review", decision="return", opinion="missing licence")
    assert case.waiting == ["fill_application"]
    case.act("fill_application", version=3)
    case.act("lead_unit_opinion", decision="approve")
    case.act("district_review", decision="approve")
    case.act("city_review", decision="return", opinion="wrong budget")
    assert case.waiting == ["fill_application"]
    case.act("fill_application", version=4)
    for step in ("lead_unit_opinion", "district_review", "city_review"):
        case.act(step, decision="approve")

    assert case.snap.completed and case.snap.end_element == "approved"
    assert case.snap.completed_elements.count("fill_application") == 4
    assert case.snap.completed_elements.count("lead_unit_opinion") == 4
    assert case.snap.completed_elements.count("city_review") == 2
    assert case.snap.data["version"] == 4
    assert len(case.calls) == 1


@pytest.mark.parametrize("rejecting_step", ["lead_unit_opinion", "district_review", "city_review"])
def test_reject_path(definition, rejecting_step):
    case = Case(definition)
    case.act("fill_application")
    for step in ("lead_unit_opinion", "district_review", "city_review"):
        if step == rejecting_step:
            case.act(step, decision="reject", opinion="no")
            break
        case.act(step, decision="approve")
    assert case.snap.completed and case.snap.end_element == "rejected"
    assert case.waiting == []
    assert case.calls == []
    assert "create_consortium" not in case.snap.completed_elements


def test_every_saved_state_loads_and_shares_the_compiled_spec(definition):
    case = Case(definition)
    case.act("fill_application")
    case.act("lead_unit_opinion", decision="return")
    case.act("fill_application")
    for state in case.states:
        workflow = runner.open_workflow(state, definition)
        assert workflow.spec is definition.spec
        assert runner.snapshot(workflow).state == state     # load + dump is the identity


def test_completing_a_task_that_is_not_ready_is_refused(definition):
    case = Case(definition)
    workflow = case.load()
    [fill] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, fill.spiff_id, {"title": "first"})
    case.save(workflow)
    workflow = case.load()

    # Already completed: refused, and neither its data nor the workflow changes.
    before = runner.snapshot(workflow).state
    with pytest.raises(runner.TaskNotReady):
        runner.complete_user_task(workflow, fill.spiff_id, {"title": "second"})
    assert runner.snapshot(workflow).state == before

    # A task the workflow has predicted but not reached.
    future = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "district_review"]
    assert future and all(t.state != TaskState.READY for t in future)
    with pytest.raises(runner.TaskNotReady):
        runner.complete_user_task(workflow, str(future[0].id), {"decision": "approve"})

    # An automatic step is never a person's to complete.
    [start] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "start"]
    with pytest.raises(runner.TaskNotReady):
        runner.complete_user_task(workflow, str(start.id), {})

    # Ids that do not belong to this workflow, or are not ids at all.
    for bogus in (str(uuid4()), "not-a-uuid", ""):
        with pytest.raises(runner.TaskNotReady):
            runner.complete_user_task(workflow, bogus, {})
    assert runner.snapshot(workflow).state == before
    assert [t.element_id for t in runner.ready_user_tasks(workflow)] == ["lead_unit_opinion"]


def test_ready_task_describes_itself(definition):
    case = Case(definition)
    [task] = case.snap.ready_tasks
    assert task.element_id == "fill_application"
    assert task.name == "填写申请"
    assert task.data["initiator"] == "alice"
    step = definition.step("lead_unit_opinion")
    assert step.candidate_groups == ("unit_leader:${initiator_unit}",)
    assert step.opinion_required and step.form_key == "review_opinion"
    assert definition.settings.scope_field == "district"
    assert definition.settings.starter_groups == ("applicants",)
