"""Fixtures for the Open311 tests: API keys, cases at each stage, and the spec's schemas.

The JSON schemas of GeoReport v2 live in ``../shared/open311/georeport-v2-schema/`` beside
the repository. Without them the schema checks are skipped, except under CI (env ``CI``
set), where a missing folder is a failure.
"""

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.cases.models import Case, Category
from civicdesk.cases.services import case_accept, case_add_note, case_answer, case_assign
from civicdesk.core.photos import process_photo

REPOSITORY = Path(__file__).resolve().parents[3]
SCHEMA_DIR = REPOSITORY.parent / "shared" / "open311" / "georeport-v2-schema"
ROOT = "/open311/v2"
W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")

REPORTER_NAME = "王小明"
REPORTER_PHONE = "13812345678"
REPORTER_EMAIL = "xiaoming@example.org"


def json_of(response) -> object:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


def errors_of(response, fmt: str = "json") -> list[tuple[int, str]]:
    """The spec's error list as (code, description) pairs, in either format."""
    if fmt == "json":
        return [(item["code"], item["description"]) for item in json_of(response)]
    root = xml_of(response)
    assert root.tag == "errors"
    return [(int(error.findtext("code")), error.findtext("description")) for error in root]


def assert_w3c(value: str | None) -> datetime | None:
    """The spec's date-time format: seconds and a time zone."""
    if value is None:
        return None
    assert W3C_DATETIME.fullmatch(value), value
    return datetime.fromisoformat(value)


def assert_http_url(value: str | None) -> None:
    if value is not None:
        parts = urlsplit(value)
        assert parts.scheme in {"http", "https"} and parts.netloc, value


@pytest.fixture(scope="session")
def georeport_schema() -> Callable[[str, object], None]:
    """validate(schema file name, instance): fails listing every schema violation."""
    if not SCHEMA_DIR.is_dir():
        reason = f"the GeoReport v2 schemas are missing: {SCHEMA_DIR} does not exist"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = {
        path.name: Resource.from_contents(
            json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT7
        )
        for path in SCHEMA_DIR.glob("*.json")
    }
    registry = Registry().with_resources(resources.items())

    def validate(name: str, instance: object) -> None:
        validator = Draft7Validator(resources[name].contents, registry=registry)
        problems = [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(instance)
        ]
        assert not problems, problems
        # The schemas name formats that jsonschema only checks with extra packages.
        items = instance if isinstance(instance, list) else [instance]
        for item in items:
            for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
                assert_w3c(item.get(field))
            assert_http_url(item.get("media_url"))

    return validate


@pytest.fixture
def open311_settings(settings):
    settings.CIVICDESK_OPEN311_JURISDICTION = "civicdesk.test"
    return settings


@pytest.fixture
def api_key(clerk, open311_settings) -> str:
    """A key for a street-reporting app, held by the intake clerk's account."""
    _token, raw = ApiToken.issue(user=clerk, name="Street app")
    return raw


@pytest.fixture
def key_for() -> Callable[[User], str]:
    def issue(user: User) -> str:
        return ApiToken.issue(user=user, name=f"{user.username} app")[1]

    return issue


@pytest.fixture
def street_lights(db) -> Category:
    return Category.objects.get(code="street-lights")


@pytest.fixture
def discipline_inspector(units) -> User:
    return User.objects.create_user(
        username="inspector", role=Role.DISCIPLINE, unit=units["district"]
    )


@pytest.fixture
def reported_case(make_case, street_lights) -> Case:
    """A fresh report whose description quotes the reporter's own phone number."""
    return make_case(
        description=f"东苑小区路灯不亮，请联系我 {REPORTER_PHONE}",
        category=street_lights,
        address="东苑小区3号楼门口",
        latitude=Decimal("30.274100"),
        longitude=Decimal("120.155100"),
        contact_name=REPORTER_NAME,
        contact_phone=REPORTER_PHONE,
        contact_email=REPORTER_EMAIL,
    )


@pytest.fixture
def answered_case(reported_case, units, clerk, handler) -> Case:
    """Assigned, accepted and answered, with an internal note the public must not see."""
    case = case_assign(case=reported_case, unit=units["urban"], actor=clerk)
    case = case_accept(case=case, actor=handler)
    case_add_note(case=case, actor=handler, text="内部：线路老化，预算待批")
    return case_answer(case=case, actor=handler, text=f"{REPORTER_NAME}您好，路灯已于今日修复。")


@pytest.fixture
def photo():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="PNG")
    return process_photo(
        buffer.getvalue(),
        max_bytes=django_settings.CIVICDESK_MAX_PHOTO_BYTES,
        max_pixels=django_settings.CIVICDESK_MAX_PHOTO_PIXELS,
    )
