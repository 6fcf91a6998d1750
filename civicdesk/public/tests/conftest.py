"""Helpers for the public pages' tests: form data, real photos and the media folder."""

import io
import uuid
from pathlib import Path

from django.conf import settings
from PIL import Image


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "red", exif=None) -> bytes:
    buffer = io.BytesIO()
    params = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(buffer, format="JPEG", **params)
    return buffer.getvalue()


def report_data(**fields) -> dict:
    """What the report form posts when only the description is filled in."""
    data = {
        "description": "东苑小区门口路灯不亮，晚上很黑",
        "form_token": str(uuid.uuid4()),
        "category": "",
        "address": "",
        "latitude": "",
        "longitude": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "enterprise_name": "",
        "enterprise_credit_code": "",
    }
    data.update(fields)
    return data


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def form_error_codes(response, field: str) -> set[str]:
    """The codes of one field's errors in the form the page was rendered with."""
    form = response.context["form"]
    return {error.code for error in form.errors.as_data().get(field, [])}
