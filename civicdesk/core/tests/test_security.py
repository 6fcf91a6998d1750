"""Security headers, scripts, uploads, login throttling, password rules and log hygiene."""

import io
import logging
import re
import uuid

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from civicdesk.accounts.models import Role, User
from civicdesk.conftest import PASSWORD, login
from civicdesk.core.csp import build_policy
from civicdesk.core.downloads import safe_filename, upload_response

pytestmark = pytest.mark.django_db

# An executable <script> is one with no src whose type is not a JSON data block.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def inline_code(body: str) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(body):
        attributes = match.group(1)
        if "src=" in attributes or re.search(r'type="application/(ld\+)?json"', attributes):
            continue
        found.append(match.group(0))
    found += HANDLER_ATTRIBUTE.findall(body)
    return found


# --- Content-Security-Policy -----------------------------------------------------------------


def test_policy_is_strict_and_allows_the_tile_hosts():
    policy = build_policy(("https://a.tile.example.org", "https://b.tile.example.org"))
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == (
        "'self' data: blob: https://a.tile.example.org https://b.tile.example.org"
    )
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert directives["object-src"] == "'none'"


def test_inline_code_detector_finds_what_it_should():
    assert inline_code('<script>alert(1)</script><a onclick="x()">') == [
        "<script>",
        "<a onclick=",
    ]
    assert inline_code('<script src="/s.js" defer></script>') == []
    assert inline_code('<script id="d" type="application/json">{}</script>') == []


PUBLIC_PAGES = [
    "/",
    "/report/",
    "/track/",
    "/answered/",
    "/commitments/",
    "/reports/misconduct/",
    "/reports/intermediary/",
    "/reports/follow-up/",
    "/services/",
    "/dashboard/",
    "/dashboard/problems/",
    "/accounts/login/",
    "/admin/login/",
    "/api/v1/docs",
]
STAFF_PAGES = [
    "/staff/?page=1",  # the inbox; /staff/ alone redirects to the landing queue
    "/staff/queues/to-route/",
    "/staff/record/",
    "/staff/triage/",
    "/commitments/staff/due/",
    "/ledgers/",
    "/ledgers/promises/",
    "/ledgers/backlog/",
    "/ledgers/utilities/",
    "/reports/staff/inaction/",
    "/staff/bulletins/",
    "/rate/staff/",
    "/rate/staff/appeals/",
    "/evaluation/",
    "/evaluation/monthly/",
    "/staff/questionnaires/",
    "/staff/questionnaires/new/",
    "/services/staff/",
    "/dashboard/staff/",
    "/dashboard/staff/cases/",
    "/dashboard/staff/problems/",
    "/staff/imports/",
    "/notifications/staff/",
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
]


def assert_page_is_clean(response, url):
    assert response.status_code == 200, url
    assert "default-src 'self'" in response["Content-Security-Policy"], url
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_send_the_policy_and_run_no_inline_code(citizen, url, units):
    assert_page_is_clean(citizen.get(url), url)


def test_staff_pages_send_the_policy_and_run_no_inline_code(admin_user, make_case):
    case = make_case()
    client = login(admin_user)
    for url in [*STAFF_PAGES, f"/staff/cases/{case.pk}/", f"/track/{case.tracking_code}/"]:
        assert_page_is_clean(client.get(url), url)


def test_errors_and_redirects_carry_the_policy_too(citizen, units):
    for response in (citizen.get("/no-such-page/"), citizen.get("/staff/")):
        assert "object-src 'none'" in response["Content-Security-Policy"]


# --- Uploaded files --------------------------------------------------------------------------


