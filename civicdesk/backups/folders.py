"""Replace a folder's content with a staged copy in a way that can be undone.

The staged copy and the set-aside old content live inside the folder itself, so every step
is a rename on one file system; that also works when the folder is a mount point (a Docker
volume), which cannot itself be renamed.
"""

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

STAGING_PREFIX = ".civicdesk-restore-"
OLD_PREFIX = ".civicdesk-replaced-"


def is_work_folder(name: str) -> bool:
    """Folders of an interrupted restore: never backed up."""
    return name.startswith((STAGING_PREFIX, OLD_PREFIX))


def new_staging(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staging.mkdir()
    return staging


@dataclass
class FolderSwap:
    """Moves target's entries aside and staging's entries in; `undo` puts them back,
    `finish` deletes the old entries."""

    target: Path
    staging: Path
    old: Path = field(init=False)
    moved_out: list[str] = field(default_factory=list)
    moved_in: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.old = self.target / f"{OLD_PREFIX}{uuid.uuid4().hex}"

    def apply(self) -> None:
        self.old.mkdir()
        for entry in sorted(os.listdir(self.target)):
            if is_work_folder(entry):
                continue
            os.rename(self.target / entry, self.old / entry)
            self.moved_out.append(entry)
        for entry in sorted(os.listdir(self.staging)):
            os.rename(self.staging / entry, self.target / entry)
            self.moved_in.append(entry)
        self.staging.rmdir()

    def undo(self) -> None:
        self.staging.mkdir(exist_ok=True)
        for entry in reversed(self.moved_in):
            os.rename(self.target / entry, self.staging / entry)
        for entry in reversed(self.moved_out):
            os.rename(self.old / entry, self.target / entry)
        discard(self.old)
        discard(self.staging)

    def finish(self) -> None:
        discard(self.old)


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
