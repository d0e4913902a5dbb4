"""DMN decision tables and literal-expression decisions, evaluated by ChainQ itself.

SpiffWorkflow's own DMN engine fails on files with more than one decision and
evaluates entries with Python `eval`; this package reads DMN 1.1–1.3 through the
hardened XML parser, checks every table at deploy time (naming decision, row and
column), and evaluates entries with the restricted evaluator in exact decimals.

Modules: `model` (the parsed document), `parser` (XML → model), `feel` (the
S-FEEL unary tests of input entries), `values` (typeRef coercion), `hit_policies`,
`evaluate` (the DRG and `mapDecisionResult`), `checks` (deploy-time refusals).
"""
