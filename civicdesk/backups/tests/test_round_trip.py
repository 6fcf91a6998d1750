"""A backup and a restore bring back exactly the data and files of the moment of the backup."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from civicdesk.backups.tests.conftest import jpeg_bytes
from civicdesk.commitments import services as commitments
from civicdesk.commitments.models import Evidence
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.core.testing import _database_with_migrated_rows
from civicdesk.intake.models import Photo

# pg_dump reads committed rows only, and a restore replaces whole tables: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
__all__ = ["_database_with_migrated_rows"]


def database_rows() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def folder_files() -> dict[str, str]:
    files = {}
    for root in (settings.MEDIA_ROOT, settings.CIVICDESK_IMPORT_DIR, settings.CIVICDESK_MODEL_DIR):
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def test_backup_then_restore_brings_back_data_and_files(
    pg_tools, case_with_photo, measure_with_evidence, handler, make_measure, tmp_path
):
    Path(settings.CIVICDESK_IMPORT_DIR, "uploads").mkdir(parents=True)
    Path(settings.CIVICDESK_IMPORT_DIR, "uploads", "chat.csv").write_text("id,text\n1,灯\n")
    rows_before, files_before = database_rows(), folder_files()
    photo = Photo.objects.get()
    evidence = Evidence.objects.get()
    assert Path(settings.MEDIA_ROOT, photo.image.name).is_file()
    assert Path(settings.MEDIA_ROOT, evidence.file.name).is_file()

    archive = tmp_path / "backups" / "civicdesk.tar.gz"
    out = StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert str(archive) in out.getvalue()

    # Afterwards: a photo is deleted, more evidence and progress arrive, an import file goes.
    photo.image.delete(save=False)
    photo.delete()
    measure = measure_with_evidence
    commitments.evidence_add(measure=measure, upload=png_upload("b.png"), actor=handler)
    commitments.measure_update_progress(measure=measure_with_evidence, progress=80, actor=handler)
    make_measure(title="A measure made after the backup")
    Path(settings.CIVICDESK_IMPORT_DIR, "uploads", "chat.csv").unlink()
    Path(settings.MEDIA_ROOT, "stray.jpg").write_bytes(jpeg_bytes("blue"))
    assert database_rows() != rows_before and folder_files() != files_before

    out = StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "Restored" in out.getvalue()

    assert database_rows() == rows_before
    assert folder_files() == files_before
    assert list(Path(settings.MEDIA_ROOT).iterdir()) != []
    assert not [p for p in Path(settings.MEDIA_ROOT).iterdir() if p.name.startswith(".")]
    call_command("verify_chains", stdout=StringIO())


def test_backup_into_a_folder_names_the_archive_by_time(pg_tools, tmp_path):
    call_command("backup", "--output", str(tmp_path), stdout=StringIO())
    [archive] = tmp_path.glob("civicdesk-backup-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # personal data: owner only
    assert not list(tmp_path.glob(".*partial"))
