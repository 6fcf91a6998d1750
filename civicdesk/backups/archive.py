"""civicdesk backups: one tar.gz holding a manifest, the database dump and the file folders.

Layout of an archive (format version 1):

    database.sqlite3 | database.pgdump   the database (SQLite copy or pg_dump custom format)
    media/...                            uploaded photos and evidence (local media only)
    imports/...                          import uploads and rejected-row reports
    models/...                           trained triage models (rows in the database name them)
    manifest.json                        written last: what is inside, with SHA-256 checksums
"""

import hashlib
import importlib.metadata
import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.backups import database
from civicdesk.backups.folders import FolderSwap, discard, is_work_folder, new_staging

FORMAT = "civicdesk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """An archive cannot be written or restored; nothing was changed."""


def folders() -> dict[str, Path]:
    """The folders a backup holds, by their name inside the archive. Media kept in an object
    store (S3) is not among them: back the bucket up with its own versioning."""
    result = {}
    if isinstance(storages["default"], FileSystemStorage):
        result["media"] = Path(storages["default"].location)
    result["imports"] = Path(settings.CIVICDESK_IMPORT_DIR)
    result["models"] = Path(settings.CIVICDESK_MODEL_DIR)
    return result


def civicdesk_version() -> str:
    try:
        return importlib.metadata.version("civicdesk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _loader(alias: str) -> MigrationLoader:
    return MigrationLoader(connections[alias], ignore_no_migrations=True)


def migration_state(alias: str = "default") -> dict[str, str]:
    """The latest applied migration of each app: the one with the most applied predecessors
    of its own app."""
    graph = _loader(alias).graph
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    latest: dict[str, tuple[int, str]] = {}
    for app, name in applied:
        node = (app, name)
        depth = (
            sum(1 for step in graph.forwards_plan(node) if step[0] == app)
            if node in graph.nodes
            else 0
        )
        if app not in latest or (depth, name) > latest[app]:
            latest[app] = (depth, name)
    return {app: name for app, (_depth, name) in sorted(latest.items())}


def _digest(handle: IO[bytes], sink: Callable[[bytes], Any] | None = None) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    return sha.hexdigest(), size


class _HashingReader(io.RawIOBase):
    """Hashes what tarfile reads while it copies a file into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha.update(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, name: str, files: dict) -> None:
    with path.open("rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    files[name] = {"sha256": reader.sha.hexdigest(), "size": info.size}


def _walk(root: Path):
    """Regular files under root as (path, archive-relative posix name); links are skipped."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(s for s in subfolders if not is_work_folder(s))
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


def default_output(directory: Path) -> Path:
    return directory / f"civicdesk-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"


def create_backup(output: Path, alias: str = "default") -> dict:
    """Write a backup archive to `output` (via a temporary file, so a failed or interrupted
    backup never leaves a half-written archive under that name). Returns the manifest."""
    vendor = database.vendor(alias)
    if vendor not in database.DUMP_NAMES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %s.") % vendor)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="civicdesk-backup-"))
    partial = output.parent / f".{output.name}.partial"
    try:
        dump_name = database.DUMP_NAMES[vendor]
        try:
            database.dump(work / dump_name, alias)
        except database.DatabaseError as error:
            raise BackupError(str(error)) from None
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "civicdesk_version": civicdesk_version(),
            "created_at": timezone.now().isoformat(),
            "database_vendor": vendor,
            "database_dump": dump_name,
            "migrations": migration_state(alias),
            "media_storage": (
                "local" if "media" in folders() else storages["default"].__class__.__name__
            ),
            "folders": sorted(folders()),
            "files": {},
        }
        files = manifest["files"]
        with tarfile.open(partial, "w:gz") as archive:
            _add_file(archive, work / dump_name, dump_name, files)
            for folder_name, root in folders().items():
                for path, relative in _walk(root) if root.is_dir() else ():
                    _add_file(archive, path, f"{folder_name}/{relative}", files)
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
        os.chmod(partial, 0o600)  # the archive holds personal data
        os.replace(partial, output)
        return manifest
    finally:
        partial.unlink(missing_ok=True)
        discard(work)


@dataclass
class StagedBackup:
    """A verified archive, unpacked next to where its parts go; nothing is replaced yet."""

    manifest: dict
    dump: Path
    work: Path
    staged_folders: dict[str, tuple[Path, Path]] = field(default_factory=dict)

    def discard(self) -> None:
        for _target, staging in self.staged_folders.values():
            discard(staging)
        discard(self.work)


def _refuse(message: str) -> BackupError:
    return BackupError(message)


def _read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.getmember(MANIFEST)
            handle = archive.extractfile(member)
            manifest = json.loads(handle.read().decode()) if handle else None
    except FileNotFoundError:
        raise _refuse(_("%s does not exist.") % path) from None
    except KeyError:
        raise _refuse(_("%s has no manifest.json: it is not a civicdesk backup.") % path) from None
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        raise _refuse(
            _("%s is not a complete tar.gz archive (truncated or damaged).") % path
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(_("The manifest of %s is not valid JSON.") % path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(_("%s is not a civicdesk backup.") % path)
    return manifest


def check_manifest(manifest: dict, alias: str = "default") -> None:
    """Refuse an archive this installation cannot restore faithfully."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            _(
                "The archive has backup format version %(found)s; this civicdesk reads version "
                "%(expected)s."
            )
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION}
        )
    current = database.vendor(alias)
    if manifest.get("database_vendor") != current:
        raise _refuse(
            _(
                "The archive holds a %(found)s database, but civicdesk is configured for "
                "%(current)s; restore it into a %(found)s database."
            )
            % {"found": manifest.get("database_vendor"), "current": current}
        )
    if manifest.get("database_dump") != database.DUMP_NAMES[current]:
        raise _refuse(_("The manifest names no database dump for %s.") % current)
    graph = _loader(alias).graph
    unknown = sorted(
        f"{app}.{name}"
        for app, name in (manifest.get("migrations") or {}).items()
        if (app, name) not in graph.nodes
    )
    if unknown:
        raise _refuse(
            _(
                "The archive's database has migrations this code does not know (%(names)s): it "
                "comes from a newer civicdesk (the archive says %(version)s). Upgrade civicdesk "
                "first."
            )
            % {"names": ", ".join(unknown), "version": manifest.get("civicdesk_version")}
        )
    if "media" in manifest.get("folders", []) and "media" not in folders():
        raise _refuse(
            _(
                "The archive holds media files, but media is configured to go to an object "
                "store; copy the archive's media/ folder into the bucket instead."
            )
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or manifest["database_dump"] not in files:
        raise _refuse(_("The manifest lists no checksums for the database dump."))


def _safe_name(name: str, allowed_roots: set[str]) -> bool:
    parts = PurePosixPath(name).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and ".." not in parts
        and "." not in parts
        and parts[0] in allowed_roots
    )


