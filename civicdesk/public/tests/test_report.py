"""The 隨手拍 report form at /report/, posted as a browser would."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.credit_code import make_credit_code
from civicdesk.intake.models import IdempotencyKey, Photo, Submission

from .conftest import form_error_codes, jpeg_bytes, media_files, report_data

URL = "/report/"
pytestmark = pytest.mark.django_db


def photo(name: str = "photo.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def assert_nothing_saved() -> None:
    assert Submission.objects.count() == 0
    assert Case.objects.count() == 0
    assert Photo.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert media_files() == []


# --- The happy path ---------------------------------------------------------------------------


def test_form_page_carries_a_fresh_token_and_csrf(citizen):
    first = citizen.get(URL)
    second = citizen.get(URL)

    assert first.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in first.content.decode()
    pattern = r'name="form_token" value="([0-9a-f-]{36})"'
    tokens = [re.search(pattern, r.content.decode()).group(1) for r in (first, second)]
    assert tokens[0] != tokens[1]


def test_valid_report_without_photos_opens_a_case(citizen):
    response = citizen.post(URL, report_data())

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/"
    submission = case.submission
    assert submission.channel.code == "snapshot"
    assert submission.description == "东苑小区门口路灯不亮，晚上很黑"
    assert submission.source_details == {"form": "web"}
    assert case.status == Status.RECEIVED
    assert case.unit is None
    create = CaseEvent.objects.get(case=case)
    assert create.action == Action.CREATE
    assert create.is_public
    assert create.actor_kind == "reporter"
    assert case.received_at < case.assign_due_at < case.response_due_at < case.answer_due_at


def test_status_page_after_report_shows_the_tracking_code(citizen):
    response = citizen.post(URL, report_data(), follow=True)

    case = Case.objects.get()
    assert response.status_code == 200
    body = response.content.decode()
    assert case.tracking_code in body
    assert "Thank you" in body or "谢谢" in body


def test_full_browser_flow_with_csrf_enforced():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)

    response = browser.post(URL, report_data(form_token=token, csrfmiddlewaretoken=csrf))

    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_post_without_csrf_token_is_forbidden():
    browser = Client(enforce_csrf_checks=True)
    browser.get(URL)

    response = browser.post(URL, report_data())

    assert response.status_code == 403
    assert_nothing_saved()


def test_report_without_contact_is_anonymous(citizen):
    citizen.post(URL, report_data())

    submission = Submission.objects.get()
    assert submission.is_anonymous
    assert submission.contact_name == submission.contact_phone == submission.contact_email == ""


def test_report_with_contact_and_category_is_stored(citizen):
    from civicdesk.cases.models import Category

    lights = Category.objects.get(code="street-lights")
    response = citizen.post(
        URL,
        report_data(
            category=str(lights.pk),
            contact_name=" 王小明 ",
            contact_phone="138 1234 5678",
            contact_email="wang@example.com",
            latitude="30.274100",
            longitude="120.155100",
            consent_publish="on",
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    submission = case.submission
    assert not submission.is_anonymous
    assert submission.contact_name == "王小明"
    assert case.category == lights
    assert str(submission.latitude) == "30.274100"
    assert submission.consent_publish


def test_missing_description_is_refused_and_other_fields_kept(citizen):
    response = citizen.post(URL, report_data(description="   ", address="东苑路 1 号"))

    assert response.status_code == 400
    assert form_error_codes(response, "description") == {"required"}
    assert "东苑路 1 号" in response.content.decode()
    assert_nothing_saved()


def test_missing_form_token_is_refused(citizen):
    response = citizen.post(URL, report_data(form_token=""))

    assert response.status_code == 400
    assert form_error_codes(response, "form_token") == {"required"}
    assert_nothing_saved()


# --- Photos -----------------------------------------------------------------------------------


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    exif[0x0110] = "Phone of 王小明"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 15.0, 0.0)
    gps[3] = "E"
    gps[4] = (120.0, 9.0, 0.0)
    return exif


def test_photo_is_stored_without_metadata_and_with_thumbnail(citizen):
    original = jpeg_bytes(size=(640, 480), exif=exif_with_gps())
    assert b"Exif" in original  # the upload really carries EXIF with GPS
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    response = citizen.post(URL, report_data(photos=[photo(content=original)]))

    assert response.status_code == 302
    stored = Photo.objects.get()
    assert stored.submission == Submission.objects.get()
    assert stored.content_type == "image/jpeg"
    assert (stored.width, stored.height) == (640, 480)
    content = Path(stored.image.path).read_bytes()
    assert b"Exif" not in content
    assert b"Camera" not in content
    with Image.open(stored.image.path) as image:
        assert dict(image.getexif()) == {}
    thumbnail = Path(stored.thumbnail.path)
    assert thumbnail.is_file()
    with Image.open(thumbnail) as thumb:
        assert max(thumb.size) <= 320
    # The original file name reaches neither the disk nor the database.
    assert "photo" not in Path(stored.image.name).name


def test_several_photos_keep_their_order(citizen):
    colors = ["red", "green", "blue"]
    uploads = [photo(f"p{i}.jpg", jpeg_bytes(color=c)) for i, c in enumerate(colors)]

    response = citizen.post(URL, report_data(photos=uploads))

    assert response.status_code == 302
    assert list(Photo.objects.values_list("position", flat=True)) == [0, 1, 2]
    assert len(media_files()) == 6  # each photo and its thumbnail


def test_text_file_named_jpg_is_refused_and_nothing_is_saved(citizen):
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not a picture", "image/jpeg")

    response = citizen.post(URL, report_data(description="人行道上的井盖丢了", photos=[fake]))

    assert response.status_code == 400
    body = response.content.decode()
    errors = " ".join(response.context["form"].errors["photos"])
    assert "photo.jpg" in errors
    assert "photo.jpg" in body
    assert "人行道上的井盖丢了" in body
    assert response.context["photos_lost"]
    assert_nothing_saved()


def test_one_bad_photo_among_good_ones_saves_nothing(citizen):
    uploads = [photo("good.jpg"), photo("bad.jpg", b"\xff\xd8\xff broken jpeg")]

    response = citizen.post(URL, report_data(photos=uploads))

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["photos"])
    assert "bad.jpg" in errors
    assert "good.jpg" not in errors
    assert_nothing_saved()


def test_seven_photos_are_refused(citizen, settings):
    assert settings.CIVICDESK_MAX_PHOTOS == 6
    uploads = [photo(f"p{i}.jpg") for i in range(7)]

    response = citizen.post(URL, report_data(photos=uploads))

    assert response.status_code == 400
    assert form_error_codes(response, "photos") == {"too_many_photos"}
    assert_nothing_saved()


def test_six_photos_are_accepted(citizen):
    response = citizen.post(URL, report_data(photos=[photo(f"p{i}.jpg") for i in range(6)]))

    assert response.status_code == 302
    assert Photo.objects.count() == 6


def test_oversized_photo_is_refused(citizen, settings):
    settings.CIVICDESK_MAX_PHOTO_BYTES = 1000
    big = jpeg_bytes(size=(400, 400), color="white") + b"\0" * 2000

    response = citizen.post(URL, report_data(photos=[photo("big.jpg", big)]))

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["photos"])
    assert "big.jpg" in errors
    assert_nothing_saved()


# --- Enterprise -------------------------------------------------------------------------------


def test_enterprise_report_needs_name_and_code(citizen):
    response = citizen.post(URL, report_data(for_enterprise="on"))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "enterprise_name" in errors
    assert "enterprise_credit_code" in errors
    assert_nothing_saved()


def test_enterprise_code_with_wrong_check_digit_is_refused(citizen):
    valid = make_credit_code("91330106MA2B3C4D5")
    wrong = valid[:-1] + ("1" if valid[-1] != "1" else "2")

    response = citizen.post(
        URL,
        report_data(for_enterprise="on", enterprise_name="某某公司", enterprise_credit_code=wrong),
    )

    assert response.status_code == 400
    assert form_error_codes(response, "enterprise_credit_code") == {"credit_code_check_digit"}
    assert "last character" in " ".join(response.context["form"].errors["enterprise_credit_code"])
    assert_nothing_saved()


def test_enterprise_code_with_wrong_length_is_refused(citizen):
    response = citizen.post(
        URL,
        report_data(
            for_enterprise="on", enterprise_name="某某公司", enterprise_credit_code="9133010"
        ),
    )

    assert response.status_code == 400
    assert form_error_codes(response, "enterprise_credit_code") == {"credit_code_length"}


def test_valid_enterprise_code_is_stored_upper_case(citizen):
    valid = make_credit_code("91330106MA2B3C4D5")

    response = citizen.post(
        URL,
        report_data(
            for_enterprise="on",
            enterprise_name=" 某某科技有限公司 ",
            enterprise_credit_code=f" {valid.lower()} ",
        ),
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.for_enterprise
    assert submission.enterprise_name == "某某科技有限公司"
    assert submission.enterprise_credit_code == valid


def test_enterprise_fields_are_dropped_when_box_is_not_ticked(citizen):
    response = citizen.post(
        URL, report_data(enterprise_name="某某公司", enterprise_credit_code="not-checked")
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert not submission.for_enterprise
    assert submission.enterprise_name == submission.enterprise_credit_code == ""


# --- Location ---------------------------------------------------------------------------------


def test_latitude_without_longitude_is_refused(citizen):
    response = citizen.post(URL, report_data(latitude="30.27"))

    assert response.status_code == 400
    assert "longitude" in response.context["form"].errors
    assert 'value="30.27"' in response.content.decode()
    assert_nothing_saved()


def test_latitude_out_of_range_is_refused(citizen):
    response = citizen.post(URL, report_data(latitude="100", longitude="120"))

    assert response.status_code == 400
    assert form_error_codes(response, "latitude") == {"max_value"}
    assert_nothing_saved()


# --- Double submit, rate limit ----------------------------------------------------------------


def test_double_submit_of_the_same_form_files_one_case(citizen):
    data = report_data()

    first = citizen.post(URL, data)
    second = citizen.post(URL, data)

    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/track/{case.tracking_code}/"
    assert Submission.objects.count() == 1


def test_double_submit_with_photo_stores_the_photo_once(citizen):
    data = report_data()

    citizen.post(URL, {**data, "photos": [photo()]})
    citizen.post(URL, {**data, "photos": [photo()]})

    assert Case.objects.count() == 1
    assert Photo.objects.count() == 1
    assert len(media_files()) == 2


def test_rate_limit_refuses_the_third_report(citizen, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "2/h"
    assert citizen.post(URL, report_data()).status_code == 302
    assert citizen.post(URL, report_data()).status_code == 302

    response = citizen.post(URL, report_data(description="第三次举报"))

    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many reports" in body
    assert "第三次举报" in body  # what was typed is kept
    assert Case.objects.count() == 2
    assert not Submission.objects.filter(description="第三次举报").exists()


def test_rate_limit_is_per_client_address(settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    one, two = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")

    assert one.post(URL, report_data()).status_code == 302
    assert one.post(URL, report_data()).status_code == 429
    assert two.post(URL, report_data()).status_code == 302
    assert Case.objects.count() == 2
