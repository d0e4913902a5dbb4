"""The risk dashboard (5.5.4d) for those who oversee the programme, the managing body and the
city office: per chain, the open alerts by severity; the open alerts themselves; and the
projects behind schedule (an open missed-report, overdue-milestone or lagging-target alert)."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ....domain.chains import CHAINS
from ....extensions import db
from ....models import BreakthroughProject, RiskAlert
from ....models.states import RiskRule, RiskSeverity
from ...errors import Forbidden, ValidationFailed
from .visibility import may_see_risk_dashboard

BEHIND_RULES = (RiskRule.MILESTONE_OVERDUE, RiskRule.REPORT_MISSING, RiskRule.TARGET_BEHIND)
LIST_LIMIT = 500
OPEN = "open"


@dataclass
class ChainCount:
    chain: str
    counts: dict                 # severity -> open alerts
    total: int


@dataclass
class BehindProject:
    project: BreakthroughProject
    alerts: list = field(default_factory=list)


@dataclass
class RiskDashboard:
    chain: str
    by_chain: list
    alerts: list
    behind: list


def _check(user, chain):
    if not may_see_risk_dashboard(user):
        raise Forbidden(_("The risk dashboard is for the managing body and the city office."))
    if chain and chain not in CHAINS:
        raise ValidationFailed(_("Some filters are not valid: %(names)s.", names="chain"),
                               {"chain": [_("Choose from: %(values)s.", values=", ".join(CHAINS))]})


def _open_alerts(chain):
    query = select(RiskAlert).join(RiskAlert.project).where(RiskAlert.status == OPEN) \
        .options(contains_eager(RiskAlert.project), selectinload(RiskAlert.events))
    return query.where(BreakthroughProject.chain == chain) if chain else query


def _counts(chain):
    query = select(BreakthroughProject.chain, RiskAlert.severity, func.count()).join(RiskAlert.project) \
        .where(RiskAlert.status == OPEN).group_by(BreakthroughProject.chain, RiskAlert.severity)
    if chain:
        query = query.where(BreakthroughProject.chain == chain)
    table = {}
    for code, severity, count in db.session.execute(query):
        table.setdefault(code, dict.fromkeys(RiskSeverity.ALL, 0))[severity] = count
    return [ChainCount(code, counts, sum(counts.values())) for code, counts in sorted(
        table.items(), key=lambda item: tuple(-item[1][s] for s in RiskSeverity.ALL) + (item[0],))]


def risk_dashboard(user, chain=""):
    """The dashboard, for every chain or one (`chain`, a CHAINS code)."""
    _check(user, chain)
    alerts = db.session.execute(_open_alerts(chain).order_by(RiskAlert.opened_at.desc(), RiskAlert.id.desc())
                                .limit(LIST_LIMIT)).scalars().unique().all()
    alerts = sorted(alerts, key=lambda a: -RiskSeverity.RANK.get(a.severity, 0))
    behind = {}
    for alert in db.session.execute(_open_alerts(chain).where(RiskAlert.rule.in_(BEHIND_RULES))
                                    .order_by(BreakthroughProject.number, RiskAlert.id)).scalars().unique():
        behind.setdefault(alert.project_id, BehindProject(alert.project)).alerts.append(alert)
    return RiskDashboard(chain, _counts(chain), alerts, list(behind.values()))
