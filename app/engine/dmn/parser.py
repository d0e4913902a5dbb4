"""DMN XML → model, through the hardened XML parser (no DOCTYPE, no entities, size limit).

DMN 1.3 is what Camunda Modeler 5 writes; the 1.1 and 1.2 namespaces of older
modelers are read the same way. Structure only: whether the content may run is
for `checks`.
"""
from lxml import etree

from ..errors import N_, DiagramError
from ..xml_safety import parse_xml
from .model import Cell, Decision, DecisionTable, DmnDocument, InputClause, LiteralExpression, OutputClause, Rule

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",     # DMN 1.3
    "http://www.omg.org/spec/DMN/20180521/MODEL/",      # DMN 1.2
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",     # DMN 1.1
)


def parse_dmn(data: bytes | str, filename: str | None = None) -> DmnDocument:
    """Read a .dmn file, or raise DiagramError naming the file and line."""
    root = parse_xml(data, filename=filename)
    qname = etree.QName(root)
    if qname.localname != "definitions" or qname.namespace not in DMN_NAMESPACES:
        raise DiagramError(N_("the root element must be the definitions element of DMN 1.1, 1.2 or 1.3"),
                           line=root.sourceline, filename=filename)
    reader = _Reader(qname.namespace)
    decisions: dict[str, Decision] = {}
    for element in root.findall(reader.tag("decision")):
        decision = reader.decision(element)
        if not decision.id:
            raise DiagramError(N_("a decision needs an id"), line=element.sourceline, filename=filename)
        if decision.id in decisions:
            raise DiagramError(N_("decision id '%(decision)s' is used twice"), decision.id,
                               element.sourceline, filename, decision=decision.id)
        decisions[decision.id] = decision
    return DmnDocument(id=root.get("id") or "", name=root.get("name") or "", decisions=decisions,
                       source=_source_text(data, root), filename=filename)


def _source_text(data: bytes | str, root: etree._Element) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:     # another declared encoding: keep the parsed tree as text instead
        return etree.tostring(root, encoding="unicode")


class _Reader:
    def __init__(self, namespace: str | None) -> None:
        self.namespace = namespace

    def tag(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}"

    def _child(self, element: etree._Element, *path: str) -> etree._Element | None:
        found: etree._Element | None = element
        for local in path:
            if found is None:
                return None
            found = found.find(self.tag(local))
        return found

    def _text(self, element: etree._Element | None) -> str:
        if element is None:
            return ""
        text = element.find(self.tag("text"))
        return (text.text or "").strip() if text is not None else ""

    def _cell(self, element: etree._Element) -> Cell:
        return Cell(element.get("id"), self._text(element), element.sourceline)

    def decision(self, element: etree._Element) -> Decision:
        required = tuple((ref.get("href") or "").lstrip("#")
                         for req in element.findall(self.tag("informationRequirement"))
                         for ref in req.findall(self.tag("requiredDecision")))
        table = element.find(self.tag("decisionTable"))
        literal = element.find(self.tag("literalExpression"))
        logic: DecisionTable | LiteralExpression | None = None
        if table is not None:
            logic = self.table(table)
        elif literal is not None:
            variable = element.find(self.tag("variable"))
            logic = LiteralExpression(
                literal.get("id"), (variable.get("name") if variable is not None else None) or element.get("id") or "",
                (variable.get("typeRef") if variable is not None else None) or literal.get("typeRef"),
                self._text(literal), literal.sourceline)
        return Decision(element.get("id") or "", element.get("name") or element.get("id") or "", required, logic,
                        element.sourceline)

    def table(self, element: etree._Element) -> DecisionTable:
        inputs = []
        for clause in element.findall(self.tag("input")):
            expression = self._child(clause, "inputExpression")
            inputs.append(InputClause(clause.get("id"), clause.get("label") or "", self._text(expression),
                                      expression.get("typeRef") if expression is not None else None,
                                      clause.sourceline))
        outputs = []
        for clause in element.findall(self.tag("output")):
            values = self._child(clause, "outputValues")
            outputs.append(OutputClause(clause.get("id"), clause.get("label") or "", clause.get("name") or "",
                                        clause.get("typeRef"), self._cell(values) if values is not None else None,
                                        clause.sourceline))
        rules = tuple(
            Rule(rule.get("id"), row,
                 tuple(self._cell(e) for e in rule.findall(self.tag("inputEntry"))),
                 tuple(self._cell(e) for e in rule.findall(self.tag("outputEntry"))),
                 rule.sourceline)
            for row, rule in enumerate(element.findall(self.tag("rule")), start=1))
        return DecisionTable(element.get("id"), (element.get("hitPolicy") or "UNIQUE").strip().upper(),
                             (element.get("aggregation") or "").strip().upper() or None,
                             tuple(inputs), tuple(outputs), rules, element.sourceline)
