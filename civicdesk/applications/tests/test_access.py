"""Who opens what: the applicant with the one-time code, each staff role on the hall's pages."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import Role, User
from civicdesk.applications.models import OneTimeCode
from civicdesk.applications.otp import MAX_ATTEMPTS
from civicdesk.applications.tests.conftest import last_code, login, submit
from civicdesk.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_one_time_code_opens_one_application_for_this_session(version, sent):
    application = submit(version)
    other = submit(version, applicant_name="另一家公司", contact_phone="13900139000")
    client = Client()
    page = client.get(f"/hall/a/{application.tracking_code}/")
    assert page.status_code == 302 and page["Location"].startswith("/hall/track/?code=")
    response = client.post("/hall/track/", {"code": application.tracking_code})
    assert "*******8000" in response.text
    assert [to for _c, to, _t in sent] == ["13800138000"]
    assert (
        client.post(
            f"/hall/track/{application.tracking_code}/verify/", {"otp": last_code()}
        ).status_code
        == 302
    )
    assert client.get(f"/hall/a/{application.tracking_code}/").status_code == 200
    # The code opened that application only.
    assert client.get(f"/hall/a/{other.tracking_code}/").status_code == 302
    # A code is used once.
    again = Client().post(f"/hall/track/{application.tracking_code}/verify/", {"otp": last_code()})
    assert again.status_code == 400 and "The code has expired. Ask for a new one." in again.text


def test_wrong_codes_are_counted_and_then_refused(version):
    application = submit(version)
    client = Client()
    client.post("/hall/track/", {"code": application.tracking_code})
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    for left in range(MAX_ATTEMPTS - 1, 0, -1):
        response = client.post(f"/hall/track/{application.tracking_code}/verify/", {"otp": wrong})
        assert response.status_code == 400
        assert f"The code is not right. {left} tries left." in response.text
    client.post(f"/hall/track/{application.tracking_code}/verify/", {"otp": wrong})
    response = client.post(f"/hall/track/{application.tracking_code}/verify/", {"otp": right})
    assert response.status_code == 400
    assert "The code was typed wrongly too often. Ask for a new one." in response.text


def test_expired_code_and_too_many_codes(version):
    application = submit(version)
    client = Client()
    client.post("/hall/track/", {"code": application.tracking_code})
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(f"/hall/track/{application.tracking_code}/verify/", {"otp": last_code()})
    assert "The code has expired." in response.text
    client.post("/hall/track/", {"code": application.tracking_code})
    client.post("/hall/track/", {"code": application.tracking_code})
    response = client.post("/hall/track/", {"code": application.tracking_code})
    assert response.status_code == 400
    assert "3 codes were sent in the last 15 minutes." in response.text


def test_unknown_or_malformed_tracking_code(version):
    client = Client()
    response = client.post("/hall/track/", {"code": "ABCD-EFGH-JK"})
    assert response.status_code == 400
    assert "No application has this tracking code." in response.text or (
        "This is not a tracking code" in response.text
    )


def test_sender_failure_is_told_and_leaves_no_code(version, settings):
    settings.CIVICDESK_SMS_SENDER = "civicdesk.applications.tests.test_access.BrokenSMS"
    application = submit(version)
    response = Client().post("/hall/track/", {"code": application.tracking_code})
    assert "The code could not be sent just now." in response.text
    assert OneTimeCode.objects.count() == 0


class BrokenSMS:
    def send(self, to: str, text: str) -> None:
        raise OSError("gateway down")


PAGES = ["/hall/staff/", "/hall/staff/kiosk/", "/hall/staff/matters/", "/hall/staff/figures/"]


@pytest.mark.parametrize(
    ("role", "unit", "expected"),
    [
        (Role.CLERK, "district", 200),
        (Role.HANDLER, "market", 200),
        (Role.SUPERVISOR, "district", 200),
        (Role.LEADER, "district", 200),
        (Role.ADMIN, "district", 200),
        (Role.DISCIPLINE, "district", 404),
    ],
)
def test_staff_pages_by_role(version, units, role, unit, expected):
    user = User.objects.create_user(
        username=f"u-{role}", password=PASSWORD, role=role, unit=units[unit]
    )
    client = login(user)
    for page in PAGES:
        status = client.get(page).status_code
        # Leaders read, they do not record visits: the kiosk is not theirs.
        want = 404 if page.endswith("kiosk/") and role == Role.LEADER else expected
        assert status == want, (page, role, status)
    assert Client().get("/hall/staff/").status_code == 302


def test_application_page_by_unit(version, units, reviewer, window_clerk):
    application = submit(version)
    street = User.objects.create_user(
        username="street", password=PASSWORD, role=Role.HANDLER, unit=units["east-street"]
    )
    assert login(street).get(f"/hall/staff/a/{application.pk}/").status_code == 404
    assert application.tracking_code not in login(street).get("/hall/staff/").text
    for user in (reviewer, window_clerk):
        assert login(user).get(f"/hall/staff/a/{application.pk}/").status_code == 200
    upload = application.materials.filter(state="provided").first().uploads.get()
    assert login(street).get(f"/hall/staff/files/{upload.pk}/").status_code == 404
    response = login(reviewer).get(f"/hall/staff/files/{upload.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    # Uploads are private: never served from the public media URL.
    assert Client().get(f"/media/{upload.file.name}").status_code == 404


def test_step_actions_need_the_steps_role_and_unit(version, reviewer, window_clerk):
    application = submit(version)
    line = application.materials.filter(state="provided").first()
    response = login(reviewer).post(
        f"/hall/staff/a/{application.pk}/check/", {"material": line.pk, "decision": "accept"}
    )
    assert response.status_code == 400
    assert (
        "The step “Acceptance” is worked on by the role Intake clerk at 城管服务窗口."
        in response.text
    )
    line.refresh_from_db()
    assert line.state == "provided"


def test_only_the_acceptance_window_enters_applications(version, reviewer, window_clerk):
    assert login(reviewer).get("/hall/staff/new/?matter=food-license").status_code == 404
    assert login(window_clerk).get("/hall/staff/new/?matter=food-license").status_code == 200
