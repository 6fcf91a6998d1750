"""Messages carry links a citizen can tap, or wait (issue 13, item 21).

Without CIVICDESK_SITE_URL the links were paths (/track/2FSV-E3XF-RK/) and went out as such.
Now the outbox sends nothing until the address is set, says so in the log, and completes the
links of the messages that waited. `check --deploy` fails first (core/tests/test_deploy_check.py)
and the demo sets the address from its host and port (demo/tests/test_demo_process.py).
"""

import logging

import pytest

from civicdesk.notifications.delivery import absolute_links
from civicdesk.notifications.models import Outbox, Status
from civicdesk.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

SITE = "https://civicdesk.example.org"


@pytest.mark.parametrize("missing", ["", "/", "civicdesk.example.org"])
def test_nothing_is_sent_without_the_sites_address(
    assigned, answer, sent, settings, caplog, django_capture_on_commit_callbacks, missing
):
    settings.CIVICDESK_SITE_URL = missing
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        answer(assigned(contact_email="li@example.org"))

    assert sent["email"] == []
    row = Outbox.objects.get()  # queued, waiting, not even tried
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert "CIVICDESK_SITE_URL" in caplog.text and "1 message(s) wait" in caplog.text


def test_messages_that_waited_go_out_with_whole_links(
    assigned, answer, sent, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_SITE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        case = answer(assigned(contact_email="li@example.org"))
    assert sent["email"] == []

    settings.CIVICDESK_SITE_URL = SITE + "/"
    assert deliver_outbox.call() == {"sent": 1}

    [(_to, _subject, body)] = sent["email"]
    assert f"{SITE}/track/{case.tracking_code}/" in body
    assert f"{SITE}/notifications/" in body  # the unsubscribe link too
    assert "\n/" not in body and " /" not in body and "：/" not in body


def test_links_are_whole_when_the_address_is_set_at_once(
    assigned, answer, sent, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        case = answer(assigned(contact_phone="138 0013 8000"))

    [(_to, text)] = sent["sms"]
    assert f"{SITE}/track/{case.tracking_code}/" in text


def test_only_the_sites_own_paths_are_completed():
    text = (
        "3/5 done, see /etc/passwd or https://other.example.org/track/AAAA-BBBB-CC/\n"
        "状态：/track/AAAA-BBBB-CC/ and /track/AAAA-BBBB-CC/?x=1 / end\n"
        "详见/track/AAAA-BBBB-CC/。Stop: /notifications/unsubscribe/MQ:1x:q_-Z/."
    )

    assert absolute_links(text, SITE) == (
        "3/5 done, see /etc/passwd or https://other.example.org/track/AAAA-BBBB-CC/\n"
        f"状态：{SITE}/track/AAAA-BBBB-CC/ and {SITE}/track/AAAA-BBBB-CC/?x=1 / end\n"
        f"详见{SITE}/track/AAAA-BBBB-CC/。Stop: {SITE}/notifications/unsubscribe/MQ:1x:q_-Z/."
    )
