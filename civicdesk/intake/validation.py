"""Checks shared by every channel that takes input from outside, with translated messages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from civicdesk.core.credit_code import credit_code_error, normalize_credit_code
from civicdesk.core.photos import PhotoError, ProcessedPhoto, process_photo


def photo_error_message(error: PhotoError, label: str) -> str:
    messages = {
        "empty": _("%(photo)s is empty."),
        "too_large": _("%(photo)s is larger than %(limit)s."),
        "not_an_image": _("%(photo)s is not a picture."),
        "unsupported_format": _("%(photo)s is not a JPEG, PNG or WebP picture."),
        "corrupt": _("%(photo)s is damaged or incomplete."),
        "too_many_pixels": _("%(photo)s has too many pixels; send a smaller picture."),
    }
    template = messages.get(error.code, _("%(photo)s cannot be used."))
    return template % {"photo": label, "limit": filesizeformat(settings.CIVICDESK_MAX_PHOTO_BYTES)}


def process_uploaded_photos(files: list) -> list[ProcessedPhoto]:
    """Check each upload by its content; all problems are reported together, naming each file."""
    if len(files) > settings.CIVICDESK_MAX_PHOTOS:
        raise ValidationError(
            _("Send at most %(max)d photos; you chose %(count)d.")
            % {"max": settings.CIVICDESK_MAX_PHOTOS, "count": len(files)},
            code="too_many_photos",
        )
    processed, errors = [], []
    for index, upload in enumerate(files, start=1):
        label = _("Photo %(number)d (%(name)s)") % {"number": index, "name": upload.name}
        if upload.size > settings.CIVICDESK_MAX_PHOTO_BYTES:
            errors.append(photo_error_message(PhotoError("too_large", {}), label))
            continue
        try:
            processed.append(
                process_photo(
                    upload.read(),
                    max_bytes=settings.CIVICDESK_MAX_PHOTO_BYTES,
                    max_pixels=settings.CIVICDESK_MAX_PHOTO_PIXELS,
                )
            )
        except PhotoError as error:
            errors.append(photo_error_message(error, label))
    if errors:
        raise ValidationError(errors)
    return processed


def clean_credit_code(raw: str) -> str:
    code = normalize_credit_code(raw)
    problem = credit_code_error(code)
    if problem == "length":
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d.")
            % {"count": len(code)},
            code="credit_code_length",
        )
    if problem == "characters":
        raise ValidationError(
            _(
                "A unified social credit code uses digits and capital letters except I, O, S, V "
                "and Z."
            ),
            code="credit_code_characters",
        )
    if problem == "check_digit":
        raise ValidationError(
            _("This unified social credit code is mistyped: its last character does not match."),
            code="credit_code_check_digit",
        )
    return code
