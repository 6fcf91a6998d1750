"""Archives that cannot be restored faithfully are refused, and nothing is changed."""

import io
import json
import subprocess
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from civicdesk.backups import database
from civicdesk.backups.tests.test_round_trip import database_rows, folder_files
from civicdesk.cases.models import Case

# Refused archives never reach the database, so on PostgreSQL these tests roll back (much
# faster; the dump then holds only committed rows, which is all they need). SQLite's backup
# API cannot copy a database from inside a transaction, so there they commit.
COMMITS = connection.vendor == "sqlite"
pytestmark = pytest.mark.django_db(transaction=COMMITS, serialized_rollback=COMMITS)
if COMMITS:
    from civicdesk.core.testing import _database_with_migrated_rows  # noqa: F401


@pytest.fixture
def archive(pg_tools, case_with_photo, tmp_path) -> Path:
    path = tmp_path / "good.tar.gz"
    call_command("backup", "--output", str(path), stdout=StringIO())
    # The live data moves on after the backup; a refused restore must leave it like this.
    Case.objects.update(answer="changed after the backup")
    Path(settings.MEDIA_ROOT, "after.txt").write_text("written after the backup")
    return path


def rewrite(source: Path, target: Path, *, manifest=None, content=None) -> Path:
    """Copy an archive, changing its manifest and/or the bytes of some members."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                loaded = json.loads(data)
                manifest(loaded)
                data = json.dumps(loaded).encode()
            elif content and member.name in content:
                data = content[member.name]
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return target


def refused(path: Path, *arguments: str) -> str:
    rows, files = database_rows(), folder_files()
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), *arguments, stdout=StringIO())
    assert error.value.returncode == 2
    assert database_rows() == rows and folder_files() == files
    assert not list(Path(settings.MEDIA_ROOT).glob(".*")), "restore work folders left behind"
    return str(error.value)


def test_truncated_archive(archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "truncated or damaged" in refused(truncated, "--yes")


def test_changed_file_fails_its_checksum(archive, tmp_path):
    with tarfile.open(archive) as opened:
        photo = next(m.name for m in opened.getmembers() if m.name.startswith("media/"))
    tampered = rewrite(archive, tmp_path / "t.tar.gz", content={photo: b"not the photo"})
    assert f"Checksum mismatch for {photo}" in refused(tampered, "--yes")


def test_tampered_checksum_in_the_manifest(archive, tmp_path):
    def change(manifest):
        name = manifest["database_dump"]
        manifest["files"][name]["sha256"] = "0" * 64

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=change)
    assert "Checksum mismatch for database." in refused(tampered, "--yes")


def test_file_missing_from_the_manifest(archive, tmp_path):
    def drop_media(manifest):
        for name in [n for n in manifest["files"] if n.startswith("media/")]:
            del manifest["files"][name]

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=drop_media)
    assert "not in its manifest" in refused(tampered, "--yes")


def test_other_database_vendor(archive, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    def change(manifest):
        manifest["database_vendor"] = other

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=change)
    assert f"holds a {other} database" in refused(tampered, "--yes")


def test_other_format_version(archive, tmp_path):
    def change(manifest):
        manifest["format_version"] = 2

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=change)
    assert "format version 2" in refused(tampered, "--yes")


def test_migrations_newer_than_the_code(archive, tmp_path):
    def change(manifest):
        manifest["migrations"]["cases"] = "9999_from_the_future"
        manifest["civicdesk_version"] = "9.0.0"

    tampered = rewrite(archive, tmp_path / "t.tar.gz", manifest=change)
    message = refused(tampered, "--yes")
    assert "cases.9999_from_the_future" in message and "9.0.0" in message


def test_not_an_archive(pg_tools, tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("hello")
    assert "not a complete tar.gz archive" in refused(path, "--yes")


def test_declined_confirmation_changes_nothing(archive, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert "cancelled" in refused(archive)


def test_without_a_terminal_it_asks_for_yes(archive, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert "--yes" in refused(archive)


def test_failed_database_load_keeps_the_old_files(archive, monkeypatch):
    def broken_load(source, alias="default"):
        raise database.DatabaseError("disk full")

    monkeypatch.setattr(database, "load", broken_load)
    files = folder_files()
    with pytest.raises(CommandError, match="old data was kept: disk full"):
        call_command("restore", str(archive), "--yes", stdout=StringIO())
    assert folder_files() == files
    assert Path(settings.MEDIA_ROOT, "after.txt").exists()
    assert not list(Path(settings.MEDIA_ROOT).glob(".*")), "restore work folders left behind"


@pytest.mark.skipif(not COMMITS, reason="SQLite only")
def test_sqlite_backup_inside_a_transaction_is_refused(db, tmp_path):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(CommandError, match="inside a database transaction"):
        call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    assert not list(tmp_path.iterdir())


class FakePostgres:
    """Enough of a Django connection for the pg_dump path, without a server."""

    vendor = "postgresql"
    pg_version = 150004
    settings_dict = {
        "NAME": "civicdesk",
        "USER": "civicdesk",
        "PASSWORD": "s3cret-password",
        "HOST": "db.internal",
        "PORT": "5432",
        "OPTIONS": {"sslmode": "require"},
    }

    def ensure_connection(self):
        pass


def fake_tool(folder: Path, name: str, version: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)


def test_pg_dump_gets_the_password_from_the_environment_only(tmp_path, monkeypatch):
    fake_tool(tmp_path, "pg_dump", "15.20")
    calls = []
    real_run = subprocess.run

    def record(command, **kwargs):
        calls.append((command, kwargs.get("env")))
        return real_run(["true"] if "--version" not in command else command, **kwargs)

    monkeypatch.setattr(subprocess, "run", record)
    monkeypatch.setattr("shutil.which", lambda name: str(tmp_path / name))
    database._pg_dump(FakePostgres(), tmp_path / "dump")
    command, environment = calls[-1]
    assert "--format=custom" in command
    assert not any("s3cret" in part for part in command)
    assert environment["PGPASSWORD"] == "s3cret-password"
    assert environment["PGHOST"] == "db.internal" and environment["PGSSLMODE"] == "require"


def test_pg_tools_of_another_major_version_are_refused(tmp_path, monkeypatch):
    fake_tool(tmp_path, "pg_dump", "13.9")
    monkeypatch.setattr("shutil.which", lambda name: str(tmp_path / name))
    with pytest.raises(database.DatabaseError, match=r"version 13 .* PostgreSQL 15"):
        database._pg_dump(FakePostgres(), tmp_path / "dump")


def test_missing_pg_tools_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(database.DatabaseError, match=r"pg_restore was not found.*client-15"):
        database._pg_restore(FakePostgres(), tmp_path / "dump")
