"""Delivery: retries with exponential backoff, permanent errors, several workers, masked logs."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from civicdesk.notifications import delivery, services
from civicdesk.notifications.models import Action, Channel, Event, Outbox, Status
from civicdesk.notifications.senders import PermanentSendError
from civicdesk.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

HERE = "civicdesk.notifications.tests.test_delivery"
PHONE = "+86 138-0013-8000"


class FlakySender:
    """Fails `failures` times (temporarily, naming the number as gateways do), then sends."""

    failures = 0
    calls: list[str] = []

    def send(self, to: str, text: str) -> None:
        FlakySender.calls.append(to)
        if len(FlakySender.calls) <= FlakySender.failures:
            raise OSError(f"gateway busy, try {to} later (13800138000)")


class RefusingSender:
    def send(self, to: str, text: str) -> None:
        raise PermanentSendError("the gateway refused the number")


def _queue(phone: str = PHONE, occurrence: str = "1") -> Outbox:
    return services.queue(
        event=Event.FOLLOWUP_REQUEST,
        channel=Channel.SMS,
        address=phone,
        language="en",
        context={"code": "ABCD", "days": 7, "followup_url": "/evaluation/f/x/"},
        occurrence=occurrence,
    )


def _make_due(row: Outbox) -> None:
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


@pytest.fixture
def flaky(settings):
    settings.CIVICDESK_SMS_SENDER = f"{HERE}.FlakySender"
    settings.CIVICDESK_NOTIFICATION_RETRY_SECONDS = 60
    FlakySender.calls, FlakySender.failures = [], 0
    return FlakySender


def test_temporary_errors_retry_with_backoff_then_send(flaky, caplog):
    flaky.failures = 2
    row = _queue()

    started = timezone.now()
    assert deliver_outbox.call() == {"pending": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    first_wait = row.next_attempt_at - started
    assert timedelta(seconds=59) < first_wait <= timedelta(seconds=61)
    assert deliver_outbox.call() == {}  # not due yet: nothing is tried

    _make_due(row)
    started = timezone.now()
    deliver_outbox.call()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 2)
    second_wait = row.next_attempt_at - started
    assert timedelta(seconds=119) < second_wait <= timedelta(seconds=121)  # doubled

    _make_due(row)
    assert deliver_outbox.call() == {"sent": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert flaky.calls == [PHONE] * 3
    assert list(row.events.values_list("action", "attempt")) == [
        (Action.RETRY, 1), (Action.RETRY, 2), (Action.SENT, 3),
    ]  # fmt: skip
    # Neither the stored errors nor the log show the number, however it is written.
    notes = " ".join(row.events.values_list("note", flat=True))
    for text in (notes, caplog.text):
        assert "*******8000" in text
        assert "0013" not in text and "13800138000" not in text and PHONE not in text


def test_retries_stop_at_the_maximum(flaky, settings):
    settings.CIVICDESK_NOTIFICATION_MAX_ATTEMPTS = 2
    flaky.failures = 99
    row = _queue()
    deliver_outbox.call()
    _make_due(row)
    assert deliver_outbox.call() == {"failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert row.last_error.startswith("OSError: gateway busy")
    _make_due(row)
    assert deliver_outbox.call() == {} and len(flaky.calls) == 2


def test_a_permanent_error_fails_at_once(settings):
    settings.CIVICDESK_SMS_SENDER = f"{HERE}.RefusingSender"
    row = _queue()
    assert deliver_outbox.call() == {"failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.last_error == "PermanentSendError: the gateway refused the number"


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append({"json": body, "auth": self.headers["Authorization"]})
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    _Gateway.status, _Gateway.received = 200, []
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.CIVICDESK_SMS_SENDER = "civicdesk.notifications.senders.HttpSMSSender"
    settings.CIVICDESK_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.CIVICDESK_SMS_GATEWAY_TOKEN = "s3cret"
    yield _Gateway
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("answer", "status"), [(400, Status.FAILED), (429, Status.PENDING), (503, Status.PENDING)]
)
def test_the_gateways_4xx_is_permanent_and_5xx_temporary(gateway, answer, status):
    gateway.status = answer
    row = _queue()
    deliver_outbox.call()
    row.refresh_from_db()
    assert row.status == status and row.attempts == 1
    assert row.last_error.endswith(f"answered {answer}") or f"Error {answer}" in row.last_error
    assert gateway.received[0]["auth"] == "Bearer s3cret"
    assert gateway.received[0]["json"]["to"] == PHONE
    assert "/evaluation/f/x/" in gateway.received[0]["json"]["text"]


def test_two_deliverers_never_take_the_same_row(flaky):
    rows = [_queue(occurrence=str(n)) for n in range(3)]
    first = delivery.claim(limit=2)
    second = delivery.claim(limit=5)
    assert {row.pk for row in first} | {row.pk for row in second} == {row.pk for row in rows}
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert delivery.claim() == []  # everything is taken (leased)

    # Two workers that read the same due row before either took it: only one wins.
    late = _queue(occurrence="late")
    seen_by_a = Outbox.objects.get(pk=late.pk)
    seen_by_b = Outbox.objects.get(pk=late.pk)
    lease = timezone.now() + delivery.LEASE
    assert delivery._take(seen_by_a, lease) is True
    assert delivery._take(seen_by_b, lease) is False

    for row in [*first, *second, seen_by_a]:
        delivery.deliver(row)
    assert sorted(flaky.calls) == [PHONE] * 4  # each message once
    assert set(Outbox.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_row_left_by_a_dead_worker_is_taken_again_after_its_lease(flaky):
    row = _queue()
    [taken] = delivery.claim()
    assert delivery.claim() == []
    later = timezone.now() + delivery.LEASE + timedelta(seconds=1)
    [again] = delivery.claim(now=later)
    assert again.pk == taken.pk and again.attempts == 2
    # The first worker wakes up: its outcome no longer counts, the second worker's does.
    assert delivery._finish(taken, Action.SENT, status=Status.SENT) is False
    delivery.deliver(again)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
