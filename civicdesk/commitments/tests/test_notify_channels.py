"""Notifications by channel: e-mail to reporters who left an address, SMS to those who left
only a phone number, nothing but the in-app note for anonymous reporters. Messages go through
the outbox; the on-commit delivery run (immediate in tests) sends them."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from civicdesk.commitments.models import Notification
from civicdesk.conftest import login
from civicdesk.notifications import senders
from civicdesk.notifications.models import Outbox, Status

pytestmark = pytest.mark.django_db

HERE = "civicdesk.commitments.tests.test_notify_channels"
PHONE = "138 0013 8000"


class RecordingSMSSender:
    calls: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.calls.append((to, text))


class RecordingEmailSender:
    calls: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.calls.append((to, subject, body))


@pytest.fixture
def recorders(settings):
    settings.CIVICDESK_SMS_SENDER = f"{HERE}.RecordingSMSSender"
    RecordingSMSSender.calls = []
    RecordingEmailSender.calls = []
    return RecordingSMSSender.calls


@pytest.fixture
def reporters(measure, make_case):
    """The problem's own reporter left an e-mail address; add one with only a phone number,
    one with both, and an anonymous one."""
    problem = measure.problem
    cases = {
        "email": problem.cases.get(),
        "phone": make_case(contact_name="李四", contact_phone=PHONE),
        "both": make_case(contact_phone="13900139000", contact_email="both@example.org"),
        "anonymous": make_case(),
    }
    problem.cases.add(cases["phone"], cases["both"], cases["anonymous"])
    assert cases["anonymous"].submission.is_anonymous
    return cases


def _progress(measure, handler, captured, value=55):
    with captured(execute=True):
        response = login(handler).post(
            f"/commitments/staff/measures/{measure.pk}/progress/",
            {"progress-progress": value, "progress-note": "internal only"},
        )
    assert response.status_code == 302


def test_each_reporter_gets_one_channel(
    measure, handler, reporters, recorders, django_capture_on_commit_callbacks
):
    _progress(measure, handler, django_capture_on_commit_callbacks)

    # Only the reporter who left a phone number and no address gets an SMS…
    assert len(recorders) == 1
    to, text = recorders[0]
    assert to == PHONE
    assert reporters["phone"].tracking_code in text and "55% done" in text
    assert f"/track/{reporters['phone'].tracking_code}/" in text
    assert "internal only" not in text
    # …those who left an address get e-mail (and no SMS, even with a phone number)…
    assert sorted(m.to[0] for m in mail.outbox) == ["both@example.org", "reporter@example.org"]
    # …and every linked case, the anonymous one too, gets the in-app notification.
    for case in reporters.values():
        assert Notification.objects.filter(tracking_code=case.tracking_code).count() == 1


def test_anonymous_reporter_gets_only_the_in_app_note(
    measure, handler, recorders, settings, django_capture_on_commit_callbacks, make_case
):
    problem = measure.problem
    problem.cases.clear()
    anonymous = make_case()
    problem.cases.add(anonymous)
    _progress(measure, handler, django_capture_on_commit_callbacks)
    assert recorders == [] and mail.outbox == []
    assert Notification.objects.filter(tracking_code=anonymous.tracking_code).exists()
    status = login(handler).get(f"/track/{anonymous.tracking_code}/")
    assert "55%" in status.content.decode()


def test_email_sender_setting_still_picks_the_email_sender(
    measure, handler, reporters, recorders, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_NOTIFICATION_SENDER = f"{HERE}.RecordingEmailSender"
    _progress(measure, handler, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert sorted(to for to, _s, _b in RecordingEmailSender.calls) == [
        "both@example.org", "reporter@example.org",
    ]  # fmt: skip
    assert [to for to, _text in recorders] == [PHONE]


def test_console_sms_sender_is_the_default_and_masks_the_number(
    measure, handler, reporters, settings, caplog, django_capture_on_commit_callbacks
):
    if hasattr(settings, "CIVICDESK_SMS_SENDER"):
        del settings.CIVICDESK_SMS_SENDER
    with caplog.at_level("INFO", logger="civicdesk.notifications.senders"):
        _progress(measure, handler, django_capture_on_commit_callbacks)
    assert "SMS to *******8000: " in caplog.text and "55% done" in caplog.text
    assert "13800138000" not in caplog.text and PHONE not in caplog.text
    assert "0013" not in caplog.text


def test_mask_phone():
    assert senders.mask_phone("+86 138-0013-8000") == "*********8000"
    assert senders.mask_phone("8000") == "****"
    assert senders.mask_phone("") == "***"


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append(
            {"json": json.loads(self.rfile.read(length)), "auth": self.headers["Authorization"]}
        )
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    _Gateway.received, _Gateway.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CIVICDESK_SMS_SENDER = "civicdesk.notifications.senders.HttpSMSSender"
    settings.CIVICDESK_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.CIVICDESK_SMS_GATEWAY_TOKEN = "s3cret"
    settings.CIVICDESK_SMS_GATEWAY_TIMEOUT = 5
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_http_sms_sender_posts_json(
    measure, handler, reporters, gateway, django_capture_on_commit_callbacks
):
    _progress(measure, handler, django_capture_on_commit_callbacks)
    assert len(gateway.received) == 1
    posted = gateway.received[0]
    assert posted["auth"] == "Bearer s3cret"
    assert set(posted["json"]) == {"to", "text"}
    assert posted["json"]["to"] == PHONE and "55% done" in posted["json"]["text"]


def test_a_failing_gateway_is_logged_masked_and_breaks_nothing(
    measure, handler, reporters, gateway, caplog, django_capture_on_commit_callbacks
):
    gateway.status = 500
    _progress(measure, handler, django_capture_on_commit_callbacks)  # still a redirect
    assert "(sms) to *******8000: attempt 1 failed" in caplog.text
    assert "13800138000" not in caplog.text and PHONE not in caplog.text
    assert sorted(m.to[0] for m in mail.outbox) == ["both@example.org", "reporter@example.org"]
    sms = Outbox.objects.get(channel="sms")  # kept for the next attempt
    assert (sms.status, sms.attempts) == (Status.PENDING, 1)


def test_http_sms_sender_needs_a_gateway_url(settings):
    settings.CIVICDESK_SMS_SENDER = "civicdesk.notifications.senders.HttpSMSSender"
    settings.CIVICDESK_SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured):
        senders.send("sms", PHONE, "", "hello")
    settings.CIVICDESK_SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        senders.send("sms", PHONE, "", "hello")
