"""Deploy-time refusals of DMN files: each names the decision, the rule row and the column,
with the element id and source line."""
import pytest
from decision_tables import decision, document, table

from app.engine.dmn.checks import check_dmn, decisions_by_id, load_dmn
from app.engine.errors import DiagramError

AMOUNT = [("Amount", "amount", "number")]


def messages(xml):
    return [p.describe() for p in check_dmn(xml, "rules/test.dmn")]


def only_problem(xml):
    problems = check_dmn(xml, "rules/test.dmn")
    assert len(problems) == 1, [p.describe() for p in problems]
    return problems[0]


def test_a_good_table_has_no_problems():
    assert messages(table(inputs=AMOUNT, outputs=[("size", "string")],
                          rules=[(["< 10"], ['"small"']), ([">= 10"], ['"large"'])])) == []


def test_overlapping_unique_rules_are_refused_naming_rows_and_columns():
    xml = table(inputs=[("Amount", "amount", "number"), ("Kind", "kind", "string")], outputs=[("x", "string")],
                rules=[(["[1..10]", '"a","b"'], ['"one"']), (["> 20", "-"], ['"two"']), (["]5..20]", '"b"'], ['"three"'])])
    problem = only_problem(xml)
    assert "decision 'decide': rules 1 and 3 overlap" in problem.message
    assert "Amount: '[1..10]' and ']5..20]'" in problem.message and "Kind: '\"a\",\"b\"' and '\"b\"'" in problem.message
    assert problem.element_id == "decide_r3" and problem.line and problem.filename == "rules/test.dmn"


@pytest.mark.parametrize("entries", [
    (["< 2.5"], [">= 2.5"]), (["[1..5["], ["[5..9]"]), (['"a","b"'], ['"c"']), (["true"], ["false"]),
    (["]1..5]"], ["<= 1"])])
def test_touching_but_disjoint_rules_are_accepted(entries):
    first, second = entries
    xml = table(inputs=[("A", "a", "")], outputs=[("x", "string")], rules=[(first, ['"1"']), (second, ['"2"'])])
    assert messages(xml) == []


def test_rules_with_names_are_not_judged_statically():
    xml = table(inputs=[("A", "a", "number"), ("L", "limit", "number")], outputs=[("x", "string")],
                rules=[(["< limit", "-"], ['"1"']), (["> 1", "-"], ['"2"'])])
    assert messages(xml) == []


def test_overlap_is_only_checked_for_unique():
    xml = table(inputs=AMOUNT, outputs=[("x", "string")], hit_policy="FIRST",
                rules=[(["-"], ['"1"']), (["-"], ['"2"'])])
    assert messages(xml) == []


@pytest.mark.parametrize(("entry", "reason"), [
    ("__import__('os').system('id')", "function '__import__' is not allowed"),
    ("amount.__class__", "attribute '__class__' is not allowed"),
    ("().__class__.__base__.__subclasses__()", "is not allowed"),
    ("[1..5", "syntax error"),
])
def test_malicious_or_malformed_input_entries_are_refused(entry, reason):
    problem = only_problem(table(inputs=AMOUNT, outputs=[("x", "string")], rules=[([entry], ['"1"'])]))
    assert "decision 'decide': rule 1, input 'Amount'" in problem.message and reason in problem.message


@pytest.mark.parametrize("output", ["__import__('os')", "amount.__globals__", "open('/etc/passwd').read()"])
def test_malicious_output_entries_are_refused(output):
    problem = only_problem(table(inputs=AMOUNT, outputs=[("x", "string")], rules=[(["-"], [output])]))
    assert "decision 'decide': rule 1, output 'x'" in problem.message and "not allowed" in problem.message


def test_malicious_input_expression_is_refused():
    problem = only_problem(table(inputs=[("Amount", "__import__('os')", "number")], outputs=[("x", "string")],
                                 rules=[(["-"], ['"1"'])]))
    assert "input 'Amount': expression refused" in problem.message


