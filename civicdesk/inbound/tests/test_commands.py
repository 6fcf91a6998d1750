"""The commands and the picture download, without a network."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from civicdesk.inbound import wechat_media


def test_smtpd_refuses_to_start_without_an_intake_address(settings):
    settings.CIVICDESK_MAIL_INTAKE_ADDRESSES = []
    with pytest.raises(CommandError, match="CIVICDESK_MAIL_INTAKE_ADDRESSES"):
        call_command("smtpd", "--port", "0")


def test_imap_poll_needs_a_mailbox(settings):
    settings.CIVICDESK_IMAP_URL = ""
    with pytest.raises(CommandError, match="CIVICDESK_IMAP_URL"):
        call_command("imap_poll")
    with pytest.raises(CommandError, match="imaps://"):
        call_command("imap_poll", "--url", "ftp://nobody@example.org/")


class _Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def test_the_picture_download_uses_one_cached_token(monkeypatch, settings):
    settings.CIVICDESK_WECHAT_APP_ID, settings.CIVICDESK_WECHAT_APP_SECRET = "wxapp", "secret"
    asked: list[str] = []

    def urlopen(url, timeout):
        asked.append(url.split("?")[0].rsplit("/", 1)[-1])
        if "/token?" in url:
            return _Answer(json.dumps({"access_token": "T0K", "expires_in": 7200}).encode())
        assert "access_token=T0K" in url and "media_id=M1" in url
        return _Answer(b"\xff\xd8\xff picture")

    monkeypatch.setattr(wechat_media.urllib.request, "urlopen", urlopen)
    fetcher = wechat_media.WeChatMediaFetcher()
    assert fetcher.fetch("M1") == b"\xff\xd8\xff picture"
    assert fetcher.fetch("M1") == b"\xff\xd8\xff picture"
    assert asked == ["token", "get", "get"]


def test_an_error_answer_is_not_taken_for_a_picture(monkeypatch, settings):
    def urlopen(url, timeout):
        if "/token?" in url:
            return _Answer(b'{"access_token": "T0K", "expires_in": 7200}')
        return _Answer(b'{"errcode": 40007, "errmsg": "invalid media_id"}')

    monkeypatch.setattr(wechat_media.urllib.request, "urlopen", urlopen)
    with pytest.raises(wechat_media.MediaError, match="40007"):
        wechat_media.WeChatMediaFetcher().fetch("bad")


def test_smtpd_names_the_missing_half_of_its_certificate(settings, tmp_path):
    settings.CIVICDESK_SMTPD_TLS_CERT, settings.CIVICDESK_SMTPD_TLS_KEY = "/etc/smtpd.crt", ""
    with pytest.raises(CommandError, match="CIVICDESK_SMTPD_TLS_KEY is not set"):
        call_command("smtpd", "--port", "0")
    (tmp_path / "broken.pem").write_text("not a certificate")
    settings.CIVICDESK_SMTPD_TLS_CERT = settings.CIVICDESK_SMTPD_TLS_KEY = str(
        tmp_path / "broken.pem"
    )
    with pytest.raises(CommandError, match="CIVICDESK_SMTPD_TLS_CERT / CIVICDESK_SMTPD_TLS_KEY"):
        call_command("smtpd", "--port", "0")
    settings.CIVICDESK_SMTPD_TLS_CERT = settings.CIVICDESK_SMTPD_TLS_KEY = ""
    settings.CIVICDESK_SMTPD_REQUIRE_STARTTLS = True
    with pytest.raises(CommandError, match="CIVICDESK_SMTPD_REQUIRE_STARTTLS needs"):
        call_command("smtpd", "--port", "0")
