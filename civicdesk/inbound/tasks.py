"""Background work of the inbound channels, run by `civicdesk worker`."""

import logging

from django.conf import settings
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def poll_imap_mailbox() -> dict:
    """Read the IMAP mailbox once, when CIVICDESK_IMAP_URL is set (scheduled)."""
    if not settings.CIVICDESK_IMAP_URL:
        return {}
    from civicdesk.inbound.imap import poll

    return poll().counts


@task()
def assemble_waiting_sms() -> int:
    """Store long SMS whose missing parts did not come within CIVICDESK_SMS_PARTS_WAIT."""
    from civicdesk.inbound.sms import assemble_overdue

    return assemble_overdue()


@task()
def fetch_wechat_picture(message_id: int, media_id: str) -> str:
    """Download a picture a WeChat user sent and add it to their report (network: not in the
    5 seconds WeChat waits for the reply)."""
    from civicdesk.inbound.wechat import fetch_picture

    return fetch_picture(message_id, media_id)
