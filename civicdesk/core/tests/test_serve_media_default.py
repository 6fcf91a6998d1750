"""CIVICDESK_SERVE_MEDIA follows the media storage unless it is set."""

import os
import subprocess
import sys

import pytest

PROBE = "import django; django.setup(); from django.conf import settings; "
PROBE += "print(settings.CIVICDESK_SERVE_MEDIA)"


def serve_media(**environment: str) -> bool:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIVICDESK_S3_", "CIVICDESK_MEDIA_STORAGE", "CIVICDESK_SERVE_MEDIA"))
    }
    env.update(DJANGO_SETTINGS_MODULE="civicdesk.settings_test", **environment)
    result = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return {"True": True, "False": False}[result.stdout.strip()]


S3 = {"CIVICDESK_MEDIA_STORAGE": "s3", "CIVICDESK_S3_BUCKET": "civic-media"}


def test_local_storage_serves_media_by_default():
    assert serve_media() is True
    assert serve_media(CIVICDESK_MEDIA_STORAGE="local") is True


def test_s3_storage_does_not_by_default():
    assert serve_media(**S3) is False
    assert serve_media(**S3, CIVICDESK_SERVE_MEDIA="") is False


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"CIVICDESK_SERVE_MEDIA": "0"}, False),
        ({"CIVICDESK_SERVE_MEDIA": "1", **S3}, True),
    ],
)
def test_an_explicit_value_wins(environment, expected):
    assert serve_media(**environment) is expected
