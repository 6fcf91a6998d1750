"""Filing a request that came through an Open311 client: a submission with its case, or a
confidential report where the request is an allegation of misconduct (intake.routing)."""

from django.utils.translation import gettext as _

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.models import Category
from civicdesk.core.templatetags.civic import local_name
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, Received, receive

CHANNEL = "open311"


class RequestRefused(Exception):
    """The request cannot be filed now; the message is translated."""


def service_request_create(
    *,
    client: ApiToken,
    category: Category,
    description: str,
    address: str,
    address_id: str,
    latitude,
    longitude,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    device_id: str,
    account_id: str,
    media_url: str,
    language: str,
    idempotency_key: str = "",
) -> Received:
    """Take the request in through the Open311 channel (intake.services.receive).

    The reporter is a person using the client's app, not the key's staff member, so nothing
    is recorded as taken down by staff; ``source_details`` names the client instead. The
    media_url is kept as a link for staff and never fetched (no outside requests).
    """
    channel = Channel.objects.filter(code=CHANNEL, is_active=True).first()
    if channel is None:
        raise RequestRefused(_("This site does not take requests through Open311 at present."))
    source_details = {
        "via": "open311",
        "client": client.name,
        "api_key_prefix": client.prefix,
        "api_key_user": client.user.get_username(),
    }
    extra = {
        "address_id": address_id,
        "device_id": device_id,
        "account_id": account_id,
        "media_url": media_url,
    }
    source_details.update({key: value for key, value in extra.items() if value})
    if not address and address_id:
        address = _("Address ID %(id)s") % {"id": address_id}
    data = NewSubmission(
        channel=channel,
        # The spec makes the description optional; the service then says what the report is.
        description=description or local_name(category),
        category=category,
        address=address,
        latitude=latitude,
        longitude=longitude,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=language,
        source_details=source_details,
    )
    scoped_key = f"open311:{client.pk}:{idempotency_key}" if idempotency_key else ""
    return receive(data=data, idempotency_key=scoped_key)
