"""Entity tricks in uploaded diagrams: external entities (XXE), external DTDs
and entity expansion ("billion laughs") are refused, quickly, and nothing read
from the server's disk ever reaches the administrator."""
import time
import traceback

import pytest
from diagrams import HEADER
from lxml import etree

from app.engine.compiler import compile_definition
from app.engine.errors import DiagramError
from app.engine.xml_safety import parse_xml

SECRET = "TOPSECRET-7f3a9c"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def document(doctype, encoding="UTF-8", in_text="", in_attr=""):
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}\n{HEADER}\n'
            f'<bpmn:process id="flow" isExecutable="true" name="{in_attr}">'
            f'<bpmn:documentation>{in_text}</bpmn:documentation>'
            f'<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />'
            f'<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end" /></bpmn:process>'
            f'</bpmn:definitions>')
    codec = {"UTF-8": "utf-8", "UTF-16": "utf-16", "UTF-16BE": "utf-16-be", "UTF-32": "utf-32"}[encoding]
    return text.encode(codec)


def everything_said(error):
    """All the text an administrator or a log could see about the refusal."""
    return " ".join([str(error), repr(error), error.message, repr(error.as_dict()),
                     "".join(traceback.format_exception(error))])


def xxe_variants(secret_path):
    url = secret_path.as_uri()
    return {
        "entity in text": dict(doctype=f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{url}">]>', in_text="&xxe;"),
        "entity in attribute": dict(doctype=f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{url}">]>', in_attr="&xxe;"),
        "parameter entity": dict(doctype=f'<!DOCTYPE d [<!ENTITY % p SYSTEM "{url}"> %p;]>'),
        "external DTD": dict(doctype=f'<!DOCTYPE d SYSTEM "{url}">'),
    }


def test_the_xxe_payload_is_live_for_a_naive_parser(secret_file):
    # Control: the same bytes do leak the file through a parser that resolves entities.
    data = document(**xxe_variants(secret_file)["entity in text"])
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=True))
    assert SECRET in etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16BE", "UTF-32"])
@pytest.mark.parametrize("variant", ["entity in text", "entity in attribute", "parameter entity",
                                     "external DTD"])
def test_xxe_is_refused_and_the_secret_never_appears(secret_file, encoding, variant):
    data = document(encoding=encoding, **xxe_variants(secret_file)[variant])
    with pytest.raises(DiagramError) as info:
        compile_definition(data, filename="flow.bpmn")
    assert SECRET not in everything_said(info.value)
    # The bytes-level DOCTYPE check only sees ASCII-compatible encodings; the others are
    # caught after the hardened parse, which must not have resolved anything either.
    assert "DOCTYPE" in info.value.message or "entity" in info.value.message


def billion_laughs(levels=10, encoding="UTF-8"):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return document(f"<!DOCTYPE lolz [{entities}]>", encoding=encoding,
                    in_text=f"&lol{levels - 1};", in_attr=f"&lol{levels - 1};")


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-32"])
def test_billion_laughs_is_refused_quickly(encoding):
    data = billion_laughs(encoding=encoding)
    began = time.perf_counter()
    with pytest.raises(DiagramError):
        compile_definition(data)
    assert time.perf_counter() - began < 1.0


def test_quadratic_blowup_with_one_big_entity_is_refused():
    big = "a" * 100_000
    data = document(f'<!DOCTYPE d [<!ENTITY a "{big}">]>', in_text="&a;" * 100, encoding="UTF-16")
    began = time.perf_counter()
    with pytest.raises(DiagramError):
        parse_xml(data)
    assert time.perf_counter() - began < 1.0


def test_parse_xml_accepts_a_plain_document():
    root = parse_xml(document(""))
    assert etree.QName(root).localname == "definitions"


def test_processing_instruction_with_stylesheet_is_harmless(secret_file):
    data = document("").replace(b"?>\n", f'?>\n<?xml-stylesheet href="{secret_file.as_uri()}"?>'.encode(), 1)
    root = parse_xml(data)
    assert SECRET not in etree.tostring(root.getroottree(), encoding="unicode")
