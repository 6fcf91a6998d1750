"""Responses in the two formats of GeoReport v2: JSON arrays and objects, or XML documents.

JSON follows the spec's "Spark convention": a list element (``services``) becomes a JSON
array of its children. XML is built with ElementTree, never by joining strings, so that
every value is escaped; characters that XML 1.0 cannot carry at all are dropped.
"""

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element name of one child of each list element of the spec.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

# Control characters other than tab, line feed and carriage return are not allowed in XML 1.0
# (nor are lone surrogates or U+FFFE/U+FFFF); reporters do paste them from other programs.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """One or more errors answered in the spec's ``errors`` format with an HTTP status.

    The spec wants 404 for what does not exist, 403 for a missing or wrong api_key and 400
    for anything else a request gets wrong; 413, 405 and 429 say more where they apply.
    """

    def __init__(
        self, status: int, *descriptions: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)
        self.headers = headers or {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = LIST_ITEMS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        # None stays an empty element, as in the spec's examples (<account_id/>).
        element.text = _text(value)


def to_xml(root: str, data: Any) -> str:
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under the element ``root``."""
    body = json.dumps(data, ensure_ascii=False) if fmt == JSON else to_xml(root, data)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    items = [{"code": error.status, "description": text} for text in error.descriptions]
    response = respond(fmt if fmt in CONTENT_TYPES else XML, "errors", items, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
