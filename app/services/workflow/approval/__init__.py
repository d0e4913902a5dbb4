"""Approval semantics around a user task: modes with several approvers, signatures, hand-over,
signers, and the actions on a whole case (urge, copy, withdraw, return)."""
