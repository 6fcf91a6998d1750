"""CIVICDESK_MEDIA_STORAGE=s3 puts uploads in a private S3-compatible bucket."""

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
from civicdesk.backups.archive import folders
storage = storages["default"]
print(json.dumps({
    "class": type(storage).__name__,
    "url": storage.url("intake/p.jpg"),
    "backed_up": sorted(folders()),
}))
"""


def probe(**environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIVICDESK_S3_", "CIVICDESK_MEDIA_STORAGE", "AWS_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="civicdesk.settings_test", **environment)
    return subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )


def test_s3_media_storage_signs_links_to_the_private_bucket():
    pytest.importorskip("storages.backends.s3", reason="the s3 extra is not installed")
    result = probe(
        CIVICDESK_MEDIA_STORAGE="s3",
        CIVICDESK_S3_BUCKET="civic-media",
        CIVICDESK_S3_ENDPOINT_URL="https://objects.example.org",
        CIVICDESK_S3_REGION="cn-east-1",
        CIVICDESK_S3_ACCESS_KEY_ID="AKEXAMPLE",
        CIVICDESK_S3_SECRET_ACCESS_KEY="secret-example",
        CIVICDESK_S3_ADDRESSING_STYLE="path",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["class"] == "S3Storage"
    assert found["url"].startswith("https://objects.example.org/civic-media/intake/p.jpg?")
    assert "Signature" in found["url"] and "Expires" in found["url"]
    # The bucket is not a local folder: backups leave it to the object store's versioning.
    assert found["backed_up"] == ["imports", "models"]


def test_local_media_is_the_default():
    result = probe()
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["class"] == "FileSystemStorage"
    assert found["backed_up"] == ["imports", "media", "models"]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CIVICDESK_MEDIA_STORAGE": "s3"}, "CIVICDESK_S3_BUCKET is required"),
        ({"CIVICDESK_MEDIA_STORAGE": "ftp"}, "must be local or s3, not 'ftp'"),
    ],
)
def test_bad_media_storage_settings_are_named(environment, message):
    result = probe(**environment)
    assert result.returncode != 0
    assert message in result.stderr
