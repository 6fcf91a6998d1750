"""What every inbound channel does with a message once it has read it: a new report through
``intake.services.receive``, an addition to the sender's own case when the message names its
tracking code, or nothing more when the same message came before.

A tracking code joins a message to a case only when the message comes from the person who
reported it (the same e-mail address, phone number or WeChat user): a code seen elsewhere, in
a forwarded mail or a message from someone else, must not let a stranger write into the case;
such a message becomes a new report (staff may merge it).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import REPORTER, Action, Status
from civicdesk.core.photos import ProcessedPhoto
from civicdesk.core.ratelimit import over_limit, seconds_left
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.inbound.models import InboundMessage, Outcome, sender_key
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, photos_add, receive

logger = logging.getLogger(__name__)

# Codes as reporters write them: with or without dashes, any case, inside other text.
_CODE = re.compile(
    r"(?<![0-9A-Za-z])([2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}[-\s]?"
    r"[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}[-\s]?[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{2})(?![0-9A-Za-z])"
)


class InboundError(Exception):
    """A message refused for a reason the sender should hear; the message is translated."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Flooding(InboundError):
    """One sender sent more than CIVICDESK_INBOUND_RATE_LIMIT allows."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many messages from this sender; try again in %(minutes)d minutes.")
            % {"minutes": max(1, -(-retry_after // 60))},
            code="flood",
        )
        self.retry_after = retry_after


@dataclass
class Incoming:
    """A message as a channel read it, before anything is stored."""

    channel: str  # intake channel code: "email", "sms", "wechat"
    external_id: str
    sender: str  # the address the reply goes to: e-mail, phone number, WeChat openid
    text: str
    subject: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    photos: list[ProcessedPhoto] = field(default_factory=list)
    received_at: datetime | None = None
    language: str = ""
    source_details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Handled:
    outcome: str
    case: Case | None = None
    # The code to tell the sender: a case's tracking code, or the follow-up code of a new
    # confidential report of black intermediaries (shown once).
    code: str = ""
    repeated: bool = False  # the same message came before; nothing new was stored


def codes_in(*texts: str) -> list[str]:
    """Valid tracking codes written in these texts, in order, without repeats."""
    found: list[str] = []
    for text in texts:
        for match in _CODE.finditer(text or ""):
            code = normalize_tracking_code(match.group(1))
            if code and code not in found:
                found.append(code)
    return found


def _same_person(channel: str, sender: str, case: Case) -> bool:
    submission = case.submission
    if channel == "email":
        return bool(sender) and submission.contact_email.strip().lower() == sender.lower()
    if channel == "sms":
        return bool(sender) and phone_key(submission.contact_phone) == phone_key(sender)
    if channel == "wechat":
        return bool(sender) and submission.source_details.get("openid") == sender
    return False


def phone_key(phone: str) -> str:
    """A phone number's identity: its digits, without a +86 / 0086 country prefix."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def reporters_case(channel: str, sender: str, *texts: str) -> Case | None:
    """The case a code in these texts names, if the sender is its reporter; a merged case
    leads to the case it was merged into."""
    for code in codes_in(*texts):
        case = Case.objects.select_related("submission").filter(tracking_code=code).first()
        if case is None or not _same_person(channel, sender, case):
            continue
        while case.status == Status.MERGED and case.merged_into_id:
            case = Case.objects.select_related("submission").get(pk=case.merged_into_id)
        return case
    return None


def count_message(channel: str, sender: str) -> None:
    """Count one message of the sender; raises Flooding past CIVICDESK_INBOUND_RATE_LIMIT."""
    spec = settings.CIVICDESK_INBOUND_RATE_LIMIT
    if over_limit(None, "inbound", spec, key=f"{channel}:{sender_key(sender)}"):
        raise Flooding(seconds_left(spec))


