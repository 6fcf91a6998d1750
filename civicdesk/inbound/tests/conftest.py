"""Fixtures of the inbound channels: recorded messages in their real formats, the settings of
each channel, and senders that record what went out."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
INTAKE = "12345@district.example"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def _inbound_settings(settings):
    settings.CIVICDESK_MAIL_INTAKE_ADDRESSES = [INTAKE]
    settings.CIVICDESK_INBOUND_RATE_LIMIT = "20/h"
    settings.CIVICDESK_SMS_INBOUND_SECRET = "sms-shared-secret"
    settings.CIVICDESK_WECHAT_TOKEN = "civicdesk"
    settings.CIVICDESK_WECHAT_APP_ID = "wx5823bf96d3bd56c7"
    settings.CIVICDESK_WECHAT_ENCODING_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
