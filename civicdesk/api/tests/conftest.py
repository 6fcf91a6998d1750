"""Helpers for the API tests: tokens, JSON calls and a real small photo."""

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from civicdesk.accounts.models import ApiToken, Role, User


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


class ApiClient:
    """django.test.Client with a bearer token and JSON bodies."""

    def __init__(self, raw_token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict | None = None, **extra: str):
        """``extra`` are WSGI environ entries, as for Client (HTTP_IDEMPOTENCY_KEY=...)."""
        return self.client.post(
            path, body or {}, content_type="application/json", headers=self.headers, **extra
        )

    def put(self, path: str, body: dict):
        return self.client.put(path, body, content_type="application/json", headers=self.headers)

    def upload(self, path: str, data: dict):
        """A multipart form: files as SimpleUploadedFile values."""
        return self.client.post(path, data, headers=self.headers)


@pytest.fixture(scope="session")
def served_openapi(django_db_blocker) -> bytes:
    """The body of /api/v1/openapi.json, fetched once for the session.

    ninja builds the document anew on every request (over a second here) and it depends on the
    code alone, not on the data or the language; parse it per test (json.loads), so that no
    test sees another's changes."""
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.content


@pytest.fixture
def api_as():
    """api_as(user) → a client holding a fresh token of that user."""

    def make(user: User) -> ApiClient:
        _, raw = ApiToken.issue(user=user, name="test")
        return ApiClient(raw)

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def discipline(units) -> User:
    """A discipline inspector of the district (the only audience of intermediary reports)."""
    return User.objects.create_user(
        username="inspector", password="x", role=Role.DISCIPLINE, unit=units["district"]
    )
