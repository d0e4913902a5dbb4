"""Every status in one place, with the transitions allowed between them.
An illegal transition raises; it is never silently ignored."""


class IllegalTransition(RuntimeError):
    pass


class InstanceStatus:
    RUNNING = "running"
    SUSPENDED = "suspended"      # paused by an administrator: no task can be acted on, its timers stand still
    COMPLETED = "completed"      # reached an end event (the outcome says which)
    TERMINATED = "terminated"    # ended before its end event: by an administrator, or withdrawn by its initiator

    TRANSITIONS = {RUNNING: {COMPLETED, TERMINATED, SUSPENDED}, SUSPENDED: {RUNNING, TERMINATED},
                   COMPLETED: set(), TERMINATED: set()}
    ALL = (RUNNING, SUSPENDED, COMPLETED, TERMINATED)


class TaskStatus:
    OPEN = "open"
    SUSPENDED = "suspended"      # its case is suspended: out of every inbox until the case resumes
    COMPLETED = "completed"
    CANCELLED = "cancelled"      # its step ended without it (another approver decided, a withdrawal, a removed signer)

    TRANSITIONS = {OPEN: {COMPLETED, CANCELLED, SUSPENDED}, SUSPENDED: {OPEN, CANCELLED},
                   COMPLETED: set(), CANCELLED: set()}
    ALL = (OPEN, SUSPENDED, COMPLETED, CANCELLED)


class IncidentStatus:
    """A step that failed after a person's decision: open until a retry runs it through."""
    OPEN = "open"
    RESOLVED = "resolved"

    TRANSITIONS = {OPEN: {RESOLVED}, RESOLVED: set()}
    ALL = (OPEN, RESOLVED)


class MigrationItemStatus:
    """One case of a migration batch: waiting for its turn, moved, or refused (with the reason)."""
    PENDING = "pending"
    MIGRATED = "migrated"
    FAILED = "failed"

    TRANSITIONS = {PENDING: {MIGRATED, FAILED}, MIGRATED: set(), FAILED: set()}
    ALL = (PENDING, MIGRATED, FAILED)


def transition(record, states, new):
    if new not in states.TRANSITIONS.get(record.status, set()):
        raise IllegalTransition(f"{type(record).__name__} {record.id}: {record.status} -> {new} is not allowed")
    record.status = new



class ProblemStatus:
    """A quality problem (standard 5.4.2): identified → analysing → in breakthrough (a project was
    approved, 5.5.3) → solved (its project was accepted, 5.5.5). The periodic review (5.4.5) may
    merge a duplicate into another problem or delist one that no longer applies, while nobody is
    working on it yet; solved, merged and delisted problems stay in the library as history."""
    IDENTIFIED = "identified"
    ANALYSING = "analysing"
    IN_BREAKTHROUGH = "in_breakthrough"
    SOLVED = "solved"
    MERGED = "merged"
    DELISTED = "delisted"

    # A project may come from an identified problem directly (5.5.2); a project that fails its
    # acceptance or is terminated gives its problems back to analysis.
    TRANSITIONS = {IDENTIFIED: {ANALYSING, IN_BREAKTHROUGH, MERGED, DELISTED},
                   ANALYSING: {IN_BREAKTHROUGH, MERGED, DELISTED},
                   IN_BREAKTHROUGH: {SOLVED, ANALYSING}, SOLVED: set(), MERGED: set(), DELISTED: set()}
    ALL = (IDENTIFIED, ANALYSING, IN_BREAKTHROUGH, SOLVED, MERGED, DELISTED)
    # what a project lifecycle may set (set_problem_status); merging and delisting have their own commands
    PROGRESS = (ANALYSING, IN_BREAKTHROUGH, SOLVED)


class ProblemCategory:
    """Standard 5.4.3."""
    TECHNOLOGY = "technology"
    MANAGEMENT = "management"
    BRAND = "brand"
    INFRASTRUCTURE = "infrastructure"
    OTHER = "other"
    ALL = (TECHNOLOGY, MANAGEMENT, BRAND, INFRASTRUCTURE, OTHER)


class ProjectStatus:
    """A breakthrough project (5.5.3–5.5.5): proposed → task book (approved; the task book is being
    drawn up and signed) → executing (version 1 frozen) → acceptance (applied for) → accepted.
    A proposal may be rejected, or withdrawn with its case (its initiator cancels it, or an administrator
    terminates it) before it is decided; an acceptance may fail; a project whose case is terminated
    after its approval is terminated (its problems go back to analysis)."""
    PROPOSED = "proposed"
    REJECTED = "rejected"
    TASK_BOOK = "task_book"
    EXECUTING = "executing"
    ACCEPTANCE = "acceptance"
    ACCEPTED = "accepted"
    FAILED = "failed"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"

    TRANSITIONS = {PROPOSED: {TASK_BOOK, REJECTED, WITHDRAWN}, TASK_BOOK: {EXECUTING, TERMINATED},
                   EXECUTING: {ACCEPTANCE, TERMINATED}, ACCEPTANCE: {ACCEPTED, FAILED, EXECUTING, TERMINATED},
                   ACCEPTED: set(), FAILED: set(), REJECTED: set(), TERMINATED: set(), WITHDRAWN: set()}
    ALL = (PROPOSED, REJECTED, WITHDRAWN, TASK_BOOK, EXECUTING, ACCEPTANCE, ACCEPTED, FAILED, TERMINATED)
    # approved and not yet ended: a project whose case ends early now is terminated, not withdrawn
    UNDER_WAY = (TASK_BOOK, EXECUTING, ACCEPTANCE)
    # the problem statuses a proposal may start from (5.5.2)
    SOURCE_PROBLEM_STATUSES = (ProblemStatus.IDENTIFIED, ProblemStatus.ANALYSING)


