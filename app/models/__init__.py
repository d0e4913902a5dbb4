"""SQLAlchemy tables, one module per family. Models never commit."""
from .identity import Group, User, Unit, user_groups  # noqa: F401
from .repository import ProcessDefinition  # noqa: F401
from .runtime import ProcessInstance, HumanTask, TaskCandidate, Attachment, CarbonCopy, Notification  # noqa: F401
from .history import AuditAnchor, AuditEvent  # noqa: F401
from .registry import Consortium, ConsortiumMember  # noqa: F401
from .jobs import Holiday, JobStatus, TimerJob  # noqa: F401
