"""Build small DMN documents in memory for the engine tests.

    table("grade", inputs=[("Score", "score", "number")], outputs=[("grade", "string")],
          rules=[(["< 3"], ['"low"']), (["-"], ['"any"'])], hit_policy="FIRST")

gives the bytes of a DMN 1.3 file with that one decision; `document(...)` joins
several decisions (from `decision(...)`) into one file.
"""
from xml.sax.saxutils import escape, quoteattr

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def decision(id, inputs=(), outputs=(), rules=(), hit_policy="UNIQUE", aggregation=None, requires=(),
             output_values=None):
    """inputs: (label, expression, typeRef); outputs: (name, typeRef); rules: ([input entries], [output entries]);
    output_values: {output name: 'text of outputValues'}."""
    required = "".join(f'<informationRequirement id="{id}_req_{r}"><requiredDecision href="#{r}" />'
                       f"</informationRequirement>" for r in requires)
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    ins = "".join(f'<input id="{id}_in{i}" label={quoteattr(label)}><inputExpression id="{id}_in{i}_e" '
                  f'typeRef="{type_ref}"><text>{escape(expr)}</text></inputExpression></input>'
                  for i, (label, expr, type_ref) in enumerate(inputs, start=1))
    outs = ""
    for i, (name, type_ref) in enumerate(outputs, start=1):
        values = (output_values or {}).get(name)
        values_xml = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        outs += f'<output id="{id}_out{i}" label="{name}" name="{name}" typeRef="{type_ref}">{values_xml}</output>'
    body = ""
    for row, (in_entries, out_entries) in enumerate(rules, start=1):
        body += f'<rule id="{id}_r{row}">'
        body += "".join(f"<inputEntry><text>{escape(e)}</text></inputEntry>" for e in in_entries)
        body += "".join(f"<outputEntry><text>{escape(e)}</text></outputEntry>" for e in out_entries)
        body += "</rule>"
    return (f'<decision id="{id}" name="{id}">{required}<decisionTable id="{id}_table" '
            f'hitPolicy="{hit_policy}"{agg}>{ins}{outs}{body}</decisionTable></decision>')


def literal_decision(id, expression, variable, type_ref="number", requires=()):
    required = "".join(f'<informationRequirement><requiredDecision href="#{r}" /></informationRequirement>'
                       for r in requires)
    return (f'<decision id="{id}" name="{id}">{required}<variable name="{variable}" typeRef="{type_ref}" />'
            f"<literalExpression><text>{escape(expression)}</text></literalExpression></decision>")


def document(*decisions, namespace=DMN13):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{namespace}" id="defs" name="test" '
            f'namespace="http://camunda.org/schema/1.0/dmn">\n' + "\n".join(decisions)
            + "\n</definitions>\n").encode("utf-8")


def table(id="decide", **kwargs):
    return document(decision(id, **kwargs))
