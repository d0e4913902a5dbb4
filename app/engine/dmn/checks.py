"""Deploy-time checks for DMN documents: refuse, naming decision, rule row (1-based)
and column, every table the engine must not or cannot evaluate.

The rule for names: an input expression reads case data, so it may name any
variable (and the outputs of required decisions). Input and output entries may
only read what the table declares it reads: the names its input expressions use,
the outputs of the decisions it requires (directly or not), and the evaluator's
constants and functions. Anything else is refused as an unknown name: a typo is
caught at deploy time, and the table shows every value it depends on as a column.
"""
from collections.abc import Iterable, Iterator

from .. import expressions
from ..errors import DiagramError
from . import feel, overlap
from .model import AGGREGATIONS, HIT_POLICIES, TYPE_REFS, Cell, Decision, DecisionTable, DmnDocument, Rule
from .parser import parse_dmn


def load_dmn(data: bytes | str, filename: str | None = None) -> DmnDocument:
    """Parse and check a .dmn file; raise DiagramError naming the first problem (and counting the rest)."""
    document = parse_dmn(data, filename)
    problems = check_document(document)
    if problems:
        first = problems[0]
        message = first.message
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s): " + \
                "; ".join(p.describe() for p in problems[1:4]) + ")"
        raise DiagramError(message, first.element_id, first.line, filename)
    return document


def decisions_by_id(documents: Iterable[DmnDocument]) -> dict[str, DmnDocument]:
    """decision id -> document, the `decisions` argument of compile_definition. A decision id
    in two files is refused: a decisionRef must name one table."""
    found: dict[str, DmnDocument] = {}
    for document in documents:
        for decision in document.decisions.values():
            other = found.get(decision.id)
            if other is not None and other is not document:
                raise DiagramError(f"decision id '{decision.id}' is also in {other.filename or 'another file'}",
                                   decision.id, decision.line, document.filename)
            found[decision.id] = document
    return found


def check_dmn(data: bytes | str, filename: str | None = None) -> list[DiagramError]:
    """Every problem in a .dmn file (an unreadable file is one problem)."""
    try:
        document = parse_dmn(data, filename)
    except DiagramError as exc:
        return [exc]
    return check_document(document)


def check_document(document: DmnDocument) -> list[DiagramError]:
    problems: list[DiagramError] = []
    if not document.decisions:
        problems.append(DiagramError("the file has no decision", filename=document.filename))
    problems.extend(_check_requirements(document))
    for decision in document.decisions.values():
        problems.extend(_check_decision(document, decision))
    for problem in problems:
        problem.filename = document.filename
    return problems


def _problem(decision: Decision, message: str, element_id: str | None = None,
             line: int | None = None) -> DiagramError:
    return DiagramError(f"decision '{decision.id}': {message}", element_id or decision.id, line or decision.line)


def _check_requirements(document: DmnDocument) -> Iterator[DiagramError]:
    for decision in document.decisions.values():
        for required in decision.required:
            if required not in document.decisions:
                yield _problem(decision, f"requires decision '{required}', which is not in this file")
    reported: set[frozenset[str]] = set()
    for decision in document.decisions.values():
        cycle = _cycle_from(document, decision.id)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield _problem(decision, "decisions require each other in a cycle: " + " -> ".join(cycle))


