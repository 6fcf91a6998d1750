"""Retention of the outbox: finished messages past the period are deleted with their delivery
steps; pending ones, recent ones and people's opt-outs stay; a second run deletes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.conftest import login
from civicdesk.notifications import services
from civicdesk.notifications.models import (
    Action,
    Channel,
    Event,
    Outbox,
    OutboxEvent,
    Preference,
    Status,
)
from civicdesk.notifications.tasks import remove_old_outbox_messages

pytestmark = pytest.mark.django_db


def _row(name: str, status: str, *, days_ago: int, **fields) -> Outbox:
    created = timezone.now() - timedelta(days=days_ago)
    row = Outbox.objects.create(
        channel=Channel.EMAIL,
        recipient=f"{name}@example.org",
        event=Event.CASE_ANSWERED,
        language="en",
        subject="Your report has an answer",
        body="See /track/X/",
        status=status,
        created_at=created,
        next_attempt_at=created,
        dedupe_key=f"test:{name}",
        **fields,
    )
    action = {Status.SENT: Action.SENT, Status.FAILED: Action.FAILED}.get(status)
    if action is not None:
        OutboxEvent.objects.create(outbox=row, action=action, attempt=1, created_at=created)
    return row


@pytest.fixture
def rows(settings):
    settings.CIVICDESK_OUTBOX_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    return {
        "old_sent": _row("old-sent", Status.SENT, days_ago=31, sent_at=old),
        "old_failed": _row("old-failed", Status.FAILED, days_ago=40, attempts=8),
        "old_cancelled": _row("old-cancelled", Status.CANCELLED, days_ago=60),
        # Still to be retried, however old: never deleted.
        "old_pending": _row("old-pending", Status.PENDING, days_ago=400, attempts=3),
        "recent_sent": _row("recent-sent", Status.SENT, days_ago=29, sent_at=timezone.now()),
        "recent_failed": _row("recent-failed", Status.FAILED, days_ago=2),
        # Queued long ago but sent only lately (retries, or sent again by staff): kept.
        "late_sent": _row("late-sent", Status.SENT, days_ago=45, sent_at=timezone.now()),
    }


def test_old_finished_messages_are_deleted_and_the_rest_kept(rows):
    assert remove_old_outbox_messages.call() == 3
    left = set(Outbox.objects.values_list("dedupe_key", flat=True))
    assert left == {
        "test:old-pending",
        "test:recent-sent",
        "test:recent-failed",
        "test:late-sent",
    }
    assert not OutboxEvent.objects.filter(outbox_id=rows["old_sent"].pk).exists()
    assert OutboxEvent.objects.filter(outbox=rows["recent_sent"]).exists()

    # Running it again is harmless.
    assert remove_old_outbox_messages.call() == 0
    assert Outbox.objects.count() == 4


def test_a_failed_message_with_a_recent_step_is_kept(rows):
    # Sent again by staff a day ago and failed again since: its history is recent.
    OutboxEvent.objects.create(
        outbox=rows["old_failed"], action=Action.RESENT, created_at=timezone.now()
    )
    assert remove_old_outbox_messages.call() == 2
    assert Outbox.objects.filter(pk=rows["old_failed"].pk).exists()


def test_opt_outs_outlive_the_messages(settings, assigned, answer, citizen):
    settings.CIVICDESK_OUTBOX_RETENTION_DAYS = 30
    answer(assigned(contact_email="li@example.org"))
    preference = Preference.objects.get()
    url = f"/notifications/unsubscribe/{services.unsubscribe_token(preference)}/"
    assert citizen.post(url, {"stop_all": "on"}).status_code == 302
    Outbox.objects.update(created_at=timezone.now() - timedelta(days=31))
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert remove_old_outbox_messages.call() == 1  # the cancelled message
    assert not Outbox.objects.exists()
    preference.refresh_from_db()
    assert preference.stop_all
    # The link in the deleted message still works.
    assert citizen.get(url).status_code == 200


def test_zero_days_keeps_everything(rows, settings):
    settings.CIVICDESK_OUTBOX_RETENTION_DAYS = 0
    assert remove_old_outbox_messages.call() == 0
    assert Outbox.objects.count() == 7


def test_the_outbox_page_after_a_run(rows, supervisor):
    remove_old_outbox_messages.call()
    client = login(supervisor)
    response = client.get("/notifications/staff/")
    assert response.status_code == 200
    assert "4 in all" in response.content.decode()
    resend = client.post(f"/notifications/staff/{rows['old_failed'].pk}/resend/")
    assert resend.status_code == 404


def test_deletes_in_batches(rows, monkeypatch):
    monkeypatch.setattr(services, "RETENTION_BATCH", 2)
    assert remove_old_outbox_messages.call() == 3
    assert Outbox.objects.count() == 4
