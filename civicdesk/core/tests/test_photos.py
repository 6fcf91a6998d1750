"""Photo uploads: content sniffing, limits, metadata stripping, orientation, thumbnails."""

from __future__ import annotations

import io

import pytest
from PIL import Image, TiffImagePlugin

from civicdesk.core.photos import PhotoError, ProcessedPhoto, process_photo

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 4_000_000}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def noisy(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A non-uniform image so that orientation changes are visible in pixels."""
    image = Image.new(mode, size)
    image.paste(Image.linear_gradient("L").resize(size).convert(mode))
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera App 1.0"  # Software
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (TiffImagePlugin.IFDRational(30), TiffImagePlugin.IFDRational(15), 0)
    gps[3] = "E"
    gps[4] = (TiffImagePlugin.IFDRational(120), TiffImagePlugin.IFDRational(10), 0)
    return exif


def assert_clean(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data
    assert b"http://ns.adobe.com/xap" not in data
    assert b"secret comment" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getexif()) == 0
        assert "icc_profile" not in image.info
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert "comment" not in image.info


def test_jpeg_exif_gps_xmp_comment_removed() -> None:
    exif = exif_with_gps()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://ns.adobe.com/xap"/>'
    data = encode(noisy((400, 300)), "JPEG", exif=exif, xmp=xmp, comment=b"secret comment")
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the fixture really has GPS data
    assert b"Exif" in data and b"secret comment" in data

    photo = process_photo(data, **LIMITS)
    assert isinstance(photo, ProcessedPhoto)
    assert (photo.extension, photo.content_type) == ("jpg", "image/jpeg")
    assert (photo.width, photo.height) == (400, 300)
    assert_clean(photo.content)
    assert_clean(photo.thumbnail)


def test_orientation_applied() -> None:
    # Orientation 6: stored landscape, displayed rotated 90 degrees clockwise (portrait).
    data = encode(noisy((400, 200)), "JPEG", exif=exif_with_gps(orientation=6))
    photo = process_photo(data, **LIMITS)
    assert (photo.width, photo.height) == (200, 400)
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.size == (200, 400)
        assert ORIENTATION not in image.getexif()
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.size[1] > thumb.size[0]


def test_png_stays_png_without_metadata() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret comment")
    data = encode(noisy((64, 48), "RGBA"), "PNG", pnginfo=info, exif=exif_with_gps())
    photo = process_photo(data, **LIMITS)
    assert (photo.extension, photo.content_type) == ("png", "image/png")
    assert photo.content.startswith(b"\x89PNG")
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in photo.content
    assert_clean(photo.content)
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.mode == "RGBA"


def test_palette_png_converted() -> None:
    data = encode(noisy((32, 32)).convert("P"), "PNG")
    photo = process_photo(data, **LIMITS)
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.mode == "RGB"


def test_webp_with_alpha_becomes_jpeg() -> None:
    data = encode(noisy((50, 40), "RGBA"), "WEBP", exif=exif_with_gps())
    photo = process_photo(data, **LIMITS)
    assert photo.extension == "jpg"
    assert photo.content.startswith(b"\xff\xd8")
    assert_clean(photo.content)


def test_icc_profile_dropped() -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(noisy((40, 40)), "JPEG", icc_profile=icc)
    photo = process_photo(data, **LIMITS)
    assert_clean(photo.content)


def test_cmyk_jpeg_converted_to_rgb() -> None:
    data = encode(noisy((40, 40)).convert("CMYK"), "JPEG")
    photo = process_photo(data, **LIMITS)
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.mode == "RGB"


def test_animated_webp_keeps_first_frame() -> None:
    frames = [Image.new("RGB", (30, 20), c) for c in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    photo = process_photo(buffer.getvalue(), **LIMITS)
    with Image.open(io.BytesIO(photo.content)) as image:
        r, _g, b = image.convert("RGB").getpixel((15, 10))  # type: ignore[misc]
        assert r > 200 and b < 60


def test_thumbnail_max_side() -> None:
    photo = process_photo(encode(noisy((1000, 500)), "PNG"), **LIMITS, thumb_size=100)
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (100, 50)
    small = process_photo(encode(noisy((60, 30)), "JPEG"), **LIMITS)
    with Image.open(io.BytesIO(small.thumbnail)) as thumb:
        assert thumb.size == (60, 30)  # never enlarged


def test_sha256_of_content() -> None:
    import hashlib

    photo = process_photo(encode(noisy((20, 20)), "JPEG"), **LIMITS)
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def refused(data: bytes, **overrides: int) -> PhotoError:
    with pytest.raises(PhotoError) as info:
        process_photo(data, **{**LIMITS, **overrides})
    return info.value


def test_empty() -> None:
    assert refused(b"").code == "empty"


def test_too_large() -> None:
    data = encode(noisy((100, 100)), "PNG")
    error = refused(data, max_bytes=len(data) - 1)
    assert error.code == "too_large"
    assert error.params["max_bytes"] == len(data) - 1
    assert isinstance(error, ValueError)


def test_text_file_is_not_an_image() -> None:
    # The name "photo.jpg" is irrelevant: only the bytes are looked at.
    assert refused(b"hello, this is not a photo\n" * 10).code == "not_an_image"
    assert refused(b"%PDF-1.7\n...").code == "not_an_image"


def test_gif_unsupported() -> None:
    error = refused(encode(noisy((10, 10)).convert("P"), "GIF"))
    assert error.code == "unsupported_format"
    assert error.params["format"] == "GIF"


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_other_formats_unsupported(fmt: str) -> None:
    assert refused(encode(noisy((10, 10)), fmt)).code == "unsupported_format"


def test_truncated_jpeg_corrupt() -> None:
    data = encode(noisy((300, 300)), "JPEG")
    assert refused(data[: len(data) // 2]).code == "corrupt"
    assert refused(data[:20]).code == "corrupt"


def test_corrupt_png() -> None:
    data = bytearray(encode(noisy((100, 100)), "PNG"))
    data[60:80] = b"\x00" * 20  # damage the compressed pixel data
    assert refused(bytes(data)).code == "corrupt"


def test_too_many_pixels() -> None:
    data = encode(Image.new("L", (200, 200)), "PNG")
    error = refused(data, max_pixels=200 * 200 - 1)
    assert error.code == "too_many_pixels"
    assert error.params["max_pixels"] == 200 * 200 - 1


def test_decompression_bomb_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow's own bomb check fires first when its limit is below ours.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(Image.new("L", (100, 100)), "PNG")
    assert refused(data, max_pixels=10**9).code == "too_many_pixels"
    data = encode(Image.new("L", (40, 40)), "PNG")  # between 1x and 2x: a warning in Pillow
    assert refused(data, max_pixels=10**9).code == "too_many_pixels"


def test_error_codes_are_checked() -> None:
    with pytest.raises(ValueError):
        PhotoError("nonsense")
    assert str(PhotoError("too_large", max_bytes=10)) == "too_large (max_bytes=10)"
    # params may also be given as a dict (as the Django layer does)
    assert PhotoError("too_large", {"max_bytes": 10}).params == {"max_bytes": 10}
    assert PhotoError("corrupt").params == {}
