"""The staff outbox: supervisors and administrators only, filters, counts, sending again."""

import pytest
from django.utils import timezone

from civicdesk.conftest import login
from civicdesk.notifications.models import Action, Channel, Event, Outbox, Status

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
def rows(db):
    return {
        "sent": _row(1, Status.SENT, attempts=1, sent_at=timezone.now()),
        "failed": _row(2, Status.FAILED, Channel.SMS, attempts=8, last_error="OSError: busy"),
        "pending": _row(3, Status.PENDING, event=Event.FOLLOWUP_REQUEST),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("clerk", 404), ("handler", 404), ("leader", 404), ("supervisor", 200), ("admin_user", 200)],
)
def test_only_supervisors_and_admins_see_the_outbox(rows, request, persona, expected):
    client = login(request.getfixturevalue(persona))
    assert client.get("/notifications/staff/").status_code == expected
    resend = client.post(f"/notifications/staff/{rows['failed'].pk}/resend/")
    assert resend.status_code == (302 if expected == 200 else 404)


def test_anonymous_visitors_go_to_the_login_page(rows, citizen):
    response = citizen.get("/notifications/staff/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert citizen.post(f"/notifications/staff/{rows['failed'].pk}/resend/").status_code == 302
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == Status.FAILED


def test_filters_and_counts(rows, supervisor):
    client = login(supervisor)
    page = client.get("/notifications/staff/").content.decode()
    for status in ("sent", "failed", "pending"):
        assert f'data-status="{status}">' in page
    assert "3 in all" in page
    assert "*******8000" in page and "13800138000" not in page  # addresses masked
    assert "p***@example.org" in page and "person1@example.org" not in page

    failed = client.get("/notifications/staff/?status=failed").content.decode()
    assert f'id="message-{rows["failed"].pk}"' in failed
    assert f'id="message-{rows["sent"].pk}"' not in failed and "1 in all" in failed
    by_event = client.get("/notifications/staff/?event=followup_request&channel=email")
    assert f'id="message-{rows["pending"].pk}"' in by_event.content.decode()
    assert client.get("/notifications/staff/?status=lost").status_code == 400


def test_a_failed_message_is_sent_again(
    rows, supervisor, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_SMS_SENDER = "civicdesk.notifications.tests.conftest.RecordingSMSSender"
    from civicdesk.notifications.tests.conftest import SENT

    SENT["sms"].clear()
    failed = rows["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(supervisor).post(
            f"/notifications/staff/{failed.pk}/resend/", {"query": "status=failed"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/staff/?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.SENT, 1, "")
    # Written without the site's address, it goes out with it (test_site_url.py).
    assert SENT["sms"] == [("13800138000", "See http://testserver/track/X/")]
    resent = failed.events.get(action=Action.RESENT)
    assert resent.actor == supervisor


def test_only_failed_messages_are_sent_again(rows, supervisor):
    client = login(supervisor)
    for name in ("sent", "pending"):
        response = client.post(f"/notifications/staff/{rows[name].pk}/resend/", follow=True)
        assert "Only failed messages can be sent again." in response.content.decode()
        rows[name].refresh_from_db()
        assert rows[name].status == name and not rows[name].events.exists()
    assert client.get(f"/notifications/staff/{rows['failed'].pk}/resend/").status_code == 405


def test_a_long_outbox_pages_on_without_counting_every_row(supervisor, monkeypatch):
    monkeypatch.setattr("civicdesk.core.paging.COUNT_CAP", 3)
    monkeypatch.setattr("civicdesk.notifications.views.PAGE_SIZE", 2)
    for n in range(5):
        _row(n, Status.SENT, attempts=1, sent_at=timezone.now())
    client = login(supervisor)

    first, last = client.get("/notifications/staff/"), client.get("/notifications/staff/?page=3")

    assert first.context["page"].paginator.capped
    pager = first.content.decode().split('class="pagination"', 1)[1]
    assert "<span>1</span>" in pager and "page=2" in pager
    assert len(last.context["page"].object_list) == 1 and not last.context["page"].has_next()
    assert "5 in all" in first.content.decode()  # the status counts stay exact