def stage(path: Path, alias: str = "default") -> StagedBackup:
    """Read and verify the whole archive, unpacking it into staging folders. Raises
    BackupError, with everything staged removed again, if anything does not match."""
    manifest = _read_manifest(path)
    check_manifest(manifest, alias)
    expected: dict[str, dict] = manifest["files"]
    targets = {name: root for name, root in folders().items() if name in manifest["folders"]}
    staged = StagedBackup(
        manifest=manifest,
        dump=Path(),
        work=Path(tempfile.mkdtemp(prefix="civicdesk-restore-")),
    )
    try:
        for name, root in targets.items():
            staged.staged_folders[name] = (root, new_staging(root))
        staged.dump = staged.work / manifest["database_dump"]
        seen: set[str] = set()
        allowed_roots = {MANIFEST, manifest["database_dump"], *targets}
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name == MANIFEST or member.isdir():
                    continue
                if not member.isfile() or not _safe_name(member.name, allowed_roots):
                    raise _refuse(_("The archive holds an unexpected entry: %s") % member.name)
                if member.name not in expected or member.name in seen:
                    raise _refuse(_("%s is in the archive but not in its manifest.") % member.name)
                if member.name == manifest["database_dump"]:
                    destination = staged.dump
                else:
                    root_name, relative = member.name.split("/", 1)
                    destination = staged.staged_folders[root_name][1] / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                with destination.open("wb") as out:
                    sha, size = _digest(source, out.write)
                if sha != expected[member.name].get("sha256") or size != expected[member.name].get(
                    "size"
                ):
                    raise _refuse(
                        _("Checksum mismatch for %s: the archive was changed or damaged.")
                        % member.name
                    )
                seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise _refuse(
                _("The archive lacks files its manifest lists: %s") % ", ".join(missing[:5])
            )
    except (tarfile.TarError, EOFError, zlib.error) as error:
        staged.discard()
        raise _refuse(
            _("%(path)s is truncated or damaged: %(error)s") % {"path": path, "error": error}
        ) from None
    except BaseException:
        staged.discard()
        raise
    return staged


def apply(staged: StagedBackup, alias: str = "default") -> None:
    """Swap the staged folders in, then load the database; if the database cannot be loaded,
    the folders are swapped back, so a failed restore leaves the old data."""
    swaps: list[FolderSwap] = []
    try:
        for target, staging in staged.staged_folders.values():
            swap = FolderSwap(target, staging)
            swaps.append(swap)
            swap.apply()
        try:
            database.load(staged.dump, alias)
        except database.DatabaseError as error:
            raise BackupError(str(error)) from None
    except BaseException:
        for swap in reversed(swaps):
            swap.undo()
        staged.discard()
        raise
    for swap in swaps:
        swap.finish()
    staged.discard()


def pending_migrations(alias: str = "default") -> bool:
    loader = _loader(alias)
    return any(node not in loader.applied_migrations for node in loader.graph.leaf_nodes())
