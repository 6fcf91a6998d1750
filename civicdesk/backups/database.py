"""Dump and load the configured database: SQLite through its backup API, PostgreSQL through
pg_dump and pg_restore."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _

# File name of the dump inside the archive, per database vendor.
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

# psycopg connection options (DATABASE_URL's query) that libpq's tools read from the
# environment; see "Environment Variables" in the PostgreSQL manual.
LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class DatabaseError(Exception):
    """The database could not be dumped or loaded; the message says why."""


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def dump(target: Path, alias: str = "default") -> None:
    """Write a consistent copy of the database to `target`, while the app may be running."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        _sqlite_dump(connection, target)
    elif connection.vendor == "postgresql":
        _pg_dump(connection, target)
    else:
        raise DatabaseError(_("Backups support SQLite and PostgreSQL, not %s.") % connection.vendor)


def load(source: Path, alias: str = "default") -> None:
    """Replace the database's content with the dump at `source`, all or nothing."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        _sqlite_load(connection, source)
    elif connection.vendor == "postgresql":
        _pg_restore(connection, source)
    else:
        raise DatabaseError(_("Backups support SQLite and PostgreSQL, not %s.") % connection.vendor)


def _sqlite_dump(connection, target: Path) -> None:
    # Django's own connection: it also reaches in-memory test databases. The backup API
    # copies a consistent snapshot even while other processes write.
    if connection.in_atomic_block:
        # The backup API would wait forever for this connection's own write lock.
        raise DatabaseError(_("A SQLite backup cannot run inside a database transaction."))
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()


def _sqlite_load(connection, source: Path) -> None:
    try:
        dump_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dump_db.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(_("The database dump cannot be read: %s") % error) from None
    connection.ensure_connection()
    try:
        # The backup API replaces the destination in one transaction: a failure keeps it.
        dump_db.backup(connection.connection)
    except sqlite3.Error as error:
        raise DatabaseError(_("The database could not be restored: %s") % error) from None
    finally:
        dump_db.close()


def _libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The connection as libpq environment variables: the password never appears on a
    command line, where other users could read it in the process list."""
    environment = dict(os.environ)
    values = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": settings_dict.get("NAME") or "",
    }
    for option, value in (settings_dict.get("OPTIONS") or {}).items():
        if option in LIBPQ_ENVIRONMENT and value not in (None, ""):
            values[LIBPQ_ENVIRONMENT[option]] = str(value)
    environment.update({key: value for key, value in values.items() if value})
    return environment


def _client_tool(connection, name: str) -> str:
    """The path of pg_dump or pg_restore, checked to match the server's major version."""
    path = shutil.which(name)
    if path is None:
        raise DatabaseError(
            _(
                "%(tool)s was not found. Install the PostgreSQL client tools of the server's "
                "version (Debian: apt-get install postgresql-client-%(major)s)."
            )
            % {"tool": name, "major": _server_major(connection)}
        )
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    tool_major = int(match.group(1)) if match else None
    server_major = _server_major(connection)
    if tool_major != server_major:
        raise DatabaseError(
            _(
                "%(tool)s is version %(tool_major)s but the database server is PostgreSQL "
                "%(server_major)s; install postgresql-client-%(server_major)s and put it first "
                "on PATH."
            )
            % {
                "tool": name,
                "tool_major": tool_major or "?",
                "server_major": server_major,
            }
        )
    return path


def _server_major(connection) -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - argument list, no shell
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise DatabaseError(f"{what}: {detail}")


def _pg_dump(connection, target: Path) -> None:
    tool = _client_tool(connection, "pg_dump")
    _run(
        [tool, "--format=custom", "--no-password", f"--file={target}"],
        _libpq_environment(connection.settings_dict),
        _("pg_dump failed"),
    )


def _pg_restore(connection, source: Path) -> None:
    tool = _client_tool(connection, "pg_restore")
    environment = _libpq_environment(connection.settings_dict)
    # Idle connections of this process would only hold locks the restore must wait for.
    connection.close()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # One transaction: if anything fails, the database keeps its old content.
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={environment['PGDATABASE']}",
            str(source),
        ],
        environment,
        _("pg_restore failed"),
    )
