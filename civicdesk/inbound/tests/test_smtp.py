"""A real SMTP session: aiosmtpd on a free port, smtplib as the sending server."""

import smtplib
import socket
from email.message import EmailMessage

import pytest

from civicdesk.cases.models import Case
from civicdesk.inbound.models import InboundMessage, Outcome
from civicdesk.inbound.smtp import controller
from civicdesk.inbound.tests.conftest import INTAKE, fixture
from civicdesk.intake.models import Photo, Submission
from civicdesk.notifications.models import Outbox

# Committed for real (the server stores in its own thread); the migrations' rows (channels)
# are restored after other transactional tests emptied the tables.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    yield port
    running.stop()


def test_a_mail_sent_over_smtp_becomes_a_case_and_a_reply_joins_it(server):
    with smtplib.SMTP("127.0.0.1", server, timeout=30) as client:
        client.ehlo()
        assert client.has_extn("size")
        refused = client.sendmail("wangxm@example.cn", [INTAKE], fixture("foxmail_gbk_photo.eml"))
    assert refused == {}
    case = Case.objects.get()
    assert "路灯" in case.submission.description
    assert Photo.objects.filter(submission=case.submission).count() == 1
    receipt = Outbox.objects.get(event="case_received")
    assert receipt.recipient == "wangxm@example.cn" and case.tracking_code in receipt.subject

    reply = EmailMessage()
    reply["From"], reply["To"] = "wangxm@example.cn", INTAKE
    reply["Subject"] = f"Re: {receipt.subject}"
    reply.set_content("补充：晚上十点以后完全不亮。\n\n> 您的反映已受理")
    with smtplib.SMTP("127.0.0.1", server, timeout=30) as client:
        client.send_message(reply)
    assert Case.objects.count() == 1
    assert "十点以后" in case.events.get(action="note").note


def test_the_session_refuses_strangers_robots_and_bombs_clearly(server, settings):
    with smtplib.SMTP("127.0.0.1", server, timeout=30) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail(
                "a@example.org", ["someone-else@district.example"], b"Subject: x\r\n\r\nx"
            )
        # A bounce is accepted (so the robot stops) and dropped.
        client.sendmail("", [INTAKE], fixture("dsn_bounce.eml"))
    assert InboundMessage.objects.get().outcome == Outcome.DROPPED

    settings.CIVICDESK_MAIL_MAX_ATTACHMENTS = 2
    bomb = EmailMessage()
    bomb["From"], bomb["To"], bomb["Subject"] = "a@example.org", INTAKE, "x"
    bomb.set_content("路灯")
    for number in range(3):
        bomb.add_attachment(b"%d" % number, maintype="application", subtype="pdf")
    with (
        smtplib.SMTP("127.0.0.1", server, timeout=30) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.send_message(bomb)
    assert refused.value.smtp_code == 554
    assert b"more than 2 attachments" in refused.value.smtp_error
    assert not Submission.objects.exists()
