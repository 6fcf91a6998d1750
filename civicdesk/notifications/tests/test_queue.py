"""Queuing: in the caller's transaction, once per event, in the reporter's language, never to
someone who did not agree to be contacted."""

import importlib.util
from pathlib import Path

import pytest
from django.db import transaction
from django.template.loader import get_template
from django.utils import translation

from civicdesk.conftest import login
from civicdesk.notifications import services
from civicdesk.notifications.models import Event, Outbox, Preference, Status
from civicdesk.notifications.rendering import render
from civicdesk.ratings.models import RatingInvitation, Source
from civicdesk.ratings.services import invitation_create, rating_submit

pytestmark = pytest.mark.django_db


def template_file(event: str, language: str) -> Path:
    """The file a message is rendered from: an app may ship its own events' messages
    (nearby's area alerts live in civicdesk/nearby/templates/notifications/)."""
    return Path(get_template(f"notifications/{event}/{language}.txt").origin.name)


TRANSLATE = Path(__file__).resolve().parents[3] / "scripts" / "translate.py"


def test_answering_a_case_emails_the_reporter_after_commit(
    assigned, handler, sent, django_capture_on_commit_callbacks
):
    case = assigned(contact_email="Li@Example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(handler).post(
            f"/staff/cases/{case.pk}/answer/", {"answer-text": "路灯已修复。"}
        )
    assert response.status_code == 302
    [(to, subject, body)] = sent["email"]
    assert to == "Li@Example.org"
    assert case.tracking_code in subject and case.tracking_code in body
    assert f"/track/{case.tracking_code}/" in body
    # The token is signed with a timestamp, so read it back rather than sign it again.
    link = body.rstrip().rsplit(" ", 1)[-1]
    assert link.startswith("http://testserver/notifications/unsubscribe/") and link.endswith("/")
    token = link.removeprefix("http://testserver/notifications/unsubscribe/").removesuffix("/")
    preference = Preference.objects.get(address="li@example.org")
    assert services.preference_for_token(token) == preference
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.event) == (Status.SENT, 1, Event.CASE_ANSWERED)
    assert row.sent_at is not None


def test_a_rolled_back_answer_queues_and_sends_nothing(
    assigned, answer, sent, django_capture_on_commit_callbacks
):
    case = assigned(contact_email="li@example.org")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        answer(case)
        assert Outbox.objects.count() == 1  # written in the same transaction…
        raise RuntimeError("the action fails after the answer")
    assert Outbox.objects.count() == 0  # …and rolled back with it
    assert callbacks == [] and sent["email"] == []


def test_the_same_event_queues_once(assigned, answer, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = answer(assigned(contact_email="li@example.org"))
    first = Outbox.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_case_answered(case) == first
        assert services.notify_case_answered(case) == first
    assert Outbox.objects.count() == 1 and len(sent["email"]) == 1


def test_phone_only_reporter_gets_an_sms_with_a_short_text(
    assigned, answer, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = answer(assigned(contact_phone="138 0013 8000"))
    [(to, text)] = sent["sms"]
    assert to == "138 0013 8000"
    assert text.startswith(
        f"Your report {case.tracking_code} has an official answer: http://testserver/track/"
    )
    assert "/notifications/unsubscribe/" in text
    assert Preference.objects.get().address == "13800138000"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hant", "已正式答覆"),
        ("zh-hans", "已正式答复"),
        ("en", "has an official answer"),
        ("zh-TW", "已正式答覆"),  # a browser's code, mapped to the supported variant
        ("", "已正式答复"),  # none recorded: the site's language
        ("fr", "已正式答复"),  # not offered: the site's language
    ],
)
def test_the_message_is_in_the_reporters_language(assigned, answer, settings, language, expected):
    settings.LANGUAGE_CODE = "zh-hans"
    answer(assigned(contact_email="li@example.org", language=language))
    row = Outbox.objects.get()
    assert expected in row.body
    assert row.language == {"zh-TW": "zh-hant", "": "zh-hans", "fr": "zh-hans"}.get(
        language, language
    )


def test_no_consent_to_be_contacted_queues_nothing(
    assigned, answer, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer(assigned(contact_email="li@example.org", consent_contact=False))
    assert Outbox.objects.count() == 0 and Preference.objects.count() == 0
    assert sent["email"] == []


def test_an_answered_rectification_sends_the_rerate_link(
    units, handler, sent, citizen, django_capture_on_commit_callbacks
):
    invitation = invitation_create(
        window=units["urban-window"], actor=None, source=Source.WINDOW_LINK
    )
    with translation.override("zh-hant"):  # the rater's language, kept on the submission
        rating = rating_submit(invitation=invitation, level=1, contact_email="rater@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(handler).post(
            f"/staff/cases/{rating.case_id}/answer/", {"answer-text": "已整改。"}
        )
    assert response.status_code == 302
    [(to, subject, body)] = sent["email"]
    assert to == "rater@example.org"
    assert subject == "您對城管服務窗口的評價已答覆"  # the window's name in the rater's script too
    assert f"/rate/again/{rating.rerate_token}/" in body
    assert citizen.get(f"/rate/again/{rating.rerate_token}/").status_code == 200
    assert Outbox.objects.get().event == Event.RECTIFICATION_ANSWERED
    assert RatingInvitation.objects.count() == 1


@pytest.mark.parametrize("event", Event.values)
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_event_has_a_message_in_every_language(event, language):
    names = "code status_url window rerate_url days followup_url problem change page_url"
    names += " stop_url confirm_url measure unit deadline progress url"
    context = {name: f"<{name}>" for name in names.split()}
    assert template_file(event, language).is_file()
    for sms in (False, True):
        rendered = render(event, language, context, sms=sms, unsubscribe_url="<stop-all>")
        assert rendered.body and "<stop-all>" in rendered.body
        assert bool(rendered.subject) is not sms and "\n" not in rendered.subject
        assert "&lt;" not in rendered.body  # plain text, never HTML-escaped
        assert "{" not in rendered.body and "%}" not in rendered.body


@pytest.mark.skipif(not TRANSLATE.exists(), reason="scripts/ is not part of an installed package")
def test_traditional_templates_are_derived_from_the_simplified_ones():
    """zh-hant follows the project's scheme (scripts/translate.py: OpenCC s2t + phrases);
    after editing a zh-hans file, regenerate its zh-hant file (see NOTIFICATIONS.md)."""
    spec = importlib.util.spec_from_file_location("translate", TRANSLATE)
    translate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(translate)
    hans_files = sorted({template_file(name, "zh-hans") for name in [*Event.values, "footer"]})
    assert len(hans_files) == len(Event.values) + 1  # every event, and the footer
    for hans in hans_files:
        hant = hans.with_name("zh-hant.txt")
        assert hant.read_text() == translate.to_hant(hans.read_text()), hant


def test_one_delivery_run_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            services.queue(
                event=Event.SUBSCRIPTION_NEWS,
                channel="email",
                address=f"fan{n}@example.org",
                language="en",
                context={
                    "problem": "Lamps",
                    "change": "50% done",
                    "page_url": "/",
                    "stop_url": "/",
                },
                occurrence="measure-event:1",
            )
    assert Outbox.objects.count() == 3 and len(callbacks) == 1
