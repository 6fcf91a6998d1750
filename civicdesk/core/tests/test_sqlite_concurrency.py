"""The embedded default (SQLite) stays up while the worker writes (issue 13, item 13).

A 100,000-row import holds SQLite's one write lock batch after batch; keyed API reads used to
write their token's last-used time on every request, waited for that lock and answered 500
"database is locked". Measured for real in docs/benchmarks.md (bench/sqlite_locking.py).
"""

import json
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection
from django.db.backends.sqlite3._functions import register as register_django_functions

HOLD = 4.0  # seconds the concurrent writer keeps its transaction open


@pytest.mark.django_db
def test_keyed_reads_are_served_while_another_connection_holds_a_long_write(tmp_path):
    path = tmp_path / "civicdesk.sqlite3"
    arguments = [str(path), str(HOLD)]
    if connection.vendor == "sqlite":
        # The suite's migrated (in-memory) database, copied to a file: no second migrate.
        # (A dump, not the backup API: the test's own transaction keeps that one waiting. The
        # schema may call Django's SQL functions, in indexes or generated columns.)
        connection.ensure_connection()
        target = sqlite3.connect(path)
        register_django_functions(target)
        target.executescript("\n".join(connection.connection.iterdump()))
        target.close()
    else:
        arguments.append("--migrate")

    completed = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-m", "civicdesk.core.tests.sqlite_probe", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    probe = json.loads(completed.stdout.strip().splitlines()[-1])

    assert probe["first"] == 200
    # Reads with a token used a moment ago (nothing to note) and with one unused for an hour
    # (its use noted only if the lock is free at once) alternate.
    for status, seconds, writer_still_writing in probe["reads"]:
        assert status == 200
        # Answered at once, while the writer still held the lock: nothing waited for it.
        assert seconds < HOLD / 4, probe["reads"]
        assert writer_still_writing, probe["reads"]
    assert probe["stale_noted"] is False  # the note waits for the next use
    # A write that must wait (a token's first use in a minute) waits long enough for an
    # import batch instead of failing after Python's default 5 s.
    assert probe["busy_timeout_ms"] >= 20_000
