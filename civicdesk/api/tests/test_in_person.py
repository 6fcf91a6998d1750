"""Staff record opinions heard in person through the API, as on /staff/record/."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicdesk.intake.models import Submission

from .conftest import jpeg_bytes

URL = "/api/v1/submissions/in-person"


def heard(**fields) -> dict:
    return {
        "channel": "leader_window",
        "heard_at": "服务大厅3号窗口",
        "heard_by": "王区长",
        "heard_on": (timezone.now() - timedelta(hours=2)).isoformat(),
        "description": "办证要跑三趟",
        "contact_phone": "13912345678",
        "consent_contact": True,
    } | fields


@pytest.mark.django_db
def test_leader_records_what_was_said_at_a_window(api_as, leader):
    response = api_as(leader).post(URL, heard(), HTTP_IDEMPOTENCY_KEY="visit-1")

    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.channel.code == "leader_window"
    assert submission.recorded_by == leader
    assert submission.source_details["heard_by"] == "王区长"
    assert submission.received_at < timezone.now() - timedelta(hours=1)
    assert response.json()["case_id"] == submission.case.pk
    again = api_as(leader).post(URL, heard(), HTTP_IDEMPOTENCY_KEY="visit-1")
    assert again.status_code == 200
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_handler_keeps_only_the_code_of_a_case_they_cannot_see(api_as, handler):
    response = api_as(handler).post(URL, heard(channel="phone", heard_by=""))

    assert response.status_code == 201, response.content
    assert response.json()["case_id"] is None
    assert Submission.objects.get().source_details["heard_by"] == "handler"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "snapshot"}, "channel"),
        ({"heard_on": (timezone.now() + timedelta(days=1)).isoformat()}, "heard_on"),
        ({"heard_on": (timezone.now() - timedelta(days=45)).isoformat()}, "heard_on"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"heard_at": ""}, "heard_at"),
    ],
)
def test_bad_input_names_the_field(api_as, clerk, fields, field):
    response = api_as(clerk).post(URL, heard(**fields))

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith(f"{field}: ")
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_photos_of_papers_and_who_may_record(api_as, clerk, discipline):
    body = heard(consent_contact=False, contact_phone="")
    photo = SimpleUploadedFile("paper.jpg", jpeg_bytes(), content_type="image/jpeg")

    with_photo = api_as(clerk).upload(f"{URL}/multipart", {**body, "photos": [photo]})
    refused = api_as(discipline).post(URL, heard())

    assert with_photo.status_code == 201, with_photo.content
    assert Submission.objects.get().photos.count() == 1
    assert refused.status_code == 403
