"""The command layer: one public call = one command = one transaction, and the
only code that commits. Each command checks the actor's right first."""
