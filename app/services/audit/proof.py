"""The auditor's proof page in one read: every hash chain checked, the daily anchors checked, and
each case chain named by its business key (people know CON-20261105-3F2A, not instance:12)."""
from dataclasses import dataclass, field

from sqlalchemy import select

from ...extensions import db
from ...models import ProcessInstance
from . import trail
from .replay import require_auditor

CASE_CHAIN = "instance:"


@dataclass
class Proof:
    reports: list                                   # trail.ChainReport per chain
    anchors: object                                 # trail.verify_anchors()
    business_keys: dict = field(default_factory=dict)   # chain -> business key (case chains)

    @property
    def broken(self):
        return [r for r in self.reports if not r.ok]


def proof_report(actor):
    require_auditor(actor)
    reports = trail.verify_all()
    ids = [int(r.chain[len(CASE_CHAIN):]) for r in reports if r.chain.startswith(CASE_CHAIN)
           and r.chain[len(CASE_CHAIN):].isdigit()]
    keys = dict(db.session.execute(select(ProcessInstance.id, ProcessInstance.business_key)
                                   .where(ProcessInstance.id.in_(ids))).all()) if ids else {}
    return Proof(reports, trail.verify_anchors(), {f"{CASE_CHAIN}{i}": key for i, key in keys.items()})
