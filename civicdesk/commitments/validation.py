"""Checking evidence uploads by their content: photos (re-encoded without metadata) and
PDF, DOCX or XLSX documents recognised by their bytes, never by their names."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from civicdesk.core.photos import PhotoError, process_photo
from civicdesk.intake.validation import photo_error_message

DEFAULT_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EvidenceError(ValueError):
    """The file cannot be used; the message is translated and names the field."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    extension: str
    content_type: str
    sha256: str


def max_evidence_bytes() -> int:
    return getattr(settings, "CIVICDESK_MAX_EVIDENCE_BYTES", DEFAULT_MAX_EVIDENCE_BYTES)


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _office_kind(data: bytes) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def check_evidence(data: bytes, name: str) -> CheckedFile:
    label = _("File (%(name)s)") % {"name": name}
    limit = max_evidence_bytes()
    if not data:
        raise EvidenceError(_("%(file)s is empty.") % {"file": label})
    if len(data) > limit:
        raise EvidenceError(
            _("%(file)s is larger than %(limit)s.")
            % {"file": label, "limit": filesizeformat(limit)}
        )
    if _looks_like_image(data):
        try:
            photo = process_photo(
                data,
                max_bytes=limit,
                max_pixels=settings.CIVICDESK_MAX_PHOTO_PIXELS,
            )
        except PhotoError as error:
            raise EvidenceError(photo_error_message(error, label)) from None
        return CheckedFile(photo.content, photo.extension, photo.content_type, photo.sha256)
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        return CheckedFile(data, "pdf", "application/pdf", sha)
    kind = _office_kind(data)
    if kind == "docx":
        return CheckedFile(data, "docx", _DOCX, sha)
    if kind == "xlsx":
        return CheckedFile(data, "xlsx", _XLSX, sha)
    raise EvidenceError(
        _("%(file)s is not a photo (JPEG, PNG, WebP) or a PDF, DOCX or XLSX document.")
        % {"file": label}
    )