def earlier(channel: str, external_id: str) -> Handled | None:
    """What became of this message when it came before, if it did."""
    if not external_id:
        return None
    record = (
        InboundMessage.objects.filter(channel=channel, external_id=external_id)
        .select_related("case")
        .first()
    )
    if record is None:
        return None
    code = record.case.tracking_code if record.case is not None else ""
    return Handled(record.outcome, record.case, code, repeated=True)


def record(
    incoming: Incoming, outcome: str, *, case: Case | None = None, note: str = ""
) -> InboundMessage | None:
    """Remember a message and what became of it (once per channel and message id)."""
    if not incoming.external_id:
        return None
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                channel=incoming.channel,
                external_id=incoming.external_id[:200],
                sender=sender_key(incoming.sender),
                outcome=outcome,
                case=case,
                note=note[:300],
                received_at=incoming.received_at or timezone.now(),
            )
    except IntegrityError:  # the same message, handled meanwhile by a concurrent request
        return None


def add_to_case(incoming: Incoming, case: Case, text: str) -> CaseEvent:
    """The reporter's own addition on the case's timeline (internal, like any reporter note),
    with the photos they sent added to the report's photos."""
    if incoming.photos:
        photos_add(submission=case.submission, photos=incoming.photos)
    data = {"channel": incoming.channel, "from_reporter": True}
    if incoming.photos:
        data["photos"] = len(incoming.photos)
    note = text.strip() or _("(no text)")
    return CaseEvent.objects.create(
        case=case,
        action=Action.NOTE,
        actor_kind=REPORTER,
        unit=case.unit,
        note=_("Added by the reporter by %(channel)s: %(text)s")
        % {"channel": channel_name(incoming.channel), "text": note},
        data=data,
    )


def channel_name(code: str) -> str:
    names = {"email": _("e-mail"), "sms": _("SMS"), "wechat": _("WeChat")}
    return str(names.get(code, code))


def take_in(incoming: Incoming, *, follow_up_text: str | None = None) -> Handled:
    """Store the message: an addition to the sender's case when it names its code, else a new
    report. All or nothing, and a message seen before stores nothing again.

    ``follow_up_text`` is the text kept for an addition (e.g. a reply without the quoted
    earlier mail); the whole text otherwise."""
    before = earlier(incoming.channel, incoming.external_id)
    if before is not None:
        return before
    with transaction.atomic():
        case = reporters_case(incoming.channel, incoming.sender, incoming.subject, incoming.text)
        if case is not None:
            text = incoming.text if follow_up_text is None else follow_up_text
            add_to_case(incoming, case, text)
            record(incoming, Outcome.FOLLOW_UP, case=case)
            return Handled(Outcome.FOLLOW_UP, case, case.tracking_code)
        received = receive(data=_new_submission(incoming))
        if received.is_confidential:
            # A confidential report has no tracking code, and its record names no case.
            record(incoming, Outcome.CONFIDENTIAL)
            return Handled(
                Outcome.CONFIDENTIAL, None, received.followup_code or "", not received.created
            )
        case = received.case
        record(incoming, Outcome.CASE, case=case)
    return Handled(Outcome.CASE, case, case.tracking_code, repeated=not received.created)


def _new_submission(incoming: Incoming) -> NewSubmission:
    description = incoming.text.strip()
    subject = incoming.subject.strip()
    if subject and subject not in description:
        description = f"{subject}\n\n{description}" if description else subject
    return NewSubmission(
        channel=Channel.objects.get(code=incoming.channel),
        description=description,
        address=incoming.address[:300],
        latitude=incoming.latitude,
        longitude=incoming.longitude,
        contact_name=incoming.contact_name[:80],
        contact_phone=incoming.contact_phone[:40],
        contact_email=incoming.contact_email[:254],
        # They wrote to the office and expect an answer where they wrote from.
        consent_contact=True,
        language=incoming.language,
        source_details=incoming.source_details,
        external_id=_submission_id(incoming.external_id),
        received_at=incoming.received_at,
        photos=incoming.photos,
    )


def _submission_id(external_id: str) -> str:
    # Submission.external_id holds 120 characters; Message-IDs may be longer.
    if len(external_id) <= 120:
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()
