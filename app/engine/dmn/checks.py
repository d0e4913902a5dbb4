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
from ..errors import N_, DiagramError, Message
from . import feel, overlap
from .model import AGGREGATIONS, HIT_POLICIES, TYPE_REFS, Cell, Decision, DecisionTable, DmnDocument, Rule
from .parser import parse_dmn


def load_dmn(data: bytes | str, filename: str | None = None) -> DmnDocument:
    """Parse and check a .dmn file; raise DiagramError naming the first problem (and counting the rest)."""
    document = parse_dmn(data, filename)
    problems = check_document(document)
    if problems:
        first = problems[0]
        first.filename = filename
        first.more = tuple(problems[1:])
        raise first
    return document


def decisions_by_id(documents: Iterable[DmnDocument]) -> dict[str, DmnDocument]:
    """decision id -> document, the `decisions` argument of compile_definition. A decision id
    in two files is refused: a decisionRef must name one table."""
    found: dict[str, DmnDocument] = {}
    for document in documents:
        for decision in document.decisions.values():
            other = found.get(decision.id)
            if other is not None and other is not document:
                raise DiagramError(N_("decision id '%(decision)s' is also in %(other)s"), decision.id, decision.line,
                                   document.filename, decision=decision.id,
                                   other=other.filename or Message(N_("another file")))
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
        problems.append(DiagramError(N_("the file has no decision"), filename=document.filename))
    problems.extend(_check_requirements(document))
    for decision in document.decisions.values():
        problems.extend(_check_decision(document, decision))
    for problem in problems:
        problem.filename = document.filename
    return problems


def _problem(decision: Decision, template: str, element_id: str | None = None,
             line: int | None = None, **params: object) -> DiagramError:
    """A problem in a decision: `template` (marked N_) and its parameters, after the decision's id."""
    return DiagramError(N_("decision '%(decision)s': %(problem)s"), element_id or decision.id,
                        line or decision.line, decision=decision.id, problem=Message(template, **params))


def _check_requirements(document: DmnDocument) -> Iterator[DiagramError]:
    for decision in document.decisions.values():
        for required in decision.required:
            if required not in document.decisions:
                yield _problem(decision, N_("requires decision '%(required)s', which is not in this file"),
                               required=required)
    reported: set[frozenset[str]] = set()
    for decision in document.decisions.values():
        cycle = _cycle_from(document, decision.id)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield _problem(decision, N_("decisions require each other in a cycle: %(cycle)s"), cycle=" -> ".join(cycle))


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
        yield _problem(decision, N_("needs a decision table or a literal expression"))
        return
    if isinstance(logic, DecisionTable):
        yield from _check_table(document, decision, logic)
        return
    if logic.type_ref and logic.type_ref not in TYPE_REFS:
        yield _problem(decision, N_("typeRef '%(value)s' is not supported (use %(allowed)s)"),
                       logic.id, logic.line, value=logic.type_ref, allowed=", ".join(TYPE_REFS))
    reasons = expressions.expression_problems(logic.text)
    if reasons:
        yield _problem(decision, N_("literal expression refused: %(reason)s"), logic.id, logic.line,
                       reason=reasons)


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
        yield _problem(decision, N_("hit policy '%(value)s' is not supported (use %(allowed)s)"),
                       table.id, table.line, value=table.hit_policy, allowed=", ".join(HIT_POLICIES))
    if table.aggregation:
        if table.hit_policy != "COLLECT" or table.aggregation not in AGGREGATIONS:
            yield _problem(decision, N_("aggregation '%(value)s' is not supported: COLLECT takes %(allowed)s"),
                           table.id, table.line, value=table.aggregation, allowed=", ".join(AGGREGATIONS))
        elif len(table.outputs) != 1:
            yield _problem(decision, N_("COLLECT %(value)s needs exactly one output"), table.id, table.line,
                           value=table.aggregation)
    if table.hit_policy == "PRIORITY" and not any(o.output_values for o in table.outputs):
        yield _problem(decision, N_("hit policy PRIORITY needs output values (their order is the priority)"),
                       table.id, table.line)


def _check_clauses(decision: Decision, table: DecisionTable) -> Iterator[DiagramError]:
    if not table.outputs:
        yield _problem(decision, N_("the table needs at least one output"), table.id, table.line)
    names = [o.name for o in table.outputs]
    for output in table.outputs:
        if not output.name:
            yield _problem(decision, N_("output '%(output)s' needs a name (the result's variable name)"),
                           output.id, output.line, output=output.title)
        elif names.count(output.name) > 1:
            yield _problem(decision, N_("output name '%(name)s' is used twice"), output.id, output.line,
                           name=output.name)
        if output.type_ref and output.type_ref not in TYPE_REFS:
            yield _problem(decision, N_("output '%(output)s': typeRef '%(value)s' is not supported (use %(allowed)s)"),
                           output.id, output.line, output=output.title, value=output.type_ref,
                           allowed=", ".join(TYPE_REFS))
        if output.output_values is not None:
            yield from _check_output_values(decision, output.title, output.output_values)
    for clause in table.inputs:
        if clause.type_ref and clause.type_ref not in TYPE_REFS:
            yield _problem(decision, N_("input '%(input)s': typeRef '%(value)s' is not supported (use %(allowed)s)"),
                           clause.id, clause.line, input=clause.title, value=clause.type_ref,
                           allowed=", ".join(TYPE_REFS))
        if not clause.expression:
            yield _problem(decision, N_("input '%(input)s' needs an input expression"), clause.id, clause.line,
                           input=clause.title)
        reasons = expressions.expression_problems(clause.expression) if clause.expression else []
        if reasons:
            yield _problem(decision, N_("input '%(input)s': expression refused: %(reason)s"),
                           clause.id, clause.line, input=clause.title, reason=reasons)


