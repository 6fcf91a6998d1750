import io
import os
import shutil

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management.color import no_style
from django.db import connection
from PIL import Image

from civicdesk.commitments import services as commitments
from civicdesk.commitments.tests.conftest import make_measure, png_upload, problem
from civicdesk.core.photos import process_photo
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create

__all__ = ["make_measure", "problem"]


@pytest.fixture(autouse=True)
def _own_folders(settings, tmp_path):
    settings.CIVICDESK_IMPORT_DIR = tmp_path / "imports"
    settings.CIVICDESK_MODEL_DIR = tmp_path / "models"


@pytest.fixture
def pg_tools(db):
    """On PostgreSQL the round trip needs pg_dump and pg_restore; under CI they must exist."""
    if connection.vendor != "postgresql":
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if os.environ.get("CI"):
            pytest.fail("pg_dump/pg_restore are missing; CI must test PostgreSQL backups")
        pytest.skip("pg_dump/pg_restore are not installed")
    # The serialized rollback puts the migrated rows back with their ids but leaves the
    # sequences at 1; move them past those rows so that new rows get fresh ids.
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def jpeg_bytes(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def case_with_photo(pg_tools):
    photo = process_photo(
        jpeg_bytes(),
        max_bytes=django_settings.CIVICDESK_MAX_PHOTO_BYTES,
        max_pixels=django_settings.CIVICDESK_MAX_PHOTO_PIXELS,
    )
    data = NewSubmission(
        channel=Channel.objects.get(code="snapshot"),
        description="东苑小区门口路灯不亮",
        photos=[photo],
    )
    _submission, case, _created = submission_create(data=data)
    return case


@pytest.fixture
def measure_with_evidence(pg_tools, make_measure, handler):
    measure = make_measure()
    commitments.evidence_add(measure=measure, upload=png_upload(), actor=handler, note="before")
    commitments.measure_update_progress(measure=measure, progress=30, actor=handler)
    return measure
