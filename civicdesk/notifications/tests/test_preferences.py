"""Opting out from the link in every message: the page, what it stops, forged links."""

import pytest
from django.core import signing
from django.utils import timezone

from civicdesk.evaluation.services import followup_open
from civicdesk.notifications import services
from civicdesk.notifications.models import Action, Event, Kind, Outbox, Preference, Status
from civicdesk.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(assigned, answer):
    """An answered case whose reporter left an e-mail address; its message is still queued."""
    case = answer(assigned(contact_email="Li@Example.org"))
    preference = Preference.objects.get()
    return case, preference, f"/notifications/unsubscribe/{services.unsubscribe_token(preference)}/"


def test_the_page_shows_the_masked_address_and_a_get_changes_nothing(reporter, citizen):
    _case, preference, url = reporter
    page = citizen.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "l***@example.org" in body and "Li@Example.org" not in body
    assert 'name="stop_all"' in body and "checked" in body  # one click stops everything
    preference.refresh_from_db()
    assert not preference.stop_all and Outbox.objects.get().status == Status.PENDING


def test_stopping_everything_cancels_waiting_messages_and_queues_no_more(
    reporter, citizen, sent, django_capture_on_commit_callbacks
):
    case, preference, url = reporter
    response = citizen.post(url, {"stop_all": "on"})
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.stop_all
    waiting = Outbox.objects.get()
    assert waiting.status == Status.CANCELLED
    assert waiting.events.get().action == Action.CANCELLED

    with django_capture_on_commit_callbacks(execute=True):
        followup = followup_open(case=case)
    assert followup.sent_via == ""
    later = Outbox.objects.get(event=Event.FOLLOWUP_REQUEST)
    assert later.status == Status.CANCELLED and later.body == ""  # recorded, not kept
    assert sent["email"] == []
    assert "Nothing is sent to this address any more." in citizen.get(url).content.decode()


def test_stopping_one_kind_stops_only_that_kind(
    reporter, citizen, sent, django_capture_on_commit_callbacks
):
    case, preference, url = reporter
    assert citizen.post(url, {"kinds": [Kind.FOLLOWUPS]}).status_code == 302
    preference.refresh_from_db()
    assert (preference.stop_all, preference.stopped_kinds) == (False, [Kind.FOLLOWUPS])
    with django_capture_on_commit_callbacks(execute=True):
        followup_open(case=case)
    deliver_outbox.call()
    statuses = dict(Outbox.objects.values_list("event", "status"))
    assert statuses == {Event.CASE_ANSWERED: Status.SENT, Event.FOLLOWUP_REQUEST: Status.CANCELLED}
    assert [to for to, _s, _b in sent["email"]] == ["Li@Example.org"]

    # Nothing ticked: everything is received again.
    assert citizen.post(url, {}).status_code == 302
    preference.refresh_from_db()
    assert (preference.stop_all, preference.stopped_kinds) == (False, [])


def test_an_address_that_opted_out_after_queuing_gets_nothing(reporter, sent):
    _case, preference, _url = reporter
    # Opted out meanwhile (e.g. from another message), while this one was waiting.
    Preference.objects.filter(pk=preference.pk).update(stop_all=True, updated_at=timezone.now())
    assert deliver_outbox.call() == {"cancelled": 1}
    assert sent["email"] == []


def test_forged_or_altered_links_are_refused(reporter, citizen):
    _case, preference, url = reporter
    token = url.split("/")[-2]
    other = Preference.objects.create(channel="email", address="someone@example.org")
    forged = [
        "1",  # a bare id
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # altered signature
        token.replace(token.split(":")[0], signing.b64_encode(b"%d" % other.pk).decode()),
    ]
    for bad in forged:
        page = citizen.get(f"/notifications/unsubscribe/{bad}/")
        assert page.status_code == 404
        assert "not valid" in page.content.decode()
        assert (
            citizen.post(f"/notifications/unsubscribe/{bad}/", {"stop_all": "on"}).status_code
            == 404
        )
    for row in (preference, other):
        row.refresh_from_db()
        assert not row.stop_all


def test_a_kind_not_on_the_list_is_refused(reporter, citizen):
    _case, preference, url = reporter
    response = citizen.post(url, {"kinds": ["everything-else"]})
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    preference.refresh_from_db()
    assert preference.stopped_kinds == []
