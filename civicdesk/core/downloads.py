"""Serving files that people uploaded, so a browser never runs or re-interprets them.

The type always comes from what our checks decided (photos are re-encoded, evidence is
typed by its bytes), never from the upload's name or from sniffing. Only checked images
are shown inline; everything else is a download. The sandboxing policy keeps even a
mis-typed file from running script in our origin if a browser ever renders it.
"""

import re
import unicodedata

from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

# Formats that civicdesk.core.photos produces; nothing else is ever shown inline.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
IMAGE_TYPES_BY_EXTENSION = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
DOWNLOAD_TYPE = "application/octet-stream"
UPLOAD_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

_UNSAFE_CHARACTERS = re.compile(r"[^\w.\- ]+")


def safe_filename(name: str, default: str = "download") -> str:
    """A file name without folders, control characters, quotes or leading dots."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARACTERS.sub("_", name).strip(" ._")[:150]
    return name or default


def upload_response(handle, *, content_type: str, filename: str) -> FileResponse:
    """Stream an uploaded file with headers that stop sniffing and inline rendering."""
    response = FileResponse(handle, content_type=content_type or DOWNLOAD_TYPE)
    return secure_upload_headers(response, content_type=content_type, filename=filename)


def secure_upload_headers(
    response: HttpResponseBase, *, content_type: str, filename: str
) -> HttpResponseBase:
    """Set the type we checked, the disposition and the anti-sniffing headers on a response
    that carries an uploaded file (a 304 keeps no body, so it only gets the policy)."""
    inline = content_type in INLINE_IMAGE_TYPES
    if response.status_code == 200:
        response["Content-Type"] = content_type or DOWNLOAD_TYPE
        response["Content-Disposition"] = content_disposition_header(
            not inline, safe_filename(filename)
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_POLICY
    return response


def image_type_for(path: str) -> str:
    """The type of a stored photo by its extension (which our checks chose), or ""."""
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return IMAGE_TYPES_BY_EXTENSION.get(extension, "")
