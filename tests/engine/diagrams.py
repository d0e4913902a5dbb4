"""Build small BPMN diagrams in memory for the engine tests.

A test declares its flow inline, e.g.::

    xml = diagram(start(), user_task("review"), end(), *chain("start", "review", "end"))

and gets the bytes of a complete `bpmn:definitions` document whose one
executable process has the id `process_id` (default "flow").
"""
from xml.sax.saxutils import escape, quoteattr

HEADER = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'id="defs" targetNamespace="https://chainq.example/test">')


def diagram(*elements, process_id="flow", extra="", declaration=True):
    """A whole document as bytes (UTF-8); `extra` goes after the process (other processes)."""
    body = "\n    ".join(elements)
    text = (('<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else "")
            + HEADER + "\n"
            + f'  <bpmn:process id="{process_id}" isExecutable="true">\n    {body}\n  </bpmn:process>\n'
            + extra + "</bpmn:definitions>\n")
    return text.encode("utf-8")


def _attrs(attrs):
    return "".join(f" {name.replace('__', ':')}={quoteattr(str(value))}" for name, value in attrs.items())


def start(id="start"):
    return f'<bpmn:startEvent id="{id}" />'


def end(id="end"):
    return f'<bpmn:endEvent id="{id}" />'


def task(id):
    return f'<bpmn:task id="{id}" />'


def user_task(id, assignee="alice", **attrs):
    """A user task; pass camunda__candidateGroups="..." etc. (double underscore = colon)."""
    if assignee:
        attrs = {"camunda__assignee": assignee, **attrs}
    return f'<bpmn:userTask id="{id}"{_attrs(attrs)} />'


def service_task(id, topic):
    return f'<bpmn:serviceTask id="{id}" camunda:topic="{topic}" />'


def script_task(id, script="x = 1"):
    return (f'<bpmn:scriptTask id="{id}" scriptFormat="python">'
            f'<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>')


def exclusive(id):
    return f'<bpmn:exclusiveGateway id="{id}" />'


def timer_catch(id, duration):
    return (f'<bpmn:intermediateCatchEvent id="{id}"><bpmn:timerEventDefinition id="{id}_def">'
            f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>'
            f'</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


def flow(source, target, condition=None, id=None):
    id = id or f"{source}_to_{target}"
    if condition is None:
        return f'<bpmn:sequenceFlow id="{id}" sourceRef="{source}" targetRef="{target}" />'
    return (f'<bpmn:sequenceFlow id="{id}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
            f'</bpmn:conditionExpression></bpmn:sequenceFlow>')


def chain(*ids):
    """Unconditional flows between consecutive element ids."""
    return [flow(a, b) for a, b in zip(ids, ids[1:], strict=False)]


def simple(*middle, process_id="flow"):
    """start → the given elements (as (id, xml) pairs) in a row → end."""
    ids = ["start", *(id for id, _ in middle), "end"]
    return diagram(start(), *(xml for _, xml in middle), end(), *chain(*ids), process_id=process_id)


def line_of(xml, needle):
    """The 1-based line of the first occurrence of `needle` in the document."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    return text[:text.index(needle)].count("\n") + 1
