"""Requests the API cannot take: too large, not JSON, not authorised. Each gets a JSON error
with a `detail` that says what to do, and nothing is saved."""

import json

import pytest
from django.test import Client

from civicdesk.api.tests.conftest import ApiClient

from civicdesk.cases.models import CaseEvent
from civicdesk.cases.services import case_assign


@pytest.fixture
def case(make_case, supervisor, units):
    return case_assign(case=make_case(), unit=units["urban"], actor=supervisor)


@pytest.mark.django_db
def test_oversized_json_body_is_413(api_as, handler, case, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    events = CaseEvent.objects.count()

    response = api_as(handler).post(f"/api/v1/cases/{case.pk}/note", {"text": "长" * 2000})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "larger than 1000" in response.json()["detail"]
    assert CaseEvent.objects.count() == events


@pytest.mark.django_db
def test_malformed_json_is_400_with_advice(api_as, handler, case):
    client = api_as(handler)

    response = client.client.post(
        f"/api/v1/cases/{case.pk}/note",
        "{not json",
        content_type="application/json",
        headers=client.headers,
    )

    assert response.status_code == 400
    assert "application/json" in response.json()["detail"]


@pytest.mark.django_db
def test_missing_and_mistyped_fields_are_422_naming_them(api_as, handler, case):
    client = api_as(handler)

    missing = client.post(f"/api/v1/cases/{case.pk}/note", {})
    mistyped = client.post("/api/v1/measures/1/progress", {"progress": "half"})
    bad_path = client.get("/api/v1/cases/abc")

    assert missing.json()["detail"][0]["msg"].startswith("text: ")
    assert mistyped.status_code == 422
    assert mistyped.json()["detail"][0]["msg"].startswith("progress: ")
    assert bad_path.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/problems",
        "/api/v1/measures",
        "/api/v1/ledgers/promises",
        "/api/v1/reports/inaction",
        "/api/v1/ratings",
        "/api/v1/evaluation/rates",
        "/api/v1/catalogue/records",
        "/api/v1/dashboard",
        "/api/v1/bulletins/progress",
        "/api/v1/triage/runs",
    ],
)
def test_every_staff_area_needs_a_token(path):
    response = Client().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def _multipart_operations(document: dict) -> list[str]:
    """The paths of every operation that takes a multipart form, path parameters filled in
    (an enum's first value, else 1): the form is read before any object is looked up."""
    paths = []
    for template, operations in document["paths"].items():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "multipart/form-data" not in content:
                continue
            path = template
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    schema = parameter["schema"]
                    value = (schema.get("enum") or [1])[0]
                    path = path.replace("{" + parameter["name"] + "}", str(value))
            paths.append(path)
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_multipart_body_without_boundary_is_a_400_saying_so(
    debug, served_openapi, api_as, admin_user, settings
):
    settings.DEBUG = debug  # in debug mode ninja answered the error with a 500 traceback
    paths = _multipart_operations(json.loads(served_openapi))
    assert len(paths) >= 7
    clients = {"anonymous": ApiClient(), "staff": api_as(admin_user)}

    for name, client in clients.items():
        for path in paths:
            if name == "anonymous" and path != "/api/v1/submissions/multipart":
                continue
            response = client.client.post(
                path, b"--x\r\n", content_type="multipart/form-data", headers=client.headers
            )
            assert response.status_code == 400, (name, path)
            assert response["Content-Type"].startswith("application/json"), (name, path)
            assert "boundary" in response.json()["detail"], (name, path)
