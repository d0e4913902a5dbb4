"""Diagram labels in English: the BPMN `name`s are the Chinese ones; an element's English name is
its `camunda:property name="nameEn"`. `english_diagram` gives the diagram XML with each name that
has an English one replaced, for the diagram viewer of a reader using the English UI."""
from lxml import etree

from .steps import NSMAP, read_properties
from .xml_safety import parse_xml

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def english_diagram(xml: bytes | str) -> str:
    """The diagram with every element's `name` replaced by its `nameEn` property, where it has one
    (elements without one keep their name). Parsed with the hardened parser, as every diagram is."""
    root = parse_xml(xml)
    for element in root.iter(f"{{{NSMAP['bpmn']}}}*"):
        english = read_properties(element).get("nameEn")
        if english:
            element.set("name", english)
    return _DECLARATION + etree.tostring(root, encoding="unicode")