class ProjectDirection:
    """Standard 5.5.2 a)–e)."""
    DESIGN = "design"                  # a) design and development quality
    SUPPLY_CHAIN = "supply_chain"      # b) supply-chain quality control
    MANUFACTURING = "manufacturing"    # c) agile and lean manufacturing
    SERVICE = "service"                # d) user service quality
    INFRASTRUCTURE = "infrastructure"  # e) quality infrastructure
    ALL = (DESIGN, SUPPLY_CHAIN, MANUFACTURING, SERVICE, INFRASTRUCTURE)


class RiskRule:
    """Why a risk alert was raised (5.5.4d)."""
    REPORT_MISSING = "report_missing"            # a quarterly report not in N working days after the quarter
    MILESTONE_OVERDUE = "milestone_overdue"      # a milestone past its date, not reported done
    TARGET_BEHIND = "target_behind"              # a target behind its linear trajectory by more than a threshold
    RECTIFICATION_OVERDUE = "rectification_overdue"   # a mid-term rectification past its deadline
    TEAM_REPORTED = "team_reported"              # the team reported a major risk
    ALL = (REPORT_MISSING, MILESTONE_OVERDUE, TARGET_BEHIND, RECTIFICATION_OVERDUE, TEAM_REPORTED)


class RiskSeverity:
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    ALL = (HIGH, MEDIUM, LOW)
    RANK = {HIGH: 3, MEDIUM: 2, LOW: 1}


class AchievementStatus:
    """An achievement (5.6): under review (its admission case runs) → published, or rejected, or
    withdrawn (its case ended early: the contributor cancelled it, an administrator terminated it);
    a published one may be delisted (5.6.4), keeping its history."""
    UNDER_REVIEW = "under_review"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DELISTED = "delisted"

    TRANSITIONS = {UNDER_REVIEW: {PUBLISHED, REJECTED, WITHDRAWN}, PUBLISHED: {DELISTED}, REJECTED: set(),
                   WITHDRAWN: set(), DELISTED: set()}
    ALL = (UNDER_REVIEW, PUBLISHED, REJECTED, WITHDRAWN, DELISTED)


class AchievementKind:
    """App. G 成果类型."""
    PATENT = "patent"
    TECHNICAL_SECRET = "technical_secret"
    SOFTWARE_COPYRIGHT = "software_copyright"
    STANDARD = "standard"
    SOLUTION = "solution"
    DATABASE = "database"
    TYPICAL_CASE = "typical_case"
    OTHER = "other"
    ALL = (PATENT, TECHNICAL_SECRET, SOFTWARE_COPYRIGHT, STANDARD, SOLUTION, DATABASE, TYPICAL_CASE, OTHER)


class ShareLevel:
    """5.6.2: who may read an achievement (registries/achievements/access.py decides)."""
    PUBLIC = "public"             # 公开: anyone, anonymous visitors included
    CONSORTIUM = "consortium"     # 联合体内部: the contributor's consortium
    DIRECTED = "directed"         # 定向: named requesters the contributor consented to, for a time
    PAID = "paid"                 # 有偿: licensees under a licence in force
    ALL = (PUBLIC, CONSORTIUM, DIRECTED, PAID)


class ShareCondition:
    """App. G 共享条件."""
    FREE = "free"
    PAID = "paid"
    AGREEMENT = "agreement"       # an agreement is required
    ALL = (FREE, PAID, AGREEMENT)


class GrantStatus:
    """A directed sharing request: requested → granted (for a time) → expired, or refused; or
    withdrawn while it waits for the answer (its case ended early: the requester cancelled it, an
    administrator terminated it)."""
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    TRANSITIONS = {REQUESTED: {GRANTED, REFUSED, WITHDRAWN}, GRANTED: {EXPIRED}, REFUSED: set(), EXPIRED: set(),
                   WITHDRAWN: set()}
    ALL = (REQUESTED, GRANTED, REFUSED, EXPIRED, WITHDRAWN)


class LicenceType:
    """App. H 许可方式."""
    ORDINARY = "ordinary"         # 普通许可
    EXCLUSIVE = "exclusive"       # 排他许可: the licensor may still use it, nobody else may be licensed
    SOLE = "sole"                 # 独占许可: only the licensee
    ALL = (ORDINARY, EXCLUSIVE, SOLE)
    BLOCKING = (EXCLUSIVE, SOLE)  # block any other grant over the same territory, field and term


class LicenceStatus:
    """A licence agreement: applied → accepted (by the contributor) → in force (registered by the
    managing body after both parties confirmed) → expired; or refused at either step; or withdrawn
    before it is in force (its case ended early: the applicant cancelled it, an administrator
    terminated it)."""
    APPLIED = "applied"
    ACCEPTED = "accepted"
    IN_FORCE = "in_force"
    REFUSED = "refused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    TRANSITIONS = {APPLIED: {ACCEPTED, REFUSED, WITHDRAWN}, ACCEPTED: {IN_FORCE, REFUSED, WITHDRAWN},
                   IN_FORCE: {EXPIRED}, REFUSED: set(), EXPIRED: set(), WITHDRAWN: set()}
    ALL = (APPLIED, ACCEPTED, IN_FORCE, REFUSED, EXPIRED, WITHDRAWN)
