"""The tracking code sent back to whoever reported by a channel that cannot show it on screen.

A person who wrote an e-mail gets it by e-mail, an SMS by SMS; an opinion heard at a window, on
the phone or by a leader at a window is answered by e-mail if the person left an address, else
by SMS. WeChat users get it in the passive reply of the message itself (civicdesk.inbound), so
nothing is queued for them here; neither for the web form, the API and Open311, which show the
code in their answer, nor for imported messages, whose authors did not write to the office.
Nothing is sent without a contact and the consent to be contacted.
"""

from django.urls import reverse

from civicdesk.intake.models import ChannelGroup
from civicdesk.notifications.models import Channel, Event, Outbox
from civicdesk.notifications.services import queue, reporter_address, site_url

# Channel code: the notification channel that answers it.
REPLY_BY_CHANNEL = {"email": Channel.EMAIL, "sms": Channel.SMS}


def receipt_address(submission) -> tuple[str, str] | None:
    """Where the receipt of this submission goes, or None when it gets none."""
    if not submission.consent_contact:
        return None
    code = submission.channel.code
    if code in REPLY_BY_CHANNEL:
        channel = REPLY_BY_CHANNEL[code]
        address = submission.contact_email if channel == Channel.EMAIL else submission.contact_phone
        return (channel, address.strip()) if address.strip() else None
    if submission.channel.group == ChannelGroup.IN_PERSON:
        return reporter_address(submission)
    return None


def notify_case_received(case) -> Outbox | None:
    """Queue the receipt with the case's tracking code, once per case (in its transaction)."""
    submission = case.submission
    reached = receipt_address(submission)
    if reached is None:
        return None
    channel, address = reached
    return queue(
        event=Event.CASE_RECEIVED,
        channel=channel,
        address=address,
        language=submission.language,
        context={
            "code": case.tracking_code,
            "status_url": site_url(reverse("public:status", args=[case.tracking_code])),
        },
        occurrence=f"case:{case.pk}:received",
    )
