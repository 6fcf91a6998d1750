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


def _post_raw(client: ApiClient, path: str, body, content_type: str, **headers: str):
    return client.client.post(
        path, body, content_type=content_type, headers=client.headers | headers
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (
            '{"text": "备注",\n "x": }',
            "application/json",
            "The body is not valid JSON: a value was expected at line 2, column 7.",
        ),
        (
            "{not json",
            "application/json; charset=utf-8",
            "The body is not valid JSON: a property name in double quotes was expected at "
            "line 1, column 2.",
        ),
        (
            b'{"text": "\xff"}',
            "application/json",
            "The body is not valid JSON: it is not UTF-8 text.",
        ),
        (
            "text=%E5%A4%87%E6%B3%A8",
            "application/x-www-form-urlencoded",
            "The body could not be read as JSON: send it with Content-Type: application/json, "
            "not “application/x-www-form-urlencoded”, or a multipart form where the operation "
            "takes files.",
        ),
        (
            "[" * 5000 + "]" * 5000,
            "application/json",
            "The JSON body is nested too deeply: at most 32 levels are accepted.",
        ),
        (
            '{"text": "备注", "x": ' + "[" * 40 + "]" * 40 + "}",
            "application/json",
            "The JSON body is nested too deeply: at most 32 levels are accepted.",
        ),
    ],
    ids=["invalid", "unquoted name", "not utf-8", "form-encoded", "very deep", "too deep"],
)
def test_an_unreadable_json_body_is_a_400_saying_what_is_wrong(
    api_as, handler, case, body, content_type, detail
):
    events = CaseEvent.objects.count()

    response = _post_raw(api_as(handler), f"/api/v1/cases/{case.pk}/note", body, content_type)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert CaseEvent.objects.count() == events


@pytest.mark.django_db
def test_json_errors_speak_the_requests_language(api_as, handler, case):
    client = api_as(handler)
    path = f"/api/v1/cases/{case.pk}/note"

    hans = _post_raw(client, path, '{"text": }', "application/json", accept_language="zh-hans")
    hant = _post_raw(
        client, path, "[" * 40 + "]" * 40, "application/json", accept_language="zh-hant"
    )

    assert hans.json()["detail"] == "请求正文不是有效的 JSON：第 1 行第 10 列处缺少值。"
    assert "嵌套層級過深" in hant.json()["detail"]


@pytest.mark.django_db
def test_validation_messages_speak_the_requests_language(api_as, handler, case):
    client = api_as(handler)
    body = {"description": 5, "latitude": "north", "contact_name": "长" * 81}

    english = client.client.post("/api/v1/submissions", body, content_type="application/json")
    hans = client.client.post(
        "/api/v1/submissions",
        body,
        content_type="application/json",
        headers={"accept-language": "zh-hans"},
    )
    hant = client.client.post(
        "/api/v1/submissions",
        body,
        content_type="application/json",
        headers={"accept-language": "zh-hant"},
    )
    missing = _post_raw(
        client, f"/api/v1/cases/{case.pk}/note", "{}", "application/json", accept_language="zh-hans"
    )

    def messages(response):
        return sorted(error["msg"] for error in response.json()["detail"])

    assert messages(english) == [
        "contact_name: String should have at most 80 characters",
        "description: Input should be a valid string",
        "latitude: Input should be a valid number",
    ]
    assert messages(hans) == [
        "contact_name: 最多 80 个字符",
        "description: 应为文本",
        "latitude: 应为数字",
    ]
    assert messages(hant) == [
        "contact_name: 最多 80 個字符",
        "description: 應爲文本",
        "latitude: 應爲數字",
    ]
    assert missing.json()["detail"][0]["msg"] == "text: 必填"


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