def _cycle_from(document: DmnDocument, start: str) -> list[str]:
    """A requirement path from `start` back to itself, or [] if there is none."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        current, path = stack.pop()
        for required in document.decisions[current].required if current in document.decisions else ():
            if required == start:
                return [*path, start]
            if required not in seen:
                seen.add(required)
                stack.append((required, [*path, required]))
    return []


def _known_names(document: DmnDocument, decision: Decision, table: DecisionTable) -> set[str]:
    names = set(expressions.NAMES) | set(expressions.FUNCTIONS)
    for clause in table.inputs:
        names |= feel.free_names(clause.expression)
    stack, seen = list(decision.required), set()
    while stack:
        required = stack.pop()
        if required in seen or required not in document.decisions:
            continue
        seen.add(required)
        names |= set(document.decisions[required].output_names)
        stack.extend(document.decisions[required].required)
    return names


def _check_decision(document: DmnDocument, decision: Decision) -> Iterator[DiagramError]:
    logic = decision.logic
    if logic is None:
        yield _problem(decision, "needs a decision table or a literal expression")
        return
    if isinstance(logic, DecisionTable):
        yield from _check_table(document, decision, logic)
        return
    if logic.type_ref and logic.type_ref not in TYPE_REFS:
        yield _problem(decision, f"typeRef '{logic.type_ref}' is not supported (use {', '.join(TYPE_REFS)})",
                       logic.id, logic.line)
    reasons = expressions.check_expression(logic.text)
    if reasons:
        yield _problem(decision, f"literal expression refused: {'; '.join(reasons)}", logic.id, logic.line)


def _check_table(document: DmnDocument, decision: Decision, table: DecisionTable) -> Iterator[DiagramError]:
    yield from _check_policy(decision, table)
    yield from _check_clauses(decision, table)
    known = _known_names(document, decision, table)
    for rule in table.rules:
        yield from _check_rule(decision, table, rule, known)
    if table.hit_policy == "UNIQUE":
        yield from _check_unique_overlaps(decision, table)


def _check_policy(decision: Decision, table: DecisionTable) -> Iterator[DiagramError]:
    if table.hit_policy not in HIT_POLICIES:
        yield _problem(decision, f"hit policy '{table.hit_policy}' is not supported "
                                 f"(use {', '.join(HIT_POLICIES)})", table.id, table.line)
    if table.aggregation:
        if table.hit_policy != "COLLECT" or table.aggregation not in AGGREGATIONS:
            yield _problem(decision, f"aggregation '{table.aggregation}' is not supported: COLLECT takes "
                                     f"{', '.join(AGGREGATIONS)}", table.id, table.line)
        elif len(table.outputs) != 1:
            yield _problem(decision, f"COLLECT {table.aggregation} needs exactly one output", table.id, table.line)
    if table.hit_policy == "PRIORITY" and not any(o.output_values for o in table.outputs):
        yield _problem(decision, "hit policy PRIORITY needs output values (their order is the priority)",
                       table.id, table.line)


def _check_clauses(decision: Decision, table: DecisionTable) -> Iterator[DiagramError]:
    if not table.outputs:
        yield _problem(decision, "the table needs at least one output", table.id, table.line)
    names = [o.name for o in table.outputs]
    for output in table.outputs:
        if not output.name:
            yield _problem(decision, f"output '{output.title}' needs a name (the result's variable name)",
                           output.id, output.line)
        elif names.count(output.name) > 1:
            yield _problem(decision, f"output name '{output.name}' is used twice", output.id, output.line)
        if output.type_ref and output.type_ref not in TYPE_REFS:
            yield _problem(decision, f"output '{output.title}': typeRef '{output.type_ref}' is not supported "
                                     f"(use {', '.join(TYPE_REFS)})", output.id, output.line)
        if output.output_values is not None:
            yield from _check_output_values(decision, output.title, output.output_values)
    for clause in table.inputs:
        if clause.type_ref and clause.type_ref not in TYPE_REFS:
            yield _problem(decision, f"input '{clause.title}': typeRef '{clause.type_ref}' is not supported "
                                     f"(use {', '.join(TYPE_REFS)})", clause.id, clause.line)
        if not clause.expression:
            yield _problem(decision, f"input '{clause.title}' needs an input expression", clause.id, clause.line)
        reasons = expressions.check_expression(clause.expression) if clause.expression else []
        if reasons:
            yield _problem(decision, f"input '{clause.title}': expression refused: {'; '.join(reasons)}",
                           clause.id, clause.line)


def _check_output_values(decision: Decision, title: str, cell: Cell) -> Iterator[DiagramError]:
    try:
        tests = feel.parse_unary_tests(cell.text)
    except feel.FeelError as exc:
        yield _problem(decision, f"output '{title}': output values refused: {exc}", cell.id, cell.line)
        return
    if tests.negated or not all(isinstance(t, feel.Equals) and t.endpoint.is_literal for t in tests.tests):
        yield _problem(decision, f"output '{title}': output values must be a list of literals, "
                                 f"e.g. \"critical\",\"important\"", cell.id, cell.line)


def _check_rule(decision: Decision, table: DecisionTable, rule: Rule, known: set[str]) -> Iterator[DiagramError]:
    where = f"rule {rule.row}"
    if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
        yield _problem(decision, f"{where} has {len(rule.inputs)} input and {len(rule.outputs)} output entries; "
                                 f"the table has {len(table.inputs)} inputs and {len(table.outputs)} outputs",
                       rule.id, rule.line)
        return
    for clause, cell in zip(table.inputs, rule.inputs, strict=True):
        try:
            tests = feel.parse_unary_tests(cell.text)
        except feel.FeelError as exc:
            yield _problem(decision, f"{where}, input '{clause.title}': '{cell.text}' refused: {exc}",
                           cell.id or rule.id, cell.line)
            continue
        unknown = set().union(*(feel.names_in(e) for e in tests.endpoints())) - known
        if unknown:
            yield _problem(decision, f"{where}, input '{clause.title}': unknown name(s) {', '.join(sorted(unknown))} "
                                     "(an entry may use the table's input names and required decisions' outputs)",
                           cell.id or rule.id, cell.line)
    for output, cell in zip(table.outputs, rule.outputs, strict=True):
        if not cell.text:
            continue
        reasons = expressions.check_expression(cell.text)
        if reasons:
            yield _problem(decision, f"{where}, output '{output.title}': '{cell.text}' refused: {'; '.join(reasons)}",
                           cell.id or rule.id, cell.line)
        unknown = feel.free_names(cell.text) - known if not reasons else set()
        if unknown:
            yield _problem(decision, f"{where}, output '{output.title}': unknown name(s) {', '.join(sorted(unknown))} "
                                     "(an entry may use the table's input names and required decisions' outputs)",
                           cell.id or rule.id, cell.line)
        if table.hit_policy == "PRIORITY" and output.output_values is not None:
            yield from _check_priority_entry(decision, where, output.title, output.output_values, cell)


def _check_priority_entry(decision: Decision, where: str, title: str, values: Cell,
                          cell: Cell) -> Iterator[DiagramError]:
    try:
        allowed = [t.endpoint.literal for t in feel.parse_unary_tests(values.text).tests
                   if isinstance(t, feel.Equals)]
        is_literal, value = feel.literal(cell.text)
    except feel.FeelError:
        return      # reported with the output values
    if not is_literal or value not in allowed:
        yield _problem(decision, f"{where}, output '{title}': under PRIORITY an output entry must be one of the "
                                 f"output values ({values.text})", cell.id, cell.line)


def _check_unique_overlaps(decision: Decision, table: DecisionTable) -> Iterator[DiagramError]:
    regions: list[tuple[Rule, list[overlap.Region | None]]] = []
    for rule in table.rules:
        try:
            regions.append((rule, [overlap.region(feel.parse_unary_tests(c.text)) for c in rule.inputs]))
        except feel.FeelError:
            continue                     # reported by the rule check
    for index, (first, first_regions) in enumerate(regions):
        for second, second_regions in regions[index + 1:]:
            pairs = list(zip(first_regions, second_regions, strict=False))
            if any(a is None or b is None for a, b in pairs):
                continue
            if all(overlap.intersect(a, b) for a, b in pairs if a is not None and b is not None):
                columns = "; ".join(f"{clause.title}: '{x.text or '-'}' and '{y.text or '-'}'"
                                    for clause, x, y in zip(table.inputs, first.inputs, second.inputs, strict=False))
                yield _problem(decision, f"rules {first.row} and {second.row} overlap (hit policy UNIQUE allows "
                                         f"one matching rule): {columns or 'the table has no inputs'}",
                               second.id, second.line)
