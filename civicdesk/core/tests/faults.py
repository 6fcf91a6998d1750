"""Fault injection for tests: a disk that fills up part-way through a file."""

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


class _FillingFile:
    """A real file that writes the first half of a chunk, then fails as a full disk does."""

    def __init__(self, file) -> None:
        self._file = file

    def write(self, data) -> int:
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str):
        return getattr(self._file, name)


@contextmanager
def disk_full_on_write(number: int = 1) -> Iterator[list[str]]:
    """Let the first ``number - 1`` files be written (by Django's FileSystemStorage, which
    opens them with os.fdopen) and fill the disk during the write of file ``number``.

    Yields the list of paths whose write failed, so that a test can check the partial file
    is gone.
    """
    real_fdopen = os.fdopen
    opened = 0
    failed: list[str] = []

    def fdopen(fd: int, mode: str = "r", *args, **kwargs):
        nonlocal opened
        file = real_fdopen(fd, mode, *args, **kwargs)
        if "w" not in mode:
            return file
        opened += 1
        if opened != number:
            return file
        failed.append(os.readlink(f"/proc/self/fd/{fd}"))
        return _FillingFile(file)

    with mock.patch("django.core.files.storage.filesystem.os.fdopen", side_effect=fdopen):
        yield failed
