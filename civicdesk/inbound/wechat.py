"""The WeChat official account's message server (公众号 服务器配置), following the official
protocol: the URL check (GET with signature, timestamp, nonce and echostr), plain-text and
encrypted (安全模式, wechat_crypto) messages, and a passive reply within WeChat's 5 seconds.

- A text message is a report (or an addition to the sender's case when it names its code);
  the reply carries the tracking code. "查询 CODE" answers the case's status.
- A picture or a location joins the report the same user sent within JOIN_MINUTES, else it
  starts one. Pictures are downloaded by the worker afterwards (a network call must not hold
  up the reply).
- Forged signatures and requests older than CIVICDESK_WECHAT_MAX_AGE seconds are refused
  (403); WeChat's retries of a message (same MsgId) get the first reply again. In plain-text
  mode the signature covers the timestamp and nonce but not the message, so a signed query
  carries one message only: the same query with another message is a replay (403).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.core.photos import PhotoError, process_photo
from civicdesk.core.positions import PositionError, checked_position
from civicdesk.core.ratelimit import limit_reached, over_limit
from civicdesk.inbound import wechat_crypto
from civicdesk.inbound.models import InboundMessage, Outcome, SeenNonce, sender_key
from civicdesk.inbound.services import (
    Flooding,
    Handled,
    InboundError,
    Incoming,
    add_to_case,
    codes_in,
    count_message,
    earlier,
    record,
    take_in,
)
from civicdesk.inbound.signing import check_fresh
from civicdesk.intake.services import photos_add
from civicdesk.notifications.models import Channel as NotificationChannel
from civicdesk.notifications.models import Preference
from civicdesk.notifications.services import preference_update, site_url

logger = logging.getLogger(__name__)
CHANNEL = "wechat"
JOIN_MINUTES = 30
MAX_BODY = 64 * 1024
# "查询 CODE": a status question only when what follows looks like a code, so that a report
# starting with 查询 ("查询一下路灯什么时候修") stays a report.
_QUERY = re.compile(
    r"^\s*(查询|查詢|cx)\s*[:：]?\s*(?P<rest>[0-9A-Za-z][0-9A-Za-z\s-]{0,19})\s*$", re.IGNORECASE
)


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


# --- XML -------------------------------------------------------------------------------------


def parse_xml(body: bytes) -> dict[str, str]:
    """The fields of a WeChat XML message. Declarations (DOCTYPE, ENTITY) are refused before
    parsing: WeChat never sends them, and they are how XML bombs and external entities come."""
    if b"<!" in body.replace(b"<![CDATA[", b""):
        raise BadRequest(_("The message is not WeChat XML."))
    try:
        root = ET.fromstring(body)  # noqa: S314 (declarations refused above)
    except ET.ParseError:
        raise BadRequest(_("The message is not WeChat XML.")) from None
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str) -> str:
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


def encrypted_reply(reply: str) -> str:
    token = settings.CIVICDESK_WECHAT_TOKEN
    encrypt = wechat_crypto.encrypt(
        reply,
        encoding_aes_key=settings.CIVICDESK_WECHAT_ENCODING_AES_KEY,
        app_id=settings.CIVICDESK_WECHAT_APP_ID,
    )
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    signature = wechat_crypto.sha1_signature(token, timestamp, nonce, encrypt)
    return (
        f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(signature)}"
        f"</MsgSignature><TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    )


# --- the endpoint ----------------------------------------------------------------------------


def serve(request: HttpRequest) -> HttpResponse:
    if not settings.CIVICDESK_WECHAT_TOKEN:
        raise Http404  # the channel is off
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if request.method == "GET":
                return _url_check(request)
            return _message(request)
        except BadRequest as error:
            logger.info("WeChat request refused (%d)", error.status)
            return HttpResponse(
                error.message, status=error.status, content_type="text/plain; charset=utf-8"
            )


def _check_signature(request: HttpRequest, *extra: str, name: str = "signature") -> None:
    query = request.GET
    expected = wechat_crypto.sha1_signature(
        settings.CIVICDESK_WECHAT_TOKEN, query.get("timestamp", ""), query.get("nonce", ""), *extra
    )
    if not wechat_crypto.signature_matches(expected, query.get(name, "")):
        raise BadRequest(_("The signature does not match."), status=403)
    try:
        check_fresh(query.get("timestamp", ""), settings.CIVICDESK_WECHAT_MAX_AGE)
    except InboundError as error:
        raise BadRequest(error.message, status=403) from None


# SeenNonce channels: a signed query once, and the message it carried.
_QUERY_SEEN, _MESSAGE_SEEN = "wechat", "wechat-msg"


def _one_message_per_query(request: HttpRequest, fields: dict[str, str]) -> None:
    """Refuse a signed query (timestamp and nonce) seen before with another message; WeChat's
    own retry of the same message may bring it again. Remembered for twice the replay window,
    as SMS nonces are (signing.use_nonce)."""
    query = request.GET
    signed = f"{query.get('timestamp', '')}:{query.get('nonce', '')}"
    key = hashlib.sha256(signed.encode()).hexdigest()[:40]
    message = fields.get("MsgId") or (
        f"{fields.get('FromUserName', '')}:{fields.get('CreateTime', '')}:"
        f"{fields.get('MsgType', '')}:{fields.get('Event', '')}"
    )
    carried = f"{key}:{hashlib.sha256(message.encode()).hexdigest()[:16]}"
    now = timezone.now()
    try:
        with transaction.atomic():
            SeenNonce.objects.create(channel=_QUERY_SEEN, nonce=key, seen_at=now)
            SeenNonce.objects.create(channel=_MESSAGE_SEEN, nonce=carried, seen_at=now)
    except IntegrityError:
        if not SeenNonce.objects.filter(channel=_MESSAGE_SEEN, nonce=carried).exists():
            logger.info("WeChat request refused: a signed query replayed with another message")
            raise BadRequest(
                _("This signed request was already used for another message (replayed)."),
                status=403,
            ) from None
        return
    SeenNonce.objects.filter(
        channel__in=(_QUERY_SEEN, _MESSAGE_SEEN),
        seen_at__lt=now - timedelta(seconds=2 * settings.CIVICDESK_WECHAT_MAX_AGE),
    ).delete()


def _url_check(request: HttpRequest) -> HttpResponse:
    _check_signature(request)
    return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")


def _message(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY or len(request.body) > MAX_BODY:
        raise BadRequest(_("The message is too large."), status=413)
    outer = parse_xml(request.body)
    encrypted = request.GET.get("encrypt_type", "raw") == "aes"
    if encrypted:
        _check_signature(request, outer.get("Encrypt", ""), name="msg_signature")
        try:
            inner = wechat_crypto.decrypt(
                outer.get("Encrypt", ""),
                encoding_aes_key=settings.CIVICDESK_WECHAT_ENCODING_AES_KEY,
                app_id=settings.CIVICDESK_WECHAT_APP_ID,
            )
        except wechat_crypto.CryptoError as error:
            logger.info("WeChat message not decrypted: %s", error.code)
            raise BadRequest(_("The message cannot be decrypted."), status=403) from None
        fields = parse_xml(inner.encode())
    else:
        _check_signature(request)
        fields = outer
    _one_message_per_query(request, fields)
    content = answer(fields)
    if content is None:
        return HttpResponse("success", content_type="text/plain")
    reply = text_reply(fields.get("FromUserName", ""), fields.get("ToUserName", ""), content)
    if encrypted:
        reply = encrypted_reply(reply)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


# --- what a message says, and the reply -------------------------------------------------------


def answer(fields: dict[str, str]) -> str | None:
    """The text of the passive reply to a message (None: no reply)."""
    openid = fields.get("FromUserName", "")
    kind = fields.get("MsgType", "")
    if not openid:
        raise BadRequest(_("The message names no sender."))
    if kind == "event":
        event = fields.get("Event", "").lower()
        if event in ("subscribe", "unsubscribe"):
            following(openid, follows=event == "subscribe")
        return welcome() if event == "subscribe" else None
    if kind not in ("text", "image", "location"):
        return _("Please send text, a photo or a location; this kind of message is not taken.")
    external_id = f"msg:{fields.get('MsgId') or openid + ':' + fields.get('CreateTime', '')}"
    before = earlier(CHANNEL, external_id)
    if before is not None:
        return _reply_for(before)
    text = fields.get("Content", "")
    query = _QUERY.match(text) if kind == "text" else None
    try:
        count_message(CHANNEL, openid)
        if query is not None:
            return status_answer(openid, query.group("rest"))
        incoming = Incoming(
            channel=CHANNEL,
            external_id=external_id,
            sender=openid,
            text=text,
            received_at=timezone.now(),
            source_details={"openid": openid},
        )
        if kind == "text":
            return _reply_for(take_in(incoming))
        return _reply_for(_picture_or_place(incoming, kind, fields))
    except Flooding as flooding:
        return flooding.message
    except BadRequest:
        raise
    except InboundError as error:
        return error.message


@transaction.atomic
def following(openid: str, *, follows: bool) -> None:
    """Unfollowing the account stops every message to the user (WeChat would refuse them)
    and cancels those waiting; following it again lifts that stop."""
    if follows:
        preference = Preference.objects.filter(
            channel=NotificationChannel.WECHAT, address=openid, stop_all=True
        ).first()
    else:
        preference, _created = Preference.objects.get_or_create(
            channel=NotificationChannel.WECHAT, address=openid
        )
    if preference is not None and preference.stop_all != (not follows):
        preference_update(
            preference=preference, stop_all=not follows, kinds=preference.stopped_kinds
        )


def welcome() -> str:
    return _(
        "Thank you for following us. Send what you want to report as text, a photo or a "
        "location; we answer with a tracking code. Send “查询 CODE” to see how your report is "
        "being handled."
    )


def _reply_for(handled: Handled) -> str:
    code = handled.code
    if handled.outcome == Outcome.CASE:
        return _(
            "Your report was received. Tracking code: %(code)s. Send “查询 %(code)s” to see how "
            "it is being handled, or follow it at %(url)s"
        ) % {"code": code, "url": _status_url(code)}
    if handled.outcome == Outcome.FOLLOW_UP:
        return _("Added to your report %(code)s.") % {"code": code}
    if handled.outcome == Outcome.CONFIDENTIAL:
        if code:
            return _(
                "Your report was passed on in confidence. Keep this follow-up code, it is "
                "shown only once: %(code)s"
            ) % {"code": code}
        return _("Your report was passed on in confidence to the supervisors.")
    return _("Received.")


def _status_url(code: str) -> str:
    return site_url(reverse("public:status", args=[code]))


def status_answer(openid: str, rest: str) -> str:
    """The status of the case whose code follows 查询; misses are limited per WeChat user, as
    look-ups of codes are everywhere (CIVICDESK_LOOKUP_MISS_RATE_LIMIT)."""
    spec = settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT
    key = f"wechat:{sender_key(openid)}"
    if limit_reached(None, "lookup-miss", spec, key=key):
        return _("Too many codes that were not found; try again later.")
    codes = codes_in(rest)
    case = Case.objects.filter(tracking_code=codes[0]).first() if codes else None
    if case is None:
        over_limit(None, "lookup-miss", spec, key=key)
        return _("No report has this tracking code; check it and send “查询 CODE” again.")
    while case.status == Status.MERGED and case.merged_into_id:
        case = Case.objects.get(pk=case.merged_into_id)
    return _("Report %(code)s: %(status)s. Details: %(url)s") % {
        "code": case.tracking_code,
        "status": Status(case.status).label,
        "url": _status_url(case.tracking_code),
    }


def _recent_case(openid: str) -> Case | None:
    since = timezone.now() - timedelta(minutes=JOIN_MINUTES)
    recent = (
        InboundMessage.objects.filter(
            channel=CHANNEL,
            sender=sender_key(openid),
            outcome__in=[Outcome.CASE, Outcome.FOLLOW_UP],
            case__isnull=False,
            received_at__gte=since,
        )
        .select_related("case__submission")
        .first()
    )
    return recent.case if recent is not None and recent.case.is_open else None


def _position(fields: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    try:
        latitude = Decimal(fields.get("Location_X", "")).quantize(Decimal("0.000001"))
        longitude = Decimal(fields.get("Location_Y", "")).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise InboundError(_("The location cannot be read.")) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InboundError(_("The location cannot be read."))
    return latitude, longitude


def _picture_or_place(incoming: Incoming, kind: str, fields: dict[str, str]) -> Handled:
    """A picture or a location: added to the user's report of the last JOIN_MINUTES, else a
    report of its own. A picture is fetched by the worker once this is stored."""
    if kind == "location":
        latitude, longitude = _position(fields)
        label = fields.get("Label", "")[:300]
        incoming.text = _("Location sent by WeChat: %(place)s (%(lat)s, %(lng)s)") % {
            "place": label,
            "lat": latitude,
            "lng": longitude,
        }
    else:
        incoming.text = _("Photo sent by WeChat.")
    with transaction.atomic():
        case = _recent_case(incoming.sender)
        if case is None:
            if kind == "location":
                incoming.address = label
                if _inside(latitude, longitude):
                    incoming.latitude, incoming.longitude = latitude, longitude
            handled = take_in(incoming)
        else:
            add_to_case(incoming, case, incoming.text)
            if kind == "location" and case.submission.latitude is None:
                _place(case, label, latitude, longitude)
            record(incoming, Outcome.FOLLOW_UP, case=case)
            handled = Handled(Outcome.FOLLOW_UP, case, case.tracking_code)
        if kind == "image" and handled.case is not None:
            media_id = fields.get("MediaId", "")
            message = InboundMessage.objects.get(
                channel=CHANNEL, external_id=incoming.external_id[:200]
            )
            transaction.on_commit(lambda: _enqueue_fetch(message.pk, media_id))
    return handled


def _inside(latitude: Decimal, longitude: Decimal) -> bool:
    """Whether the point may be stored as a position (CIVICDESK_DISTRICT_BOUNDS)."""
    try:
        checked_position(latitude, longitude)
    except PositionError:
        return False
    return True


def _place(case: Case, label: str, latitude: Decimal, longitude: Decimal) -> None:
    """The position the reporter sent after their report, if it has none yet (a point outside
    the district stays in the note only)."""
    if not _inside(latitude, longitude):
        return
    submission = case.submission
    submission.latitude, submission.longitude = latitude, longitude
    if not submission.address:
        submission.address = label
    submission.save(update_fields=["latitude", "longitude", "address"])


def _enqueue_fetch(message_id: int, media_id: str) -> None:
    from civicdesk.inbound.tasks import fetch_wechat_picture

    fetch_wechat_picture.enqueue(message_id, media_id)


def fetch_picture(message_id: int, media_id: str) -> str:
    """Download the picture and add it to the report (background); says what became of it."""
    message = InboundMessage.objects.select_related("case__submission").get(pk=message_id)
    if message.case is None:
        return "no case"
    fetcher = import_string(settings.CIVICDESK_WECHAT_MEDIA_FETCHER)()
    data = fetcher.fetch(media_id)
    try:
        photo = process_photo(
            data,
            max_bytes=settings.CIVICDESK_MAX_PHOTO_BYTES,
            max_pixels=settings.CIVICDESK_MAX_PHOTO_PIXELS,
        )
    except PhotoError as error:
        logger.info("WeChat picture of message %s refused: %s", message_id, error.code)
        return error.code
    submission = message.case.submission
    if submission.photos.filter(sha256=photo.sha256).exists():
        return "already there"
    photos_add(submission=submission, photos=[photo])
    return "added"
