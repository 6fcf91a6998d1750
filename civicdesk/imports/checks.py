"""Checking each row of a file and turning the good ones into messages to store.

A row is rejected, with every reason and the column it concerns, when its text is missing
or too long, its time cannot be read or lies in the future, or another mapped cell holds
something that is not what the column promises. Rows that are not messages (too short to
mean anything, below the job's minimum length) are skipped and counted, not rejected.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.imports.parsers import SourceRow
from civicdesk.public.forms import phone_validator

MAX_TEXT = 5000  # as on the public report form
MAX_AUTHOR = 80  # Submission.contact_name
MAX_ADDRESS = 300  # Submission.address
MAX_SOURCE_ID = 100  # leaves room for the source's tag in Submission.external_id (120)
# Clocks of exporting machines drift; a message a few minutes "from the future" is fine.
FUTURE_SKEW = timedelta(hours=1)
EARLIEST_YEAR = 2000


@dataclass(slots=True)
class Message:
    """A checked row, ready to become a submission."""

    number: int
    text: str
    received_at: datetime
    external_id: str
    author: str = ""
    author_id: str = ""
    source_id: str = ""
    address: str = ""
    phone: str = ""
    likes: int | None = None
    details: dict = field(default_factory=dict)


@dataclass(slots=True)
class Rejection:
    number: int
    # (column, reason) for each problem of the row.
    problems: list[tuple[str, str]]
    values: dict[str, str]


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL characters in text; nothing a person wrote contains one.
    return value.replace("\x00", "").strip()


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def source_key(name: str) -> str:
    """A source name as its identity: width, case and spaces do not make another source."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


@functools.lru_cache(maxsize=64)
def source_tag(source: str) -> str:
    """A short, stable tag of a source name, so ids of two sources never collide."""
    return hashlib.sha256(source_key(source).encode()).hexdigest()[:8]


def external_id_for(source_id: str, source: str) -> str:
    return f"imp:{source_tag(source)}:{source_id}"


def fingerprint(*, source: str, author: str, received_at: datetime | None, text: str) -> str:
    """The content hash that recognises a message without an id of its own."""
    moment = received_at.astimezone(UTC).isoformat(timespec="seconds") if received_at else ""
    raw = "\x1f".join([source_key(source), _fold(author), moment, _fold(text)])
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


# --- cells ---------------------------------------------------------------------------------

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_time(raw: str) -> datetime:
    """A moment from the ways exports write it: 2025-03-02 09:15:02, 2025/3/2 9:15,
    2025年3月2日 09:15, ISO 8601 with an offset, or Unix seconds or milliseconds. Times
    without an offset are in the district's time zone. ValueError if it is none of these."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if re.fullmatch(r"\d{10}(?:\.\d+)?|\d{13}", text):
        seconds = float(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", text)
    text = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", text)
    text = text.replace("时", ":").replace("分", "").replace("秒", "")
    match = _DATE_TIME.fullmatch(text)
    if not match:
        raise ValueError(raw)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    moment = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0").ljust(6, "0")),
    )
    if offset is None:
        return timezone.make_aware(moment, timezone.get_default_timezone())
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{moment.isoformat()}{offset[:3]}:{offset[-2:]}")


def parse_likes(raw: str) -> int:
    """A count as platforms show it: 1234, 1,234, 1.2万, 3k, 10w+."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").rstrip("+").lower()
    factor = 1
    if text.endswith(("万", "w")):
        factor, text = 10_000, text[:-1]
    elif text.endswith("k"):
        factor, text = 1_000, text[:-1]
    try:
        value = Decimal(text) * factor
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or value < 0 or value >= 10**12:
        raise ValueError(raw)
    return int(value)


def _masked(phone: str) -> bool:
    return any(mark in phone for mark in "*×xX●")


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckContext:
    """What every row of one import is checked against."""

    mapping: dict[str, str]
    source: str
    default_time: datetime
    now: datetime
    min_length: int = 0


def check_row(row: SourceRow, context: CheckContext) -> Message | Rejection | None:
    """The message of a row, the reasons it is rejected, or None when it is skipped."""
    mapping = context.mapping
    problems: list[tuple[str, str]] = []

    def cell(key: str) -> str:
        column = mapping.get(key)
        return _clean(row.values.get(column, "")) if column else ""

    text_column = mapping["text"]
    text, title = cell("text"), cell("title")
    # A title alone ("公交站台") says too little to act on: the text itself must be there.
    if text and title:
        text = f"{title}\n{text}"
    if not text:
        problems.append((text_column, _("The message text is missing.")))
    elif len(text) > MAX_TEXT:
        problems.append(
            (
                text_column,
                _("The text has %(count)d characters; at most %(max)d are accepted.")
                % {"count": len(text), "max": MAX_TEXT},
            )
        )

    received_at = context.default_time
    if mapping.get("time"):
        raw_time = cell("time")
        if not raw_time:
            problems.append((mapping["time"], _("The time is missing.")))
        else:
            try:
                received_at = parse_time(raw_time)
            except (ValueError, OverflowError, OSError):
                problems.append(
                    (
                        mapping["time"],
                        _("“%(value)s” is not a time; write it like 2025-03-02 09:15.")
                        % {"value": raw_time[:40]},
                    )
                )
            else:
                if received_at > context.now + FUTURE_SKEW:
                    problems.append((mapping["time"], _("The time is in the future.")))
                elif received_at.year < EARLIEST_YEAR:
                    problems.append(
                        (
                            mapping["time"],
                            _("The time is before %(year)d.") % {"year": EARLIEST_YEAR},
                        )
                    )

    author = cell("author")
    if len(author) > MAX_AUTHOR:
        problems.append(
            (mapping["author"], _("The author's name is longer than %(max)d characters.")
             % {"max": MAX_AUTHOR})
        )  # fmt: skip
    author_id = cell("author_id")[:MAX_SOURCE_ID]
    address = cell("address")
    if len(address) > MAX_ADDRESS:
        problems.append(
            (mapping["address"], _("The address is longer than %(max)d characters.")
             % {"max": MAX_ADDRESS})
        )  # fmt: skip
    phone = cell("phone")
    if phone and _masked(phone):
        phone = ""
    elif phone and not phone_validator.regex.match(phone):
        problems.append(
            (mapping["phone"], _("“%(value)s” is not a phone number.") % {"value": phone[:40]})
        )
    likes, raw_likes = None, cell("likes")
    if raw_likes:
        try:
            likes = parse_likes(raw_likes)
        except ValueError:
            problems.append(
                (mapping["likes"], _("“%(value)s” is not a number of likes.")
                 % {"value": raw_likes[:40]})
            )  # fmt: skip
    source_id = cell("external_id")
    if len(source_id) > MAX_SOURCE_ID:
        problems.append(
            (mapping["external_id"], _("The message number is longer than %(max)d characters.")
             % {"max": MAX_SOURCE_ID})
        )  # fmt: skip

    if problems:
        return Rejection(number=row.number, problems=problems, values=row.values)
    if len(text) < context.min_length:
        return None
    if source_id:
        external_id = external_id_for(source_id, context.source)
    else:
        external_id = fingerprint(
            source=context.source,
            author=author_id or author,
            received_at=received_at if mapping.get("time") else None,
            text=text,
        )
    return Message(
        number=row.number,
        text=text,
        received_at=received_at,
        external_id=external_id,
        author=author,
        author_id=author_id,
        source_id=source_id,
        address=address,
        phone=phone,
        likes=likes,
        details=row.details,
    )
