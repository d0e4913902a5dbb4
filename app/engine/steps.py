"""Our BPMN extensions, read from the diagram: how each user task is assigned
and which form it shows, and the process-level settings.

Camunda 7 attributes are used so the same file opens in Camunda Modeler:
`camunda:assignee`, `camunda:candidateGroups`, `camunda:candidateUsers`,
`camunda:formKey`, `camunda:dueDate`, `camunda:properties`.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NotRequired, TypedDict, cast

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def bpmn_id(element: etree._Element) -> str:
    """The element's id. The BPMN schema requires one on processes and flow nodes and the engine
    keys its specs by it; an element without one is named by its line in the deploy checks."""
    return cast(str, element.get("id"))


def camunda_attr(element: etree._Element, name: str, default: str | None = None) -> str | None:
    return element.get(f"{{{CAMUNDA_NS}}}{name}", default)


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def read_properties(element: etree._Element) -> dict[str, str]:
    """camunda:properties directly under this element's extensionElements."""
    props = {}
    for prop in element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NSMAP):
        name = prop.get("name")
        if name:
            props[name] = prop.get("value", "")
    return props


class ApprovalMode:
    """How the approvers of one step decide (camunda:property `approvalMode`)."""
    SINGLE = "single"            # one person (a named user, or the first of a group to claim)
    OR_SIGN = "or_sign"          # 或签: the first decision of any approver decides
    COUNTERSIGN = "countersign"  # 会签: all must approve; one rejection ends the step at once
    SEQUENTIAL = "sequential"    # 依次审批: one after another, in the given order
    VOTE = "vote"                # 票签: passes when the approving share reaches `votePassRate`

    ALL = (SINGLE, OR_SIGN, COUNTERSIGN, SEQUENTIAL, VOTE)
    MULTI = (OR_SIGN, COUNTERSIGN, SEQUENTIAL, VOTE)


NO_APPROVER_POLICIES = ("admins", "auto_approve", "auto_reject")
# `alert`: a registry raises a risk alert (property `riskRule` names the rule) and the task stays open
TIMEOUT_POLICIES = ("remind", "auto_approve", "auto_reject", "escalate", "alert")
INITIATOR_POLICIES = ("approve", "skip", "next_level")


class TimeoutPolicy(TypedDict):
    """What happens when a step's due time passes (`StepConfig.timeout_policy`)."""
    action: str                         # one of TIMEOUT_POLICIES
    times: NotRequired[int]             # remind: how many reminders
    every_seconds: NotRequired[int]     # remind: the interval between them
    group: NotRequired[str]             # escalate: the group that takes the step
    rule: NotRequired[str]              # alert: the risk rule raised (a key of workflow.handlers.ALERT_HOOKS)