def test_unknown_names_in_entries_are_refused():
    xml = table(inputs=AMOUNT, outputs=[("x", "number")],
                rules=[(["> limit"], ["amount * rate"]), (["< 0"], ["amount * 2"])])
    problems = messages(xml)
    assert len(problems) == 2
    assert "rule 1, input 'Amount': unknown name(s) limit" in problems[0]
    assert "rule 1, output 'x': unknown name(s) rate" in problems[1]


def test_required_decision_outputs_are_known_names():
    xml = document(
        decision("base", inputs=AMOUNT, outputs=[("limit", "number")], rules=[(["-"], ["100"])]),
        decision("decide", inputs=AMOUNT, outputs=[("x", "number")], requires=["base"],
                 rules=[(["> limit"], ["amount - limit"])]))
    assert messages(xml) == []


def test_cycle_and_missing_requirement_are_refused():
    xml = document(
        decision("a", inputs=AMOUNT, outputs=[("x", "number")], rules=[(["-"], ["1"])], requires=["b"]),
        decision("b", inputs=AMOUNT, outputs=[("y", "number")], rules=[(["-"], ["1"])], requires=["a"]),
        decision("c", inputs=AMOUNT, outputs=[("z", "number")], rules=[(["-"], ["1"])], requires=["nowhere"]))
    problems = messages(xml)
    assert any("decision 'c': requires decision 'nowhere', which is not in this file" in p for p in problems)
    assert sum("cycle: a -> b -> a" in p or "cycle: b -> a -> b" in p for p in problems) == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"hit_policy": "OUTPUT ORDER"}, "hit policy 'OUTPUT ORDER' is not supported"),
    ({"hit_policy": "FIRST", "aggregation": "SUM"}, "aggregation 'SUM' is not supported"),
    ({"hit_policy": "COLLECT", "aggregation": "AVG"}, "aggregation 'AVG' is not supported"),
    ({"hit_policy": "PRIORITY"}, "PRIORITY needs output values"),
])
def test_unsupported_hit_policies_are_refused(kwargs, message):
    problem = only_problem(table(inputs=AMOUNT, outputs=[("x", "string")], rules=[(["-"], ['"1"'])], **kwargs))
    assert message in problem.message and problem.element_id == "decide_table"


def test_priority_entries_must_be_output_values():
    xml = table(inputs=AMOUNT, outputs=[("x", "string")], hit_policy="PRIORITY",
                output_values={"x": '"high","low"'}, rules=[(["-"], ['"medium"'])])
    assert "rule 1, output 'x': under PRIORITY an output entry must be one of" in only_problem(xml).message


def test_structural_problems():
    xml = table(inputs=AMOUNT, outputs=[("x", "money")], rules=[(["-", "-"], ['"1"'])])
    problems = messages(xml)
    assert any("typeRef 'money' is not supported" in p for p in problems)
    assert any("rule 1 has 2 input and 1 output entries" in p for p in problems)


def test_load_dmn_raises_the_first_problem_and_counts_the_rest():
    xml = table(inputs=AMOUNT, outputs=[("x", "string")], rules=[(["> a1"], ['"1"']), (["> a2"], ['"2"'])])
    with pytest.raises(DiagramError, match=r"rules/x.dmn, line \d+, element 'decide_r1'.*unknown name\(s\) a1 .*\(and 1 more"):
        load_dmn(xml, "rules/x.dmn")


def test_xxe_in_a_dmn_file_is_refused():
    xml = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">'
           b'<decision id="a"><literalExpression><text>&x;</text></literalExpression></decision></definitions>')
    [problem] = check_dmn(xml, "evil.dmn")
    assert "DOCTYPE" in problem.message
    with pytest.raises(DiagramError, match="DOCTYPE"):
        load_dmn(xml)


def test_a_bpmn_file_is_not_a_dmn_file():
    with pytest.raises(DiagramError, match="definitions element of DMN"):
        load_dmn(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" />')


def test_a_decision_id_in_two_files_is_refused():
    first = load_dmn(table(inputs=AMOUNT, outputs=[("x", "string")], rules=[]), "one.dmn")
    second = load_dmn(table(inputs=AMOUNT, outputs=[("x", "string")], rules=[]), "two.dmn")
    with pytest.raises(DiagramError, match="decision id 'decide' is also in one.dmn"):
        decisions_by_id([first, second])
