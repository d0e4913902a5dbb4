"""The quality problem library (standard §5.4, App. C, App. D).

- `numbering`: GZ-<chain>-<year>-<seq>, from a per-(chain, year) counter row.
- `fields`: the App. C form data checked and turned into column values (422 naming each field).
- `commands`: register, set status, regrade, merge, delist, link: each inside a command,
  permission-checked, audited, with the status history kept.
- `visibility`: the one rule of who sees which problems, as a SQL filter every read path uses.
- `queries`: the list (filters, sort, pages), the detail, the rows of an export.
- `export`: the filtered list as an Excel workbook.

Problems are written by processes (service tasks `register_problem`, and later the project
lifecycle and the periodic review), by the system (demo, CLI), or by the managing body and the
city office; pages and the API only read.
"""
