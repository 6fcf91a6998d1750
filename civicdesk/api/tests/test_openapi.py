"""The OpenAPI document and its docs page are served and describe every endpoint."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_lists_all_paths():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "civicdesk API"
    assert document["info"]["version"] == "1"
    expected = {
        "/api/v1/submissions",
        "/api/v1/submissions/multipart",
        "/api/v1/submissions/{tracking_code}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
    } | {
        f"/api/v1/cases/{{case_id}}/{action}"
        for action in ["assign", "accept", "return", "reply", "note", "close", "merge", "escalate"]
    }
    assert set(document["paths"]) == expected
    assert "StaffToken" in document["components"]["securitySchemes"]


@pytest.mark.django_db
def test_docs_page_is_served():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
