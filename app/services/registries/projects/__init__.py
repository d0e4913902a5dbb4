"""The breakthrough project library (standard §5.5, App. E, App. F) and its lifecycle.

- `numbering`: GZ-XM-<chain>-<year>-<seq>, from a per-(chain, year) counter row.
- `records`: who may write, loading, the audit events (`project_*`) and the status moves.
- `proposals`: the proposal (App. E) from a consortium's lead unit; approval and rejection.
- `task_books`: the task book (App. F) checked, signed by every unit, frozen as version 1.
- `reports`: quarterly progress reports (5.5.4a), which close and raise alerts.
- `changes`: change requests (5.5.4c): on approval the proposal becomes the next task book version.
- `checks`: the mid-term check (5.5.4b) and the acceptance (5.5.5).
- `alerts`: risk alerts (5.5.4d): one open alert per rule and subject, severity from rules/project_risk.dmn.
- `due_checks`: the moments the system acts by itself: a milestone's end of day (a timer job), a
  report or a rectification past its step's due time (the step's `timeoutPolicy=alert`).
- `process_tasks`: the service tasks of bpmn/breakthrough_project.bpmn.
- `requests`: the team's change requests and risk reports, delivered to the case as messages.
- read side (docs/project-pages.md): `visibility`, `queries`, `versions`, `progress`, `detail`,
  `dashboard`, `labels`, `export`.

Every command takes the running command's context (`ctx`) and checks who may write first.
"""
