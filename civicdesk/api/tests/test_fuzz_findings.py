"""What the schemathesis run (test_schemathesis.py) found, pinned as plain fast tests."""

import json
from unittest import mock

import pytest
from django.test import Client


@pytest.mark.django_db
def test_offset_past_64_bit_is_a_422_not_a_500(api_as, admin_user):
    response = api_as(admin_user).get("/api/v1/ledgers/promises", offset=99530094499441590272)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("offset: ")


@pytest.mark.django_db
def test_largest_offset_is_an_empty_page(api_as, admin_user):
    response = api_as(admin_user).get("/api/v1/ledgers/promises", offset=2**31 - 1)

    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/reports/inaction/-5"),
        ("post", "/api/v1/reports/inaction/-5/close"),
        ("get", "/api/v1/no-such-thing"),
    ],
)
def test_address_no_operation_matches_is_a_json_404(api_as, admin_user, method, path):
    """A path parameter outside its URL converter used to get the site's HTML 404 page, and
    a POST the CSRF failure page (403)."""
    client = api_as(admin_user)
    client.client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found"}


def test_no_two_schemas_share_a_component_name():
    """ninja keys components by class name and lets the last one win: the report list was
    documented with the statuses of notifications, a problem with the fields of an import
    error. Two different shapes under one name fail here; rename one, or use inline_enum."""
    from ninja.openapi.schema import OpenAPISchema

    from civicdesk.api.api import api

    clashes: dict[str, list[dict]] = {}
    original = OpenAPISchema.add_schema_definitions

    def add(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                clashes.setdefault(name, [known]).append(definition)
        original(self, definitions)

    with mock.patch.object(OpenAPISchema, "add_schema_definitions", add):
        api.get_openapi_schema(path_prefix="/api/v1/")

    assert not clashes, {
        name: [sorted(d.get("properties") or d.get("enum") or d) for d in shapes]
        for name, shapes in clashes.items()
    }


@pytest.mark.django_db
def test_report_list_is_documented_with_report_statuses(admin_user, served_openapi):
    document = json.loads(served_openapi)
    schemas = document["components"]["schemas"]
    status = schemas["ReportListItemOut"]["properties"]["status"]
    assert set(status["enum"]) >= {"received", "investigating", "substantiated"}
    assert set(schemas["RecordOut"]["properties"]["channel"]["enum"]) == {"online", "window"}


@pytest.mark.django_db
def test_nul_character_in_a_json_body_is_a_422_naming_the_field(api_as, admin_user, make_case):
    case = make_case()
    events = case.events.count()

    response = api_as(admin_user).post(f"/api/v1/cases/{case.pk}/escalate", {"note": "a\x00b"})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["msg"] == "note: must not contain the NUL character (U+0000)."
    assert case.events.count() == events


@pytest.mark.django_db
def test_nul_character_in_a_query_is_a_422(api_as, admin_user):
    response = api_as(admin_user).get("/api/v1/cases", unit="east\x00")

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("unit: must not contain the NUL")
