"""What every parser returns, and the errors that make a whole file unusable."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.triage.errors import TriageError
from civicdesk.triage.io import decode

# Characters editors and Excel leave at the start of a file that a person cannot see.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


class FileFormat(models.TextChoices):
    CSV = "csv", gettext_lazy("CSV or tab-separated text")
    XLSX = "xlsx", gettext_lazy("Excel workbook (.xlsx)")
    JSON = "json", gettext_lazy("JSON or JSON Lines")
    WECHAT = "wechat", gettext_lazy("WeChat group chat export")
    QQ = "qq", gettext_lazy("QQ group chat export")


CHAT_FORMATS = frozenset({FileFormat.WECHAT, FileFormat.QQ})


class NumberKind(models.TextChoices):
    """What the number of a row counts, so a person can find it in the file."""

    ROW = "row", gettext_lazy("Row")
    LINE = "line", gettext_lazy("Line")
    ITEM = "item", gettext_lazy("Item")


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing of it is imported. Translated message."""


@dataclass(slots=True)
class SourceRow:
    """One message as the file holds it: the text of each column, before any checking.

    `number` is where a person finds it: the spreadsheet row (the header is row 1), the line
    of a chat message's header or of a JSON Lines record, or the position in a JSON list.
    """

    number: int
    values: dict[str, str]
    # What the parser learnt besides the columns (pictures in a chat message, …).
    details: dict = field(default_factory=dict)


@dataclass
class ParsedFile:
    format: str
    columns: list[str]
    rows: list[SourceRow]
    number_kind: str = NumberKind.ROW
    # System lines and picture-only chat messages: not messages, counted but not imported.
    skipped: int = 0
    # False when the parser stopped after `limit` rows (a preview).
    complete: bool = True
    # Chat exports have fixed columns: the mapping needs no person.
    fixed_mapping: dict[str, str] | None = None
    # A name the file gives its source (a QQ export names its group).
    source_hint: str = ""


def max_rows() -> int:
    return getattr(settings, "CIVICDESK_IMPORT_MAX_ROWS", 200_000)


def check_row_count(count: int) -> None:
    if count > max_rows():
        raise ImportFileError(
            _("The file has more than %(max)d messages; split it into smaller files.")
            % {"max": max_rows()}
        )


def decode_text(content: bytes) -> str:
    """The file as text, in whichever encoding it was saved (UTF-8 with or without a BOM,
    UTF-16 as Excel's "Unicode text" writes it, GBK/GB18030), detected as triage does."""
    if not content.strip(b" \t\r\n"):
        raise ImportFileError(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _("This is a zip archive, probably an Excel workbook: choose the Excel format.")
        )
    try:
        text = decode(content, "")
    except TriageError:
        raise ImportFileError(
            _(
                "The file cannot be read as text: it is not UTF-8, UTF-16 or GBK. Is it a "
                "binary file? Save it from Excel as “CSV UTF-8” or as .xlsx."
            )
        ) from None
    if not text.strip(INVISIBLE + " \t\r\n"):
        raise ImportFileError(_("The file is empty."))
    return text