def _photo_file(settings, name: str, content: bytes):
    path = settings.MEDIA_ROOT / "photos" / "2026" / "01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_public_photos_are_inline_images_that_are_never_sniffed(citizen, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "JPEG")
    _photo_file(settings, "a.jpg", buffer.getvalue())

    response = citizen.get("/media/photos/2026/01/a.jpg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="a.jpg"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == buffer.getvalue()


@pytest.mark.parametrize("name", ["page.html", "image.svg", "notes.txt", "noextension"])
def test_other_media_files_are_only_offered_as_downloads(citizen, settings, name):
    _photo_file(settings, name, b"<html><script>alert(1)</script></html>")

    response = citizen.get(f"/media/photos/2026/01/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_private_media_stay_private(citizen, settings):
    path = settings.MEDIA_ROOT / "commitments" / "evidence" / "x.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4")
    assert citizen.get("/media/commitments/evidence/x.pdf").status_code == 404


def test_upload_response_for_documents_is_an_attachment_with_a_safe_name():
    response = upload_response(
        io.BytesIO(b"a,b\n"),
        content_type="text/csv; charset=utf-8",
        filename='../../etc/"evil"\r\nname.csv',
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="evil_name.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "safe"),
    [("东苑-报告.xlsx", "东苑-报告.xlsx"), ("..\\..\\x.exe", "x.exe"), ("...", "download")],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


# --- Login throttling and passwords ----------------------------------------------------------


def _log_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_failed_logins_are_throttled_per_user_name(settings, handler):
    settings.CIVICDESK_LOGIN_FAILURES_PER_USER = "3/15m"
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client = Client(REMOTE_ADDR=address)
        assert _log_in(client, "handler", "wrong").status_code == 200

    # Even the right password from a fresh address is not checked now.
    client = Client(REMOTE_ADDR="10.0.0.4")
    response = _log_in(client, "HANDLER", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert _log_in(client, "nobody", "wrong").status_code == 200
    assert "Too many failed" not in _log_in(Client(), "clerk", "x").content.decode()


def test_failed_logins_are_throttled_per_address(settings, handler):
    settings.CIVICDESK_LOGIN_FAILURES_PER_ADDRESS = "2/h"
    client = Client(REMOTE_ADDR="10.0.0.9")
    _log_in(client, "a", "wrong")
    _log_in(client, "b", "wrong")
    response = _log_in(client, "handler", PASSWORD)
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address still logs in.
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert _log_in(other, "handler", PASSWORD).status_code == 302


def test_successful_logins_do_not_count(settings, handler):
    settings.CIVICDESK_LOGIN_FAILURES_PER_USER = "2/15m"
    for _ in range(3):
        assert _log_in(Client(), "handler", PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(settings, admin_user):
    settings.CIVICDESK_LOGIN_FAILURES_PER_USER = "1/15m"
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed log-ins" in response.content.decode()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "leader-leader"])
def test_weak_passwords_are_refused(password, units):
    user = User(username="leader-leader", role=Role.LEADER)
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_admin_cannot_set_a_weak_password(admin_user, handler):
    client = login(admin_user)
    url = f"/admin/accounts/user/{handler.pk}/password/"
    response = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


def test_changepassword_refuses_a_weak_password(handler, monkeypatch):
    from django.contrib.auth.management.commands import changepassword

    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": "12345678")
    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", "handler", stdout=io.StringIO(), stderr=io.StringIO())
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


# --- No personal data in logs ----------------------------------------------------------------


def test_no_personal_data_reaches_the_logs(
    citizen, caplog, units, django_capture_on_commit_callbacks
):
    from civicdesk.cases.models import Case
    from civicdesk.notifications import delivery, services
    from civicdesk.notifications.models import Outbox

    name, phone, email = "张三丰", "13912345678", "zhang.sanfeng@example.org"
    secret = "一个只有我知道的描述 7731"
    caplog.set_level(logging.DEBUG)
    response = citizen.post(
        "/report/",
        {
            "description": secret,
            "form_token": str(uuid.uuid4()),
            "contact_name": name,
            "contact_phone": phone,
            "contact_email": "",
            "consent_contact": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    case = Case.objects.get()
    citizen.get(f"/track/?code={case.tracking_code}")
    citizen.get(f"/track/{case.tracking_code}/")
    Case.objects.filter(pk=case.pk).update(answered_at=case.received_at)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_case_answered(case)
    delivery.deliver_due()
    # The test proves nothing unless the SMS really went out (the console sender logs it).
    assert Outbox.objects.get().status == "sent"
    assert "SMS to *******5678" in caplog.text

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in (name, phone, phone[-8:], email, secret, case.tracking_code):
        assert value not in logged, f"{value!r} was logged"
