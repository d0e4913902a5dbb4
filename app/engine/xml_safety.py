"""Hardened XML parsing for uploaded diagrams.

lxml's defaults resolve entities; SpiffWorkflow parses with those defaults, so we
parse the bytes ourselves and hand SpiffWorkflow the finished tree. Any DOCTYPE
is refused outright: BPMN never needs one, and refusing it closes XXE and
entity-expansion ("billion laughs") in one rule.
"""
from lxml import etree

from .errors import N_, DiagramError

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes | str, filename: str | None = None, max_bytes: int = MAX_DIAGRAM_BYTES) -> etree._Element:
    """Parse untrusted XML bytes into an lxml root element, or raise DiagramError."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise DiagramError(N_("file is %(size)s bytes; the limit is %(limit)s"), filename=filename,
                           size=len(data), limit=max_bytes)
    if b"<!DOCTYPE" in data or b"<!doctype" in data or b"<!ENTITY" in data:
        raise DiagramError(N_("a DOCTYPE or entity declaration is not allowed in a diagram"), filename=filename)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise DiagramError(N_("not well-formed XML: %(reason)s"), line=line, filename=filename,
                           reason=exc.msg) from None
    if root.getroottree().docinfo.doctype:
        raise DiagramError(N_("a DOCTYPE is not allowed in a diagram"), filename=filename)
    return root
