"""A diagram copied as another process: a new process id (the key of the copy) and name."""
from lxml import etree

from .errors import N_, DiagramError
from .steps import NSMAP
from .xml_safety import parse_xml

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"


def copy_as(xml: bytes | str, new_id: str, name: str = "") -> str:
    """The diagram with its executable process renamed to `new_id` (and `name`, when given): the
    references to the process (its plane in the drawing, pool participants) follow it."""
    root = parse_xml(xml)
    processes = [p for p in root.findall("bpmn:process", NSMAP) if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise DiagramError(N_("only a diagram with one executable process can be copied"))
    process = processes[0]
    old_id = process.get("id")
    process.set("id", new_id)
    if name:
        process.set("name", name)
    for participant in root.iter(f"{{{NSMAP['bpmn']}}}participant"):
        if participant.get("processRef") == old_id:
            participant.set("processRef", new_id)
    for plane in root.iter(f"{{{_BPMNDI}}}BPMNPlane"):
        if plane.get("bpmnElement") == old_id:
            plane.set("bpmnElement", new_id)
    root.set("id", f"{new_id}_definitions")
    return _DECLARATION + etree.tostring(root, encoding="unicode")
