"""Checking and cleaning photos that citizens upload.

Photos from phones carry GPS coordinates, device serial numbers and sometimes the owner's
name in their metadata; published as-is they would locate the reporter. Uploads are also an
attack surface, so the format is decided by the bytes (never the file name), only three
common formats are decoded, and decompression bombs are refused before decoding.

Every accepted photo is decoded and re-encoded from its pixels alone, which drops all
metadata (EXIF, GPS, XMP, ICC, comments) after the EXIF orientation has been applied.
Errors carry a machine-readable ``code``; the Django layer turns codes into messages.

Decoding memory is bounded, since anyone may send photos: a small file can hold a huge picture
(a 117 KB PNG of 40 megapixels decodes to 160 MB, and the steps below copied it four times).
``max_pixels`` is the most pixels a photo is decoded to. A bigger JPEG, what phones write, is
decoded by libjpeg at 1/2, 1/4 or 1/8 of its size (``draft``) and kept at that size, so the
48 and 200 megapixel modes of phone cameras cost what a 12 megapixel photo costs; a bigger PNG
or WebP, which cannot be decoded reduced, is refused before decoding. After decoding no step
holds more than two full-size copies of the pixels.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

__all__ = ["ALLOWED_FORMATS", "PhotoError", "ProcessedPhoto", "process_photo"]

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
THUMB_QUALITY = 80
# libjpeg decodes at 1/1, 1/2, 1/4 or 1/8 of the stored size.
JPEG_SCALES = (1, 2, 4, 8)
# Pillow's own decompression-bomb limit for every picture this process opens (here and in
# spreadsheets): the largest phone camera (200 megapixels) with some room. Photos are held to
# the much smaller max_pixels before decoding; this only stops a header claiming more.
LARGEST_PICTURE_PIXELS = 210_000_000
Image.MAX_IMAGE_PIXELS = LARGEST_PICTURE_PIXELS

# Magic numbers of image formats we recognise but refuse, so the user hears "unsupported
# format" rather than "not an image". These are never handed to a decoder.
_OTHER_IMAGE_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (0, b"\x00\x00\x01\x00", "ICO"),
    (0, b"8BPS", "PSD"),
    (0, b"\x00\x00\x00\x0cjP  ", "JPEG2000"),
    (0, b"\xff\x4f\xff\x51", "JPEG2000"),
    (0, b"\xff\x0a", "JPEGXL"),
    (0, b"\x00\x00\x00\x0cJXL ", "JPEGXL"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftyphevc", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypmsf1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
    (4, b"ftypavis", "AVIF"),
)
_ALLOWED_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (8, b"WEBP", "WEBP"),  # after b"RIFF" + 4-byte size
)

# What Pillow raises on broken files varies by plugin; all of these mean "corrupt".
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)


class PhotoError(ValueError):
    """An upload was refused; ``code`` says why and ``params`` gives the details."""

    CODES = frozenset(
        {"empty", "too_large", "not_an_image", "unsupported_format", "corrupt", "too_many_pixels"}
    )

    def __init__(self, code: str, params: dict[str, Any] | None = None, **extra: Any) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown photo error code {code!r}")
        merged: dict[str, Any] = {**(params or {}), **extra}
        super().__init__(code, merged)
        self.code = code
        self.params: dict[str, Any] = merged

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code} ({details})" if details else self.code


@dataclass(frozen=True)
class ProcessedPhoto:
    """A cleaned photo ready to store: re-encoded content, a JPEG thumbnail and facts."""

    content: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)
    extension: str  # "jpg" or "png"
    content_type: str  # "image/jpeg" or "image/png"
    width: int
    height: int
    sha256: str  # of ``content``, for de-duplication and integrity checks


def _sniff(data: bytes, table: tuple[tuple[int, bytes, str], ...]) -> str | None:
    for offset, magic, name in table:
        if data[offset : offset + len(magic)] == magic:
            if name == "WEBP" and not data.startswith(b"RIFF"):
                continue
            return name
    return None


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open (header only) an allowed format and check its pixel count before decoding."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("too_many_pixels", max_pixels=max_pixels) from None
        except UnidentifiedImageError:
            other = _sniff(data, _OTHER_IMAGE_MAGIC)
            if other is not None:
                raise PhotoError("unsupported_format", format=other) from None
            if _sniff(data, _ALLOWED_MAGIC) is not None:
                # Looks like an allowed format but the header cannot be parsed.
                raise PhotoError("corrupt") from None
            raise PhotoError("not_an_image") from None
        except _DECODE_ERRORS:
            raise PhotoError("corrupt") from None
    if image.format not in ALLOWED_FORMATS:  # pragma: no cover - formats= guarantees this
        raise PhotoError("unsupported_format", format=image.format)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise PhotoError("corrupt")
    if width * height > max_pixels:
        _decode_reduced(image, max_pixels)
    return image


def _decode_reduced(image: Image.Image, max_pixels: int) -> None:
    """Have a JPEG decoded at the largest scale of libjpeg whose pixels fit ``max_pixels``;
    refuse any other picture above it (PNG and WebP are always decoded whole)."""
    width, height = image.size
    refusal = PhotoError("too_many_pixels", max_pixels=max_pixels, pixels=width * height)
    if image.format != "JPEG":
        raise refusal
    for scale in JPEG_SCALES:
        reduced = (-(-width // scale), -(-height // scale))  # rounded up, as libjpeg does
        if reduced[0] * reduced[1] <= max_pixels:
            break
    else:
        raise refusal
    image.draft(image.mode, (width // scale, height // scale))
    # draft() does nothing for files it cannot scale; those would be decoded whole.
    if image.width * image.height > max_pixels:
        raise refusal


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded ICC profile to sRGB so colours survive dropping the profile."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "LA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        out_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        if image.mode == "LA":
            image = image.convert("RGBA")
        converted = ImageCms.profileToProfile(image, source, target, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile is no reason to refuse the photo
    return converted if converted is not None else image


def _flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGB (or L) image, with any transparency composited onto a white background."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, background)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def _png_mode(image: Image.Image) -> Image.Image:
    """A mode PNG stores losslessly; palettes become RGB(A), exotic modes RGB."""
    if image.mode in ("1", "L", "LA", "RGB", "RGBA", "I;16"):
        return image
    if image.mode == "P":
        has_alpha = "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode in ("PA", "RGBa", "La"):
        return image.convert("RGBA")
    return image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no info dict, no EXIF, no XMP, no ICC.

    Pasted into a blank image rather than passed through ``tobytes()``, which would hold a
    third copy of the pixels as one bytes object."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _thumbnail(clean: Image.Image, size: int) -> Image.Image:
    """A small RGB copy fitting ``size`` × ``size``, never enlarged.

    Shrunk by whole factors first (cheap, and never a full-size copy of a plain RGB or L
    photo), then resampled with Lanczos from at least twice the final size."""
    image = clean if clean.mode in ("RGB", "L", "RGBA", "LA") else clean.convert("RGB")
    factor = max(1, max(image.size) // (2 * size))
    small = image.reduce(factor) if factor > 1 else image.copy()
    small.thumbnail((size, size), Image.Resampling.LANCZOS)
    small = _flatten(small)
    return small if small.mode == "RGB" else small.convert("RGB")


def _encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def process_photo(
    data: bytes, *, max_bytes: int, max_pixels: int, thumb_size: int = 320
) -> ProcessedPhoto:
    """Validate ``data`` by content and return a metadata-free copy plus a JPEG thumbnail.

    JPEG and WEBP come out as JPEG (quality 85), PNG stays PNG. Animated images keep their
    first frame. Raises ``PhotoError`` with a ``code`` on refusal.
    """
    if not data:
        raise PhotoError("empty")
    if len(data) > max_bytes:
        raise PhotoError("too_large", max_bytes=max_bytes, size=len(data))

    image = _open(data, max_pixels)
    source_format = image.format
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # first frame of animated WEBP/PNG
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too_many_pixels", max_pixels=max_pixels) from None
    except _DECODE_ERRORS:
        raise PhotoError("corrupt", format=source_format) from None

    # Each step below replaces `image`, so that the previous full-size copy can be freed.
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (*_DECODE_ERRORS, KeyError, ZeroDivisionError, AttributeError):
        pass  # unreadable EXIF: keep the pixels as stored
    image = _to_srgb(image)

    if source_format == "PNG":
        image = _pixels_only(_png_mode(image))
        content = _encode(image, "PNG")
        extension, content_type = "png", "image/png"
    else:
        image = _pixels_only(_flatten(image))
        content = _encode(image, "JPEG", quality=JPEG_QUALITY, optimize=True)
        extension, content_type = "jpg", "image/jpeg"

    thumbnail = _encode(_thumbnail(image, thumb_size), "JPEG", quality=THUMB_QUALITY, optimize=True)

    return ProcessedPhoto(
        content=content,
        thumbnail=thumbnail,
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
