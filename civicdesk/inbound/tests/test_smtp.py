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

    # A flood from one address: a temporary refusal, so a real sender's server tries later.
    settings.CIVICDESK_INBOUND_RATE_LIMIT = "1/h"
    with smtplib.SMTP("127.0.0.1", server, timeout=30) as client:
        client.sendmail(
            "b@example.org", [INTAKE], b"From: b@example.org\r\nSubject: 1\r\n\r\nlamp one"
        )
        with pytest.raises(smtplib.SMTPDataError) as flooded:
            client.sendmail(
                "b@example.org", [INTAKE], b"From: b@example.org\r\nSubject: 2\r\n\r\nlamp two"
            )
    assert flooded.value.smtp_code == 450 and b"Too many messages" in flooded.value.smtp_error
    assert Submission.objects.count() == 1


def throwaway_certificate(directory) -> tuple[str, str, bytes]:
    """A self-signed certificate for localhost and its key, as PEM files; and its DER."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtpd.crt", directory / "smtpd.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path), certificate.public_bytes(serialization.Encoding.DER)


def test_starttls_upgrades_the_session_when_a_certificate_is_configured(settings, tmp_path):
    import ssl

    cert, key, der = throwaway_certificate(tmp_path)
    settings.CIVICDESK_SMTPD_TLS_CERT, settings.CIVICDESK_SMTPD_TLS_KEY = cert, key
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    try:
        trusting = ssl.create_default_context(cafile=cert)  # verifies our own certificate
        with smtplib.SMTP("localhost", port, timeout=30) as client:
            client.ehlo()
            assert client.has_extn("starttls")
            code, _message = client.starttls(context=trusting)
            assert code == 220
            assert client.sock.getpeercert(binary_form=True) == der
            assert client.sock.version() in ("TLSv1.2", "TLSv1.3")
            client.ehlo()
            assert not client.has_extn("starttls")  # already upgraded
            refused = client.sendmail("wangxm@example.cn", [INTAKE], fixture("html_only.eml"))
        assert refused == {}
        assert Case.objects.count() == 1
    finally:
        running.stop()


def test_no_starttls_without_a_certificate(server):
    with smtplib.SMTP("127.0.0.1", server, timeout=30) as client:
        client.ehlo()
        assert not client.has_extn("starttls")


def test_starttls_can_be_required(settings, tmp_path):
    cert, key, _der = throwaway_certificate(tmp_path)
    settings.CIVICDESK_SMTPD_TLS_CERT, settings.CIVICDESK_SMTPD_TLS_KEY = cert, key
    settings.CIVICDESK_SMTPD_REQUIRE_STARTTLS = True
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPSenderRefused) as refused,
        ):
            client.sendmail("wangxm@example.cn", [INTAKE], fixture("html_only.eml"))
        assert refused.value.smtp_code == 530
    finally:
        running.stop()
    assert not Submission.objects.exists()
