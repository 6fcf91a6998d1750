"""The outbox through the API: supervisors and administrators only, filters, counts per status,
and sending a failed message again, as on the staff page."""

import pytest
from django.utils import timezone

from civicdesk.notifications.models import Action, Channel, Event, Outbox, OutboxEvent, Status

URL = "/api/v1/notifications/outbox"
pytestmark = pytest.mark.django_db


def _row(n: int, status: str, channel: str = Channel.EMAIL, **fields) -> Outbox:
    recipient = "13800138000" if channel == Channel.SMS else f"person{n}@example.org"
    return Outbox.objects.create(
        channel=channel,
        recipient=recipient,
        event=fields.pop("event", Event.CASE_ANSWERED),
        language="en",
        subject="Your report has an answer",
        body="See /track/X/",
        status=status,
        dedupe_key=f"test:{n}",
        **fields,
    )


@pytest.fixture
def rows() -> dict[str, Outbox]:
    return {
        "sent": _row(1, Status.SENT, attempts=1, sent_at=timezone.now()),
        "failed": _row(2, Status.FAILED, Channel.SMS, attempts=8, last_error="OSError: busy"),
        "pending": _row(3, Status.PENDING, event=Event.FOLLOWUP_REQUEST),
    }


def test_list_filters_and_counts(api_as, supervisor, rows):
    client = api_as(supervisor)

    everything = client.get(URL).json()
    assert everything["count"] == 3
    failed = client.get(URL, status="failed", channel="sms").json()["items"]
    assert [item["id"] for item in failed] == [rows["failed"].pk]
    assert failed[0]["recipient"] != "13800138000"  # masked, as on the page
    assert failed[0]["last_error"] == "OSError: busy"
    counts = client.get(f"{URL}/counts", event="case_answered").json()
    assert {c["status"]: c["count"] for c in counts["counts"]} == {
        "pending": 0,
        "sent": 1,
        "failed": 1,
        "cancelled": 0,
    }
    assert counts["total"] == 2
    bad = client.get(URL, status="lost")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"].startswith("status: ")


@pytest.mark.parametrize("persona", ["clerk", "handler", "leader"])
def test_other_roles_are_refused(api_as, request, persona, rows):
    client = api_as(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/{rows['failed'].pk}/resend").status_code == 403
    assert Outbox.objects.get(pk=rows["failed"].pk).status == Status.FAILED


def test_anonymous_callers_need_a_token(anonymous):
    assert anonymous.get(URL).status_code == 401


def test_a_failed_message_is_sent_again(
    api_as, admin_user, rows, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = api_as(admin_user).post(f"{URL}/{rows['failed'].pk}/resend")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    step = OutboxEvent.objects.get(outbox=rows["failed"])
    assert (step.action, step.actor) == (Action.RESENT, admin_user)


def test_only_failed_messages_are_sent_again(api_as, supervisor, rows):
    client = api_as(supervisor)

    refused = client.post(f"{URL}/{rows['sent'].pk}/resend")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Only failed messages can be sent again."
    assert client.post(f"{URL}/999999/resend").status_code == 404
    assert not OutboxEvent.objects.exists()
