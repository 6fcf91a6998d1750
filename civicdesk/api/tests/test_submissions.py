"""Reporting through the API: JSON and multipart, idempotency, rate limit, public status."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import case_add_note, case_answer, case_assign
from civicdesk.intake.models import IdempotencyKey, Photo, Submission

from .conftest import jpeg_bytes

URL = "/api/v1/submissions"
VALID_CREDIT_CODE = "91350100M000100Y43"


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_saved(settings) -> None:
    assert Submission.objects.count() == 0
    assert Case.objects.count() == 0
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def messages(response) -> str:
    return " ".join(error["msg"] for error in response.json()["detail"])


# --- Creating (JSON) -------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_create_stores_submission_and_case(anonymous):
    response = anonymous.post(
        URL,
        {
            "description": "  东苑小区门口路灯不亮  ",
            "category": "street-lights",
            "address": "东苑路 1 号",
            "latitude": 30.2741234567,
            "longitude": 120.1551,
            "contact_name": "王小明",
            "contact_email": "wang@example.com",
            "consent_publish": True,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["tracking_code"] == case.tracking_code
    assert body["status"] == "received"
    assert body["status_url"] == f"http://testserver/track/{case.tracking_code}/"
    submission = case.submission
    assert submission.description == "东苑小区门口路灯不亮"
    assert submission.channel.code == "mobile_app"
    assert submission.category.code == "street-lights"
    assert str(submission.latitude) == "30.274123"
    assert submission.contact_email == "wang@example.com"
    assert submission.consent_publish is True
    assert submission.recorded_by is None
    assert case.events.get().action == "create"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "ok", "latitude": 91}, "latitude"),
        ({"description": "ok", "longitude": -181}, "longitude"),
        ({"description": "ok", "contact_email": "not-an-email"}, "contact_email"),
        ({"description": "ok", "category": "no-such-thing"}, "category"),
        ({"description": "ok", "channel": "no-such-channel"}, "channel"),
        ({"description": "ok", "language": "tlh"}, "language"),
        ({"description": "ok", "for_enterprise": True}, "enterprise_credit_code"),
        (
            {"description": "ok", "for_enterprise": True, "enterprise_credit_code": "123"},
            "enterprise_credit_code",
        ),
    ],
)
def test_json_create_refuses_invalid_fields_naming_them(anonymous, settings, body, field):
    response = anonymous.post(URL, body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert any(error["loc"][-1] == field for error in errors), errors
    assert all(error["msg"].startswith(f"{error['loc'][-1]}: ") for error in errors), errors
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_unknown_category_message_names_the_code(anonymous):
    response = anonymous.post(URL, {"description": "ok", "category": "moon-base"})

    assert response.status_code == 422
    assert "moon-base" in messages(response)


@pytest.mark.django_db
def test_enterprise_report_keeps_normalised_credit_code(anonymous):
    response = anonymous.post(
        URL,
        {
            "description": "审批拖延",
            "for_enterprise": True,
            "enterprise_name": "示例公司",
            "enterprise_credit_code": VALID_CREDIT_CODE.lower(),
        },
    )

    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.for_enterprise is True
    assert submission.enterprise_credit_code == VALID_CREDIT_CODE


@pytest.mark.django_db
def test_anonymous_caller_cannot_use_staff_only_channel(anonymous, settings):
    response = anonymous.post(URL, {"description": "ok", "channel": "phone"})

    assert response.status_code == 422
    assert "phone" in messages(response)
    assert "snapshot" in messages(response)  # it says which channels are open
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_staff_token_may_use_staff_channel_and_is_recorded(api_as, clerk):
    response = api_as(clerk).post(URL, {"description": "电话反映噪音", "channel": "phone"})

    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.channel.code == "phone"
    assert submission.recorded_by == clerk


@pytest.mark.django_db
def test_invalid_token_on_create_is_refused_not_ignored(settings):
    client = Client()
    response = client.post(
        URL,
        {"description": "ok"},
        content_type="application/json",
        headers={"Authorization": "Bearer cd_nope"},
    )

    assert response.status_code == 401
    assert_nothing_saved(settings)


# --- Creating (multipart) --------------------------------------------------------------------


@pytest.mark.django_db
def test_multipart_create_stores_photos_with_the_submission(settings):
    response = Client().post(
        f"{URL}/multipart",
        {
            "description": "井盖缺失",
            "channel": "snapshot",
            "latitude": "30.27",
            "longitude": "120.15",
            "consent_publish": "true",
            "photos": [
                SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
                SimpleUploadedFile("b.jpg", jpeg_bytes(color="blue"), content_type="image/jpeg"),
            ],
        },
    )

    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.channel.code == "snapshot"
    assert submission.consent_publish is True
    assert (str(submission.latitude), str(submission.longitude)) == ("30.270000", "120.150000")
    photos = list(submission.photos.all())
    assert [photo.position for photo in photos] == [0, 1]
    assert all(photo.content_type == "image/jpeg" for photo in photos)
    assert len(media_files(settings)) == 4  # each photo and its thumbnail
    assert response.json()["tracking_code"] == submission.case.tracking_code


@pytest.mark.django_db
def test_multipart_without_photos_works(settings):
    response = Client().post(f"{URL}/multipart", {"description": "路面坑洼"})

    assert response.status_code == 201, response.content
    assert Submission.objects.get().photos.count() == 0


@pytest.mark.django_db
def test_multipart_fake_image_is_refused_and_nothing_saved(settings):
    response = Client().post(
        f"{URL}/multipart",
        {
            "description": "井盖缺失",
            "photos": [
                SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
                SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg"),
            ],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert [error["loc"][-1] for error in errors] == ["photos"]
    assert "evil.jpg" in errors[0]["msg"]
    assert errors[0]["msg"].startswith("photos: ")
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_multipart_too_many_photos_is_refused(settings):
    settings.CIVICDESK_MAX_PHOTOS = 1
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), "image/jpeg") for i in range(2)]

    response = Client().post(f"{URL}/multipart", {"description": "x", "photos": photos})

    assert response.status_code == 422
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_multipart_invalid_field_is_refused(settings):
    response = Client().post(f"{URL}/multipart", {"description": "x", "latitude": "north"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "latitude"
    assert_nothing_saved(settings)


# --- Idempotency -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_key_and_content_replays_first_result(anonymous):
    body = {"description": "路灯不亮", "contact_phone": "13800000000"}

    first = anonymous.post(URL, body, HTTP_IDEMPOTENCY_KEY="key-1")
    second = anonymous.post(URL, body, HTTP_IDEMPOTENCY_KEY="key-1")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Submission.objects.count() == 1
    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.get().key == "key-1"


@pytest.mark.django_db
def test_same_key_with_different_content_is_a_conflict(anonymous):
    anonymous.post(URL, {"description": "路灯不亮"}, HTTP_IDEMPOTENCY_KEY="key-2")

    response = anonymous.post(URL, {"description": "井盖缺失"}, HTTP_IDEMPOTENCY_KEY="key-2")

    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_multipart_replay_with_same_photo(settings):
    def send():
        return Client().post(
            f"{URL}/multipart",
            {"description": "x", "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes())]},
            HTTP_IDEMPOTENCY_KEY="key-3",
        )

    first, second = send(), send()

    assert (first.status_code, second.status_code) == (201, 200)
    assert Photo.objects.count() == 1
    assert len(media_files(settings)) == 2


@pytest.mark.django_db
def test_overlong_idempotency_key_is_refused(anonymous, settings):
    response = anonymous.post(URL, {"description": "x"}, HTTP_IDEMPOTENCY_KEY="k" * 201)

    assert response.status_code == 422
    assert_nothing_saved(settings)


# --- Rate limit ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_creates_are_rate_limited(anonymous, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "2/h"

    responses = [anonymous.post(URL, {"description": f"report {i}"}) for i in range(3)]

    assert [r.status_code for r in responses] == [201, 201, 429]
    refused = responses[2]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert refused.json()["detail"]
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_rate_limit_message_is_translated(anonymous, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    anonymous.post(URL, {"description": "one"})

    english = anonymous.post(URL, {"description": "two"}, HTTP_ACCEPT_LANGUAGE="en")

    assert english.status_code == 429
    assert "Too many reports" in english.json()["detail"]


@pytest.mark.django_db
def test_replay_is_not_refused_by_rate_limit(anonymous, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    first = anonymous.post(URL, {"description": "one"}, HTTP_IDEMPOTENCY_KEY="retry-me")

    retry = anonymous.post(URL, {"description": "one"}, HTTP_IDEMPOTENCY_KEY="retry-me")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["tracking_code"] == first.json()["tracking_code"]
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_client_past_its_limit_is_refused_before_its_photos_are_read(settings, monkeypatch):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    Client().post(URL, {"description": "one"}, content_type="application/json")
    decoded = []
    monkeypatch.setattr(
        "civicdesk.api.submissions.process_uploaded_photos", lambda uploads: decoded.append(1)
    )

    refused = Client().post(
        f"{URL}/multipart",
        {"description": "two", "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes())]},
    )

    assert refused.status_code == 429
    assert decoded == []
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_multipart_replay_is_not_refused_by_rate_limit(settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"

    def send():
        return Client().post(
            f"{URL}/multipart",
            {"description": "x", "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes())]},
            HTTP_IDEMPOTENCY_KEY="photo-retry",
        )

    first, retry = send(), send()

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["tracking_code"] == first.json()["tracking_code"]
    assert Photo.objects.count() == 1


@pytest.mark.django_db
def test_staff_token_is_not_rate_limited(api_as, clerk, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    client = api_as(clerk)

    codes = [client.post(URL, {"description": f"r{i}"}).status_code for i in range(3)]

    assert codes == [201, 201, 201]


# --- Public status ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_status_shows_public_timeline_only(make_case, supervisor, handler, units):
    case = make_case(
        contact_name="王小明",
        contact_phone="13912345678",
        contact_email="wang@example.com",
        description="路灯不亮 电话13912345678",
    )
    case_assign(case=case, unit=units["urban"], actor=supervisor, note="请城管处理")
    case_add_note(case=case, actor=handler, text="内部 与物业联系过")
    case_answer(case=case, actor=handler, text="已修复。王小明请留意。")

    response = Client().get(f"{URL}/{case.tracking_code.lower().replace('-', '')}")

    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == case.tracking_code
    assert body["status"] == "answered"
    assert body["unit"] == units["urban"].name
    assert body["merged_into"] is None
    assert [entry["action"] for entry in body["timeline"]] == ["create", "assign", "answer"]
    text = response.content.decode()
    for secret in ["13912345678", "wang@example.com", "王小明", "内部", "与物业联系过"]:
        assert secret not in text
    assert "已修复" in body["answer"]
    assert CaseEvent.objects.filter(case=case, is_public=False).count() == 1


@pytest.mark.django_db
def test_public_status_of_merged_case_points_to_survivor(make_case, clerk):
    from civicdesk.cases.services import case_merge

    kept, duplicate = make_case(), make_case()
    case_merge(case=duplicate, into=kept, actor=clerk)

    body = Client().get(f"{URL}/{duplicate.tracking_code}").json()

    assert body["status"] == "merged"
    assert body["merged_into"] == kept.tracking_code


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["2345-6789-AB", "not-a-code", "x" * 100])
def test_unknown_tracking_code_is_a_plain_404(db, code):
    response = Client().get(f"{URL}/{code}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


# --- Tracking codes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_taken_tracking_code_is_replaced_not_refused(anonymous, monkeypatch):
    taken = anonymous.post(URL, {"description": "first"}).json()["tracking_code"]
    fresh = iter([taken, taken, "ABCD-EFGH-JK"])
    monkeypatch.setattr("civicdesk.cases.services.new_tracking_code", lambda: next(fresh))

    response = anonymous.post(URL, {"description": "second"}, HTTP_IDEMPOTENCY_KEY="second")

    assert response.status_code == 201, response.content
    assert response.json()["tracking_code"] == "ABCD-EFGH-JK"
    assert Submission.objects.count() == Case.objects.count() == 2
    assert IdempotencyKey.objects.get().submission.case.tracking_code == "ABCD-EFGH-JK"


@pytest.mark.django_db
def test_tracking_codes_taken_again_and_again_store_nothing(anonymous, monkeypatch):
    taken = anonymous.post(URL, {"description": "first"}).json()["tracking_code"]
    monkeypatch.setattr("civicdesk.cases.services.new_tracking_code", lambda: taken)

    with pytest.raises(IntegrityError):
        anonymous.post(URL, {"description": "second"}, HTTP_IDEMPOTENCY_KEY="second")

    assert Submission.objects.count() == Case.objects.count() == 1
    assert not IdempotencyKey.objects.exists()
