"""The diagram's names in English for the viewer: nameEn where an element has one."""
from pathlib import Path

import pytest
from lxml import etree

from app.engine.errors import DiagramError
from app.engine.labels import english_diagram
from app.engine.steps import NSMAP, read_properties

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def test_names_become_the_english_ones_and_the_rest_stays():
    source = (BPMN / "consortium_application.bpmn").read_bytes()
    root = etree.fromstring(english_diagram(source).encode("utf-8"))
    task = root.find(".//bpmn:userTask[@id='lead_unit_opinion']", NSMAP)
    flow = root.find(".//bpmn:sequenceFlow[@id='lead_agrees']", NSMAP)
    assert (task.get("name"), flow.get("name")) == ("Lead unit opinion", "approve")
    assert task.get("{http://camunda.org/schema/1.0/bpmn}candidateGroups") == "unit_leader:${initiator_unit}"
    assert root.find(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape") is not None


def test_an_element_without_an_english_name_keeps_its_own():
    xml = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
           '<bpmn:process id="p"><bpmn:userTask id="t" name="审核"/></bpmn:process></bpmn:definitions>')
    assert 'name="审核"' in english_diagram(xml)


@pytest.mark.parametrize("path", sorted(BPMN.glob("*.bpmn")), ids=lambda p: p.name)
def test_every_named_flow_node_of_the_shipped_diagrams_has_an_english_name(path):
    root = etree.fromstring(path.read_bytes())
    missing = [el.get("id") for el in root.iter(f"{{{NSMAP['bpmn']}}}*")
               if el.get("name") and etree.QName(el).localname not in ("message", "signal", "error", "escalation")
               and not read_properties(el).get("nameEn")]
    assert missing == []


def test_the_stored_diagram_is_read_with_the_hardened_parser():
    with pytest.raises(DiagramError):
        english_diagram('<!DOCTYPE x [<!ENTITY e "boom">]><bpmn:definitions '
                        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;</bpmn:definitions>')
