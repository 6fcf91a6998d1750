"""The OpenAPI document and its docs page are served and describe every operation completely:
a readable operationId, a summary, typed requests and responses, and the errors it can give."""

import json
import re

import pytest
from django.test import Client

TYPED = {"type", "anyOf", "oneOf", "allOf", "enum", "const", "$ref"}


@pytest.fixture(scope="module")
def document(served_openapi) -> dict:
    return json.loads(served_openapi)


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def is_staff_only(operation: dict) -> bool:
    return operation.get("security") == [{"StaffToken": []}]


def test_openapi_lists_every_area(document):
    assert document["info"]["title"] == "civicdesk API"
    assert document["info"]["version"] == "1"
    assert "StaffToken" in document["components"]["securitySchemes"]
    paths = set(document["paths"])
    expected = {
        "/api/v1/submissions",
        "/api/v1/submissions/multipart",
        "/api/v1/submissions/{tracking_code}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/problems",
        "/api/v1/problems/{problem_id}/measures",
        "/api/v1/triage/clusters/{cluster_id}/promote",
        "/api/v1/measures/{measure_id}/evidence",
        "/api/v1/measures/{measure_id}/verify",
        "/api/v1/ledgers/imports/{ledger}",
        "/api/v1/ledgers/backlog/{case_id}",
        "/api/v1/reports/{ledger}/{report_id}",
        "/api/v1/ratings/{rating_id}/decision",
        "/api/v1/evaluation/rates",
        "/api/v1/evaluation/cases/{case_id}/call",
        "/api/v1/catalogue/records",
        "/api/v1/dashboard",
        "/api/v1/bulletins/{kind}",
    } | {
        f"/api/v1/cases/{{case_id}}/{action}"
        for action in [
            "assign",
            "accept",
            "return",
            "reply",
            "note",
            "close",
            "merge",
            "escalate",
            "reopen",
            "recategorize",
        ]
    }
    assert expected <= paths


def test_operation_ids_are_readable_and_unique(document):
    ids = [operation["operationId"] for _path, _method, operation in operations(document)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in ids), ids
    assert "list_cases" in ids
    assert "upload_evidence" in ids


def test_every_operation_is_summarised_and_declares_its_errors(document):
    for path, method, operation in operations(document):
        name = operation["operationId"]
        assert operation.get("summary"), name
        assert operation.get("tags"), name
        if not is_staff_only(operation):
            continue
        declared = set(operation["responses"])
        assert {"401", "404", "422"} <= declared, name
        if "reports" not in operation["tags"]:
            # Confidential ledgers answer 404, never 403, to whoever is not their audience.
            assert "403" in declared, name
        if method in {"post", "put"}:
            assert {"400", "409", "413"} <= declared, name
            assert "requestBody" in operation, name
        for parameter in operation.get("parameters", []):
            assert TYPED & set(parameter["schema"]), (name, parameter["name"])
        assert path.startswith("/api/v1/")


def _check_typed(schema: dict, components: dict, where: str, seen: set[str]) -> None:
    assert TYPED & set(schema), f"{where}: untyped schema {schema}"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _check_typed(components[name], components, name, seen)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for index, option in enumerate(schema.get(key, [])):
            _check_typed(option, components, f"{where}.{key}[{index}]", seen)
    if schema.get("type") == "array":
        _check_typed(schema["items"], components, f"{where}[]", seen)
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties")
        assert "properties" in schema or isinstance(extra, dict), f"{where}: untyped object"
        for field, subschema in schema.get("properties", {}).items():
            _check_typed(subschema, components, f"{where}.{field}", seen)
        if isinstance(extra, dict):
            _check_typed(extra, components, f"{where}.*", seen)


def test_every_json_request_and_response_is_typed(document):
    components = document["components"]["schemas"]
    seen: set[str] = set()
    for _path, _method, operation in operations(document):
        name = operation["operationId"]
        bodies = [operation.get("requestBody", {}).get("content", {})]
        bodies += [response.get("content", {}) for response in operation["responses"].values()]
        for content in bodies:
            for media, spec in content.items():
                assert "schema" in spec, (name, media)
                if media in {"application/json", "multipart/form-data"}:
                    _check_typed(spec["schema"], components, name, seen)


@pytest.mark.django_db
def test_docs_page_is_served():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
