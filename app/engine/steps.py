"""Our BPMN extensions, read from the diagram: how each user task is assigned
and which form it shows, and the process-level settings.

Camunda 7 attributes are used so the same file opens in Camunda Modeler:
`camunda:assignee`, `camunda:candidateGroups`, `camunda:candidateUsers`,
`camunda:formKey`, `camunda:dueDate`, `camunda:properties`.
"""
from dataclasses import dataclass, field

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def camunda_attr(element, name, default=None):
    return element.get(f"{{{CAMUNDA_NS}}}{name}", default)


def split_list(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def read_properties(element):
    """camunda:properties directly under this element's extensionElements."""
    props = {}
    for prop in element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NSMAP):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value", "")
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
TIMEOUT_POLICIES = ("remind", "auto_approve", "auto_reject", "escalate")
INITIATOR_POLICIES = ("approve", "skip", "next_level")


@dataclass(frozen=True)
class StepConfig:
    """Everything the services need to know about one user task."""
    element_id: str
    name: str
    assignee: str = ""                      # a user name or a `${...}` template
    candidate_groups: tuple = ()            # group keys or `${...}` templates
    candidate_users: tuple = ()
    form_key: str = ""
    due_date: str = ""
    properties: dict = field(default_factory=dict)
    line: int = 0

    @property
    def opinion_required(self):
        return self.properties.get("opinion", "optional") == "required"

    @property
    def approval_mode(self):
        return self.properties.get("approvalMode", ApprovalMode.SINGLE)

    @property
    def vote_pass_rate(self):
        return float(self.properties.get("votePassRate", "0.5"))

    @property
    def no_approver(self):
        """Who gets the step when nobody resolves: admins (default), auto_approve or auto_reject."""
        return self.properties.get("noApprover", "admins")

    @property
    def initiator_is_approver(self):
        """When the initiator is among the approvers: approve as normal (default) or skip them."""
        return self.properties.get("initiatorIsApprover", "approve")

    @property
    def next_level_group(self):
        """For initiatorIsApprover=next_level: the group that takes the step instead (`nextLevelGroup`)."""
        return self.properties.get("nextLevelGroup", "")

    @property
    def auto_approve_repeat(self):
        """Auto-approve for someone who approved the step just before (the same person twice in a row)."""
        return self.properties.get("autoApproveRepeat", "false") == "true"

    @property
    def timeout_policy(self):
        """What happens when the step's due time passes (None: nothing but the overdue mark)."""
        action = self.properties.get("timeoutPolicy")
        if not action:
            return None
        policy = {"action": action}
        if action == "remind":
            policy["times"] = int(self.properties.get("remindTimes", "1"))
            every = self.properties.get("remindEvery")
            if every:
                from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
                from datetime import datetime, timezone
                start = datetime(2000, 1, 1, tzinfo=timezone.utc)
                delta = TimerEventDefinition.get_timedelta_from_start(
                    TimerEventDefinition.parse_iso_duration(every), start)
                policy["every_seconds"] = int(delta.total_seconds())
        if action == "escalate":
            policy["group"] = self.properties.get("escalateTo", "admins")
        return policy

    @property
    def due_in_working_days(self):
        return self.properties.get("dueInWorkingDays", "false") == "true"

    @property
    def hidden_fields(self):
        """Form fields this step's approver does not see (camunda:property fieldsHidden)."""
        return frozenset(split_list(self.properties.get("fieldsHidden", "")))

    @property
    def readonly_fields(self):
        """Fields shown but not editable at this step (fieldsReadonly); submitted values are ignored."""
        return frozenset(split_list(self.properties.get("fieldsReadonly", "")))

    @property
    def cc_templates(self):
        """Configured CC recipients: user names or `group:<key>`, `${...}` templates allowed."""
        return split_list(self.properties.get("cc", ""))

    @property
    def templates(self):
        return [t for t in (self.assignee, *self.candidate_groups, *self.candidate_users) if t]


def read_step(element):
    return StepConfig(
        element_id=element.get("id"),
        name=element.get("name") or element.get("id"),
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
    starter_groups: tuple = ()
    properties: dict = field(default_factory=dict)

    @property
    def title_field(self):
        return self.properties.get("titleField", "")

    @property
    def scope_field(self):
        """The data field holding the district that scopes this case (data permission)."""
        return self.properties.get("scopeField", "")


def read_process(element):
    return ProcessSettings(
        key=element.get("id"),
        name=element.get("name") or element.get("id"),
        starter_groups=tuple(split_list(camunda_attr(element, "candidateStarterGroups"))),
        properties=read_properties(element),
    )
