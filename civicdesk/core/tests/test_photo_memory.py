"""Photos cost bounded memory however many pixels their small files claim (issue 13, item 14).

A 117 KB PNG of 40 megapixels cost 600 MB to check, and anyone may send six per report. The
peak memory of one check is measured in a fresh process (``ru_maxrss`` counts Pillow's pixel
buffers, which tracemalloc does not see), with the pixel budget the settings ship with.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from civicdesk.core import photos
from civicdesk.core.photos import PhotoError, process_photo
from civicdesk.intake.models import Submission

MB = 1024 * 1024
# Slack for the interpreter's own growth while it checks one photo (allocator arenas, the
# encoders' buffers); the pixels themselves are bounded below.
SLACK = 24 * MB

_MEASURE = """
import json, resource, sys
from civicdesk.core.photos import PhotoError, process_photo
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photo = process_photo(data, max_bytes=len(data), max_pixels=int(sys.argv[2]))
    result = [photo.width, photo.height]
except PhotoError as error:
    result = error.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"result": result, "peak": (after - before) * 1024}))
"""

_MAKE_JPEG = """
import sys
from PIL import Image
width, height = int(sys.argv[2]), int(sys.argv[3])
Image.linear_gradient("L").resize((width, height)).convert("RGB").save(sys.argv[1], quality=80)
"""


def plain_png(width: int, height: int, *, alpha: bool = False) -> bytes:
    """A PNG of one colour, written row by row: tiny on disk, huge once decoded, and made
    without ever holding its pixels (Pillow would need the whole picture in memory)."""
    bands, colour_type = (4, 6) if alpha else (3, 2)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    compressor = zlib.compressobj(9)
    row = bytes(1 + width * bands)  # filter byte 0, then black pixels
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def peak_of_check(path: Path, max_pixels: int) -> dict:
    """Check the photo in a fresh interpreter; its result and the memory the check took."""
    completed = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", _MEASURE, str(path), str(max_pixels)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def phone_jpeg(tmp_path_factory) -> Path:
    """A 48-megapixel photo (8000 × 6000), as the high-resolution mode of phones writes."""
    path = tmp_path_factory.mktemp("photos") / "phone-48mp.jpg"
    subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", _MAKE_JPEG, str(path), "8000", "6000"], check=True, timeout=120
    )
    return path


def test_a_small_png_of_forty_megapixels_is_refused_before_decoding(settings, tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(plain_png(8000, 5000))
    assert path.stat().st_size < 200_000

    measured = peak_of_check(path, settings.CIVICDESK_MAX_PHOTO_PIXELS)

    assert measured["result"] == "too_many_pixels"
    assert measured["peak"] < SLACK, f"{measured['peak'] / MB:.0f} MB"


def test_a_png_at_the_pixel_budget_holds_at_most_two_copies(settings, tmp_path):
    side = int(settings.CIVICDESK_MAX_PHOTO_PIXELS**0.5)
    path = tmp_path / "budget.png"
    path.write_bytes(plain_png(side, side, alpha=True))

    measured = peak_of_check(path, settings.CIVICDESK_MAX_PHOTO_PIXELS)

    assert measured["result"] == [side, side]
    decoded = side * side * 4  # RGBA, one byte a band
    assert measured["peak"] < 2 * decoded + SLACK, f"{measured['peak'] / MB:.0f} MB"


def test_a_48_megapixel_phone_jpeg_is_decoded_reduced(settings, phone_jpeg):
    measured = peak_of_check(phone_jpeg, settings.CIVICDESK_MAX_PHOTO_PIXELS)

    width, height = measured["result"]
    assert (width, height) == (4000, 3000)  # decoded at half size: 12 megapixels
    assert width * height <= settings.CIVICDESK_MAX_PHOTO_PIXELS
    decoded = width * height * 4  # Pillow keeps RGB as four bytes a pixel
    assert measured["peak"] < 2 * decoded + SLACK, f"{measured['peak'] / MB:.0f} MB"


def test_the_budget_suits_phone_photos(settings):
    # 12 megapixels (4032 × 3024) is what phones take by default; it is kept whole.
    assert 4032 * 3024 <= settings.CIVICDESK_MAX_PHOTO_PIXELS <= 24_000_000


def jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "stored"),
    [
        ((400, 300), (400, 300)),  # within the budget: whole
        ((401, 300), (201, 150)),  # just above: half, rounded up
        ((1000, 600), (250, 150)),  # a half is still too big: a quarter
        ((1600, 1200), (400, 300)),
        ((3200, 2400), (400, 300)),  # an eighth, the smallest libjpeg decodes to
    ],
)
def test_a_jpeg_above_the_budget_is_decoded_at_the_largest_scale_that_fits(size, stored):
    photo = process_photo(jpeg(size), max_bytes=10**7, max_pixels=400 * 300)

    assert (photo.width, photo.height) == stored
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.size == stored


def test_a_jpeg_too_big_even_at_an_eighth_is_refused():
    with pytest.raises(PhotoError) as refused:
        process_photo(jpeg((1000, 1000)), max_bytes=10**7, max_pixels=(1000 // 8) ** 2 - 1)
    assert refused.value.code == "too_many_pixels"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_pictures_that_cannot_be_decoded_reduced_are_refused_above_the_budget(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (401, 300)).save(buffer, fmt)

    with pytest.raises(PhotoError) as refused:
        process_photo(buffer.getvalue(), max_bytes=10**7, max_pixels=400 * 300)
    assert refused.value.code == "too_many_pixels"


def test_pillow_refuses_headers_beyond_the_largest_phone_camera():
    assert Image.MAX_IMAGE_PIXELS == photos.LARGEST_PICTURE_PIXELS
    assert 16320 * 12240 < photos.LARGEST_PICTURE_PIXELS < 300_000_000


@pytest.mark.django_db
def test_an_anonymous_report_with_a_huge_png_gets_a_translated_refusal(settings):
    upload = SimpleUploadedFile("bomb.png", plain_png(8000, 5000), content_type="image/png")

    response = Client().post(
        "/api/v1/submissions/multipart",
        {"description": "井盖缺失", "photos": [upload]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 422, response.content
    message = response.json()["detail"][0]["msg"]
    assert "bomb.png" in message and "像素" in message, message
    assert Submission.objects.count() == 0
