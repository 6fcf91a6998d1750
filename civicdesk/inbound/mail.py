"""E-mail intake: one message (RFC 5322 bytes, as an SMTP session or an IMAP mailbox hands it
over) read into a report, an addition to the sender's case, or nothing.

- The text comes from the first text/plain part; mail with only HTML is turned into text
  (scripts, styles and markup dropped; nothing of the HTML is stored).
- Declared charsets are honoured, with GB2312/GBK read as GB18030 (Chinese mail clients label
  GBK text GB2312), and undeclared or wrong ones tried as UTF-8 then GB18030; subjects too,
  including raw 8-bit GBK headers.
- Pictures go through the photo pipeline (checked by content, metadata dropped); other files
  are not kept and the report says so.
- Auto-replies, bounces and delivery reports (Auto-Submitted, Precedence, X-Autoreply,
  multipart/report, mailer-daemon, an empty envelope sender) are recognised and dropped: they
  get no answer, so two robots cannot answer each other for ever.
- Mail bombs are refused before anything is stored: CIVICDESK_MAIL_MAX_BYTES,
  CIVICDESK_MAIL_MAX_ATTACHMENTS and CIVICDESK_MAIL_MAX_DEPTH (nesting of multiparts, walked
  without recursion).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.core.photos import PhotoError, ProcessedPhoto, process_photo
from civicdesk.inbound.models import Outcome
from civicdesk.inbound.services import (
    Handled,
    InboundError,
    Incoming,
    count_message,
    earlier,
    record,
    take_in,
)
from civicdesk.intake.validation import photo_error_message

CHANNEL = "email"
# Labels that Chinese mail clients put on text in a wider charset.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
}
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_ROBOT_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply", "x-failed-recipients")
_AUTO_REPLY_SUBJECTS = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|out of (the )?office|自动回复|自動回覆|自動回復)\s*[:：]?",
    re.IGNORECASE,
)
# Where the earlier mail quoted under a reply starts.
_QUOTE_STARTS = re.compile(
    r"^\s*(-{2,}\s*(original message|原始邮件|原始郵件|转发邮件|forwarded message)\s*-{2,}"
    r"|on .{4,200} wrote:\s*$|在.{2,200}写道[:：]\s*$|在.{2,200}寫道[:：]\s*$"
    r"|(发件人|發件人|寄件者)\s*[:：])",
    re.IGNORECASE | re.MULTILINE,
)


class MailRefused(InboundError):
    """A mail that is not taken; the SMTP session answers with ``smtp_code`` and the text."""

    def __init__(self, message: str, *, code: str, smtp_code: int = 550) -> None:
        super().__init__(message, code=code)
        self.smtp_code = smtp_code


class AutomaticMail(Exception):
    """An auto-reply, bounce or delivery report: dropped without an answer."""


@dataclass
class ReadMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    photos: list[ProcessedPhoto] = field(default_factory=list)
    files_not_kept: list[str] = field(default_factory=list)


# --- decoding ------------------------------------------------------------------------------


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part or header as text: the declared charset (widened, see above),
    else UTF-8, else GB18030; never an exception."""
    candidates = []
    if charset:
        charset = charset.strip().strip('"').lower()
        candidates.append(_CHARSET_ALIASES.get(charset, charset))
    candidates += ["utf-8", "gb18030"]
    for candidate in candidates:
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def decode_header_value(raw: str) -> str:
    """A header as text: RFC 2047 words in any charset, and raw 8-bit bytes (sent by some
    clients, read by the parser as surrogate escapes) as UTF-8 or GBK."""
    try:
        raw_bytes = raw.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return raw  # already text
    if any(byte > 0x7F for byte in raw_bytes):
        return decode_text(raw_bytes, None)
    pieces = []
    for chunk, charset in decode_header(raw):
        pieces.append(decode_text(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(pieces)).strip()


def _raw_header(message: EmailMessage, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


class _TextOfHtml(HTMLParser):
    _SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
               "blockquote", "section", "article", "ul", "ol", "hr"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: no markup, scripts or styles, blank lines folded."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def without_quote(text: str) -> str:
    """A reply's own words: quoted lines ("> …") and the quoted earlier mail left out."""
    match = _QUOTE_STARTS.search(text)
    if match:
        text = text[: match.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip()


# --- reading -------------------------------------------------------------------------------


def automatic_reason(message: EmailMessage, envelope_sender: str | None) -> str | None:
    """Why this mail was sent by a robot (and must get no answer), or None."""
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return "empty envelope sender (bounce)"
    if _raw_header(message, "return-path").strip() in {"<>", ""} and message["Return-Path"]:
        return "empty Return-Path (bounce)"
    auto_submitted = _raw_header(message, "auto-submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:40]}"
    precedence = _raw_header(message, "precedence").strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _AUTO_REPLY_HEADERS:
        if message[name] is not None:
            return f"{name} header"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    addresses = getaddresses([decode_header_value(_raw_header(message, "from"))])
    local = addresses[0][1].partition("@")[0].lower() if addresses else ""
    if local in _ROBOT_SENDERS:
        return f"sent by {local}"
    if _AUTO_REPLY_SUBJECTS.match(decode_header_value(_raw_header(message, "subject"))):
        return "auto-reply subject"
    return None


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    """Every non-multipart part, walked without recursion; refuses a mail nested too deep."""
    max_depth = settings.CIVICDESK_MAIL_MAX_DEPTH
    leaves, stack = [], [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > max_depth:
            raise MailRefused(
                _("The mail is nested more than %(max)d levels deep; send it as a plain mail.")
                % {"max": max_depth},
                code="too_deep",
                smtp_code=554,
            )
        if part.is_multipart():
            children = part.get_payload()
            stack.extend((child, depth + 1) for child in reversed(children))
        else:
            leaves.append(part)
    return leaves


def _is_body(part: EmailMessage) -> bool:
    return part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment"


def _file_name(part: EmailMessage, number: int) -> str:
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return _("attachment %(number)d") % {"number": number}
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        raw = raw[2].encode("latin-1", "replace").decode(raw[0] or "utf-8", "replace")
    return decode_header_value(str(raw))[:100]


def read_mail(raw: bytes, *, envelope_sender: str | None = None) -> ReadMail:
    """Read one mail; raises AutomaticMail for robots and MailRefused for what is not taken."""
    max_bytes = settings.CIVICDESK_MAIL_MAX_BYTES
    if len(raw) > max_bytes:
        raise MailRefused(
            _("The mail is larger than %(limit)s; send fewer or smaller photos.")
            % {"limit": filesizeformat(max_bytes)},
            code="too_large",
            smtp_code=552,
        )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    reason = automatic_reason(message, envelope_sender)
    if reason is not None:
        raise AutomaticMail(reason)
    leaves = _leaves(message)
    bodies = [part for part in leaves if _is_body(part)]
    attachments = [part for part in leaves if not _is_body(part)]
    max_attachments = settings.CIVICDESK_MAIL_MAX_ATTACHMENTS
    # Text parts beyond a plain and an HTML body are files too (a mail of ten thousand text
    # parts is as much a bomb as one of ten thousand pictures).
    if len(attachments) + max(0, len(bodies) - 2) > max_attachments:
        raise MailRefused(
            _("The mail has more than %(max)d attachments; send at most %(max)d.")
            % {"max": max_attachments},
            code="too_many_attachments",
            smtp_code=554,
        )
    sender_name, sender = _sender(message)
    if not sender:
        raise MailRefused(_("The mail has no sender address."), code="no_sender")
    text = _body_text(bodies)
    photos, not_kept = [], []
    for number, part in enumerate(attachments, start=1):
        name = _file_name(part, number)
        if part.get_content_maintype() != "image":
            not_kept.append(name)
            continue
        if len(photos) >= settings.CIVICDESK_MAX_PHOTOS:
            raise MailRefused(
                _("Send at most %(max)d photos; you chose %(count)d.")
                % {
                    "max": settings.CIVICDESK_MAX_PHOTOS,
                    "count": sum(1 for p in attachments if p.get_content_maintype() == "image"),
                },
                code="too_many_photos",
            )
        try:
            photos.append(
                process_photo(
                    part.get_payload(decode=True) or b"",
                    max_bytes=settings.CIVICDESK_MAX_PHOTO_BYTES,
                    max_pixels=settings.CIVICDESK_MAX_PHOTO_PIXELS,
                )
            )
        except PhotoError as error:
            raise MailRefused(photo_error_message(error, name), code="photo") from None
    subject = decode_header_value(_raw_header(message, "subject"))[:300]
    if not text.strip() and not subject and not photos:
        raise MailRefused(_("The mail is empty: write what you want to report."), code="empty")
    return ReadMail(
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        text=text,
        photos=photos,
        files_not_kept=not_kept,
    )


def _sender(message: EmailMessage) -> tuple[str, str]:
    raw = decode_header_value(_raw_header(message, "reply-to") or _raw_header(message, "from"))
    addresses = [(name, address) for name, address in getaddresses([raw]) if "@" in address]
    if not addresses:
        return "", ""
    name, address = addresses[0]
    return name.strip()[:80], address.strip()[:254]


def _body_text(bodies: list[EmailMessage]) -> str:
    plain = [part for part in bodies if part.get_content_subtype() == "plain"]
    html = [part for part in bodies if part.get_content_subtype() == "html"]
    for part in plain:
        return _part_text(part).strip()
    for part in html:
        return html_to_text(_part_text(part))
    return ""


def _part_text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    return decode_text(payload, part.get_content_charset()).replace("\r\n", "\n")


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = _raw_header(message, "message-id").strip()
    if found:
        return "mid:" + found[:190]
    # Without a Message-ID, the same bytes are the same mail (an SMTP retry).
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# --- taking it in ----------------------------------------------------------------------------


def handle_mail(raw: bytes, *, envelope_sender: str | None = None) -> Handled:
    """Read, check and store one mail (all or nothing). Robots' mail is recorded as dropped;
    a refused mail is recorded and raises MailRefused, so that its sender hears why."""
    headers = BytesParser(policy=policy.default).parsebytes(raw[:65536], headersonly=True)
    message_id = _message_id(headers, raw)
    before = earlier(CHANNEL, message_id)
    if before is not None:
        return before
    try:
        mail = read_mail(raw, envelope_sender=envelope_sender)
    except AutomaticMail as automatic:
        record(Incoming(CHANNEL, message_id, "", ""), Outcome.DROPPED, note=str(automatic))
        return Handled(Outcome.DROPPED)
    except MailRefused as refused:
        record(Incoming(CHANNEL, message_id, "", ""), Outcome.REFUSED, note=refused.code)
        raise
    count_message(CHANNEL, mail.sender)
    text = mail.text
    if mail.files_not_kept:
        note = _("Files sent with the mail and not kept (only pictures are): %(names)s")
        text += "\n\n" + note % {"names": ", ".join(mail.files_not_kept)}
    incoming = Incoming(
        channel=CHANNEL,
        external_id=message_id,
        sender=mail.sender,
        text=text.strip(),
        subject=mail.subject,
        contact_name=mail.sender_name,
        contact_email=mail.sender,
        photos=mail.photos,
        received_at=timezone.now(),
        source_details={"subject": mail.subject} if mail.subject else {},
    )
    # Kept instead of the whole text if the mail turns out to add to the sender's case.
    return take_in(incoming, follow_up_text=without_quote(text) or text)