def _check_output_values(decision: Decision, title: str, cell: Cell) -> Iterator[DiagramError]:
    try:
        tests = feel.parse_unary_tests(cell.text)
    except feel.FeelError as exc:
        yield _problem(decision, N_("output '%(output)s': output values refused: %(reason)s"), cell.id, cell.line,
                       output=title, reason=exc.problem)
        return
    if tests.negated or not all(isinstance(t, feel.Equals) and t.endpoint.is_literal for t in tests.tests):
        yield _problem(decision, N_("output '%(output)s': output values must be a list of literals, "
                                    "e.g. \"critical\",\"important\""), cell.id, cell.line, output=title)


_UNKNOWN_IN_INPUT = N_("%(where)s, input '%(input)s': unknown name(s) %(names)s (an entry may use the "
                       "table's input names and required decisions' outputs)")
_UNKNOWN_IN_OUTPUT = N_("%(where)s, output '%(output)s': unknown name(s) %(names)s (an entry may use the "
                        "table's input names and required decisions' outputs)")


def _check_rule(decision: Decision, table: DecisionTable, rule: Rule, known: set[str]) -> Iterator[DiagramError]:
    where = Message(N_("rule %(row)s"), row=rule.row)
    if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
        yield _problem(decision, N_("%(where)s has %(inputs)s input and %(outputs)s output entries; "
                                    "the table has %(table_inputs)s inputs and %(table_outputs)s outputs"),
                       rule.id, rule.line, where=where, inputs=len(rule.inputs), outputs=len(rule.outputs),
                       table_inputs=len(table.inputs), table_outputs=len(table.outputs))
        return
    for clause, cell in zip(table.inputs, rule.inputs, strict=True):
        try:
            tests = feel.parse_unary_tests(cell.text)
        except feel.FeelError as exc:
            yield _problem(decision, N_("%(where)s, input '%(input)s': '%(text)s' refused: %(reason)s"),
                           cell.id or rule.id, cell.line, where=where, input=clause.title, text=cell.text,
                           reason=exc.problem)
            continue
        unknown = set().union(*(feel.names_in(e) for e in tests.endpoints())) - known
        if unknown:
            yield _problem(decision, _UNKNOWN_IN_INPUT, cell.id or rule.id, cell.line, where=where,
                           input=clause.title, names=", ".join(sorted(unknown)))
    for output, cell in zip(table.outputs, rule.outputs, strict=True):
        if not cell.text:
            continue
        reasons = expressions.expression_problems(cell.text)
        if reasons:
            yield _problem(decision, N_("%(where)s, output '%(output)s': '%(text)s' refused: %(reason)s"),
                           cell.id or rule.id, cell.line, where=where, output=output.title, text=cell.text,
                           reason=reasons)
        unknown = feel.free_names(cell.text) - known if not reasons else set()
        if unknown:
            yield _problem(decision, _UNKNOWN_IN_OUTPUT, cell.id or rule.id, cell.line, where=where,
                           output=output.title, names=", ".join(sorted(unknown)))
        if table.hit_policy == "PRIORITY" and output.output_values is not None:
            yield from _check_priority_entry(decision, where, output.title, output.output_values, cell)


def _check_priority_entry(decision: Decision, where: Message, title: str, values: Cell,
                          cell: Cell) -> Iterator[DiagramError]:
    try:
        allowed = [t.endpoint.literal for t in feel.parse_unary_tests(values.text).tests
                   if isinstance(t, feel.Equals)]
        is_literal, value = feel.literal(cell.text)
    except feel.FeelError:
        return      # reported with the output values
    if not is_literal or value not in allowed:
        yield _problem(decision, N_("%(where)s, output '%(output)s': under PRIORITY an output entry must be one "
                                    "of the output values (%(values)s)"), cell.id, cell.line, where=where,
                       output=title, values=values.text)


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
                columns = [Message(N_("%(input)s: '%(first)s' and '%(second)s'"), input=clause.title,
                                   first=x.text or "-", second=y.text or "-")
                           for clause, x, y in zip(table.inputs, first.inputs, second.inputs, strict=False)]
                yield _problem(decision, N_("rules %(first)s and %(second)s overlap (hit policy UNIQUE allows "
                                            "one matching rule): %(columns)s"), second.id, second.line,
                               first=first.row, second=second.row,
                               columns=columns or Message(N_("the table has no inputs")))
