"""SMS intake: the SMS gateway posts each message it receives to civicdesk's webhook
(contract in civicdesk/notifications/SMS_GATEWAY.md, "Inbound messages").

- A long SMS arrives in parts (reference, index, count): the parts are kept until all came,
  then stored as one message; after CIVICDESK_SMS_PARTS_WAIT seconds what came is stored,
  marking the missing parts.
- A message with the tracking code of the sender's own case joins that case.
- "T", "TD", "退订" (or STOP) stops every message to that number: the consent is recorded as
  the number's notification preference, and anything waiting for it is cancelled.
- Each number may send CIVICDESK_INBOUND_RATE_LIMIT messages per window; more are refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.inbound.models import Outcome, SmsPart
from civicdesk.inbound.services import (
    Handled,
    InboundError,
    Incoming,
    count_message,
    earlier,
    phone_key,
    record,
    take_in,
)
from civicdesk.notifications.models import Channel as NotificationChannel
from civicdesk.notifications.models import Preference
from civicdesk.notifications.services import preference_update

CHANNEL = "sms"
STOP_WORDS = frozenset({"T", "TD", "退订", "STOP"})
MAX_PARTS = 20  # a concatenated SMS of 20 parts is over 1,300 characters
MAX_TEXT = 2000


@dataclass(frozen=True)
class InboundSms:
    gateway_id: str
    phone: str
    text: str
    reference: str = ""
    index: int = 1
    count: int = 1


def _field_error(name: str, problem: str) -> InboundError:
    return InboundError(
        _("Field “%(field)s”: %(problem)s") % {"field": name, "problem": problem}, code="field"
    )


def parse(body: bytes) -> InboundSms:
    """The message of a webhook body; raises InboundError naming the field at fault."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InboundError(_("The body is not JSON in UTF-8."), code="json") from None
    if not isinstance(data, dict):
        raise InboundError(_("The body must be a JSON object."), code="json")
    gateway_id = data.get("id")
    if not isinstance(gateway_id, str) or not 0 < len(gateway_id) <= 120:
        raise _field_error("id", _("the gateway's message id, 1 to 120 characters"))
    phone = data.get("from")
    if not isinstance(phone, str) or not 5 <= len(re.sub(r"\D", "", phone)) <= 20:
        raise _field_error("from", _("the sender's phone number"))
    if re.search(r"[^\d\s+()-]", phone):
        raise _field_error("from", _("the sender's phone number"))
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _field_error("text", _("the message text, not empty"))
    if len(text) > MAX_TEXT:
        raise _field_error("text", _("at most %(max)d characters") % {"max": MAX_TEXT})
    parts = data.get("parts")
    if parts is None:
        return InboundSms(gateway_id, phone.strip(), text)
    if not isinstance(parts, dict):
        raise _field_error("parts", _("an object with ref, index and count"))
    reference, index, count = parts.get("ref"), parts.get("index"), parts.get("count")
    if not isinstance(reference, str | int) or not str(reference).strip():
        raise _field_error("parts.ref", _("the reference shared by the parts"))
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_PARTS:
        raise _field_error(
            "parts.count", _("a whole number from 1 to %(max)d") % {"max": MAX_PARTS}
        )
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= count:
        raise _field_error("parts.index", _("a whole number from 1 to the count"))
    return InboundSms(gateway_id, phone.strip(), text, str(reference)[:40], index, count)


def is_stop(text: str) -> bool:
    return text.strip().upper() in STOP_WORDS


def stop_messages(phone: str) -> None:
    """Record that this number wants no more messages (every form it may be stored under)."""
    for address in {phone_key(phone), re.sub(r"\D", "", phone)}:
        preference, _created = Preference.objects.get_or_create(
            channel=NotificationChannel.SMS, address=address
        )
        preference_update(preference=preference, stop_all=True, kinds=[])


def handle_sms(message: InboundSms) -> Handled:
    """Take in one webhook call: a whole message, or one part of a long one."""
    before = earlier(CHANNEL, message.gateway_id)
    if before is not None:
        return before
    count_message(CHANNEL, phone_key(message.phone))
    if message.count > 1:
        return _keep_part(message)
    incoming = _incoming(message.gateway_id, message.phone, message.text)
    if is_stop(message.text):
        with transaction.atomic():
            stop_messages(message.phone)
            record(incoming, Outcome.STOPPED)
        return Handled(Outcome.STOPPED)
    return take_in(incoming)


def _incoming(external_id: str, phone: str, text: str) -> Incoming:
    return Incoming(
        channel=CHANNEL,
        external_id=external_id,
        sender=phone_key(phone),
        text=text.strip(),
        contact_phone=phone,
        received_at=timezone.now(),
    )


def _keep_part(message: InboundSms) -> Handled:
    phone = phone_key(message.phone)
    with transaction.atomic():
        try:
            with transaction.atomic():
                SmsPart.objects.create(
                    phone=phone,
                    reference=message.reference,
                    index=message.index,
                    count=message.count,
                    text=message.text,
                    gateway_id=message.gateway_id,
                )
        except IntegrityError:
            pass  # the same part again under another id: the first one stands
        record(_incoming(message.gateway_id, message.phone, ""), Outcome.WAITING)
        parts = list(
            SmsPart.objects.select_for_update().filter(phone=phone, reference=message.reference)
        )
        if len({part.index for part in parts}) < message.count:
            return Handled(Outcome.WAITING)
        return _assemble(phone, message.phone, parts)


def _assemble(phone: str, shown_phone: str, parts: list[SmsPart]) -> Handled:
    """Store the parts that came as one message (missing ones marked), and forget them."""
    by_index = {part.index: part for part in parts}
    count = max(part.count for part in parts)
    pieces = []
    for index in range(1, count + 1):
        part = by_index.get(index)
        pieces.append(
            part.text
            if part is not None
            else _("[part %(index)d of %(count)d did not arrive]")
            % {"index": index, "count": count}
        )
    first = min(parts, key=lambda part: part.received_at)
    external_id = f"parts:{phone}:{first.reference}:{first.gateway_id}"
    SmsPart.objects.filter(pk__in=[part.pk for part in parts]).delete()
    text = "".join(pieces)
    incoming = _incoming(external_id, shown_phone, text)
    if is_stop(text):
        stop_messages(shown_phone)
        record(incoming, Outcome.STOPPED)
        return Handled(Outcome.STOPPED)
    return take_in(incoming)


def assemble_overdue(now=None) -> int:
    """Store the long messages whose parts stopped coming CIVICDESK_SMS_PARTS_WAIT ago."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.CIVICDESK_SMS_PARTS_WAIT)
    groups = (
        SmsPart.objects.values("phone", "reference")
        .annotate(first=Min("received_at"))
        .filter(first__lt=cutoff)
    )
    stored = 0
    for group in groups:
        with transaction.atomic():
            parts = list(
                SmsPart.objects.select_for_update().filter(
                    phone=group["phone"], reference=group["reference"]
                )
            )
            if parts:
                _assemble(group["phone"], group["phone"], parts)
                stored += 1
    return stored


def too_large_message(limit: int) -> str:
    return _("The request is larger than %(bytes)d bytes.") % {"bytes": limit}
