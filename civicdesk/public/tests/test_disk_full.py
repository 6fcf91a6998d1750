"""Fault: the disk fills up while the photos of a public report are being stored."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.models import Case
from civicdesk.core.tests.faults import disk_full_on_write
from civicdesk.intake.models import IdempotencyKey, Photo, Submission

from .conftest import jpeg_bytes, media_files, report_data

pytestmark = pytest.mark.django_db


def photos(count: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(size=(320, 240)), content_type="image/jpeg")
        for i in range(count)
    ]


# 1: the first photo itself; 2: its thumbnail; 4: the second photo's thumbnail, after three
# files were stored completely.
@pytest.mark.parametrize("failing_write", [1, 2, 4])
def test_full_disk_gives_a_clear_error_and_leaves_nothing(citizen, failing_write):
    with disk_full_on_write(failing_write) as failed:
        response = citizen.post("/report/", report_data(description="路灯坏了", photos=photos(2)))

    assert failed, "the fault was not injected"
    assert not Path(failed[0]).exists()  # the half-written file is removed too
    assert response.status_code == 503
    errors = " ".join(response.context["form"].non_field_errors())
    assert "no storage space left" in errors
    assert "Nothing was sent" in errors
    assert "路灯坏了" in response.content.decode()  # what was typed is kept
    assert Submission.objects.count() == 0
    assert Case.objects.count() == 0
    assert Photo.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert media_files() == []


def test_the_same_form_goes_through_once_there_is_space_again(citizen):
    data = report_data(photos=photos(1))
    with disk_full_on_write(1):
        assert citizen.post("/report/", data).status_code == 503

    retry = report_data(photos=photos(1))
    retry["form_token"] = data["form_token"]
    response = citizen.post("/report/", retry)

    assert response.status_code == 302
    assert Submission.objects.count() == 1
    assert Photo.objects.count() == 1
    assert len(media_files()) == 2
