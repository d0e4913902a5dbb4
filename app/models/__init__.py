"""SQLAlchemy tables, one module per family. Models never commit."""
from .achievements import (  # noqa: F401
    AccessGrant,
    Achievement,
    AchievementNumberCounter,
    LicenceAgreement,
    LicenceConfirmation,
    LicenceRevenue,
)
from .history import AuditAnchor, AuditEvent  # noqa: F401
from .identity import ApiToken, Group, LoginFailure, Unit, User, user_groups  # noqa: F401
from .jobs import Holiday, JobStatus, TimerJob  # noqa: F401
from .messages import EventSubscription, PendingMessage, PendingStatus  # noqa: F401
from .operations import Incident, MigrationBatch, MigrationItem  # noqa: F401
from .problems import ProblemNumberCounter, ProblemReviewOutcome, ProblemStatusChange, QualityProblem, problem_link  # noqa: F401
from .projects import (  # noqa: F401
    BreakthroughProject,
    ChangeRequest,
    ProgressReport,
    ProjectCheck,
    ProjectNumberCounter,
    RiskAlert,
    RiskAlertEvent,
    TaskBookVersion,
    project_problem,
)
from .registry import Consortium, ConsortiumMember  # noqa: F401
from .repository import DecisionDefinition, DisabledProcessStart, ModelerDraft, ProcessDefinition  # noqa: F401
from .runtime import Attachment, CarbonCopy, HumanTask, Notification, ProcessInstance, TaskCandidate  # noqa: F401