@dataclass(frozen=True)
class StepConfig:
    """Everything the services need to know about one user task."""
    element_id: str
    name: str
    assignee: str = ""                      # a user name or a `${...}` template
    candidate_groups: tuple[str, ...] = ()  # group keys or `${...}` templates
    candidate_users: tuple[str, ...] = ()
    form_key: str = ""
    due_date: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def opinion_required(self) -> bool:
        return self.properties.get("opinion", "optional") == "required"

    @property
    def approval_mode(self) -> str:
        return self.properties.get("approvalMode", ApprovalMode.SINGLE)

    @property
    def vote_pass_rate(self) -> float:
        return float(self.properties.get("votePassRate", "0.5"))

    @property
    def no_approver(self) -> str:
        """Who gets the step when nobody resolves: admins (default), auto_approve or auto_reject."""
        return self.properties.get("noApprover", "admins")

    @property
    def initiator_is_approver(self) -> str:
        """When the initiator is among the approvers: approve as normal (default) or skip them."""
        return self.properties.get("initiatorIsApprover", "approve")

    @property
    def next_level_group(self) -> str:
        """For initiatorIsApprover=next_level: the group that takes the step instead (`nextLevelGroup`)."""
        return self.properties.get("nextLevelGroup", "")

    @property
    def signer_changes(self) -> bool:
        """Whether the approvers may add (加签) or remove (减签) fellow approvers: `signerChanges=allowed`.
        Off by default: a panel is whoever the diagram named, not whom a member invites."""
        return self.properties.get("signerChanges", "none") == "allowed"

    @property
    def auto_approve_repeat(self) -> bool:
        """Auto-approve for someone who approved the step just before (the same person twice in a row)."""
        return self.properties.get("autoApproveRepeat", "false") == "true"

    @property
    def timeout_policy(self) -> TimeoutPolicy | None:
        """What happens when the step's due time passes (None: nothing but the overdue mark)."""
        action = self.properties.get("timeoutPolicy")
        if not action:
            return None
        policy: TimeoutPolicy = {"action": action}
        if action == "remind":
            policy["times"] = int(self.properties.get("remindTimes", "1"))
            every = self.properties.get("remindEvery")
            if every:
                start = datetime(2000, 1, 1, tzinfo=timezone.utc)
                delta = TimerEventDefinition.get_timedelta_from_start(
                    TimerEventDefinition.parse_iso_duration(every), start)
                policy["every_seconds"] = int(delta.total_seconds())
        if action == "escalate":
            policy["group"] = self.properties.get("escalateTo", "admins")
        if action == "alert":
            policy["rule"] = self.properties.get("riskRule", "")
        return policy

    @property
    def due_in_working_days(self) -> bool:
        return self.properties.get("dueInWorkingDays", "false") == "true"

    @property
    def hidden_fields(self) -> frozenset[str]:
        """Form fields this step's approver does not see (camunda:property fieldsHidden)."""
        return frozenset(split_list(self.properties.get("fieldsHidden", "")))

    @property
    def readonly_fields(self) -> frozenset[str]:
        """Fields shown but not editable at this step (fieldsReadonly); submitted values are ignored."""
        return frozenset(split_list(self.properties.get("fieldsReadonly", "")))

    @property
    def cc_templates(self) -> list[str]:
        """Configured CC recipients: user names or `group:<key>`, `${...}` templates allowed."""
        return split_list(self.properties.get("cc", ""))

    @property
    def templates(self) -> list[str]:
        return [t for t in (self.assignee, *self.candidate_groups, *self.candidate_users) if t]


def read_step(element: etree._Element) -> StepConfig:
    return StepConfig(
        element_id=bpmn_id(element),
        name=element.get("name") or bpmn_id(element),
        assignee=camunda_attr(element, "assignee", "") or "",
        candidate_groups=tuple(split_list(camunda_attr(element, "candidateGroups"))),
        candidate_users=tuple(split_list(camunda_attr(element, "candidateUsers"))),
        form_key=camunda_attr(element, "formKey", "") or "",
        due_date=camunda_attr(element, "dueDate", "") or "",
        properties=read_properties(element),
        line=element.sourceline or 0,
    )


@dataclass(frozen=True)
class ProcessSettings:
    """Process-level settings: who may start it and which data fields name the case."""
    key: str
    name: str
    starter_groups: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def name_en(self) -> str:
        """The process's English name (process property `nameEn`); the BPMN `name` is the Chinese one."""
        return self.properties.get("nameEn", "")

    @property
    def title_field(self) -> str:
        return self.properties.get("titleField", "")

    @property
    def submission_form(self) -> str:
        """The form key the case is submitted with, shown read-only beside the later steps."""
        return self.properties.get("submissionForm", "")

    @property
    def start_per(self) -> str:
        """`consortium`: a timer start opens one case per consortium (see docs/approval-steps.md)."""
        return self.properties.get("startPerRecord", "")

    @property
    def scope_field(self) -> str:
        """The data field holding the district that scopes this case (data permission)."""
        return self.properties.get("scopeField", "")

    @property
    def initiator_may_cancel(self) -> bool:
        """Whether the initiator may cancel (撤销) a running case (`initiatorMayCancel`, default true)."""
        return self.properties.get("initiatorMayCancel", "true").strip().lower() != "false"


def read_process(element: etree._Element) -> ProcessSettings:
    return ProcessSettings(
        key=bpmn_id(element),
        name=element.get("name") or bpmn_id(element),
        starter_groups=tuple(split_list(camunda_attr(element, "candidateStarterGroups"))),
        properties=read_properties(element),
    )
