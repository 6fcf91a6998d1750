"""Keyed API reads on a SQLite file while another connection holds a long write transaction.

Run in a process of its own by test_sqlite_concurrency.py (the test suite's own database is
in memory, where locking works differently):

    python -m civicdesk.core.tests.sqlite_probe DATABASE_FILE HOLD_SECONDS [--migrate]

Prints one JSON object: the busy timeout the connection runs with, and for each read its
status, its seconds and whether the writer still held its transaction when it was answered.
"""

import json
import os
import sys
import threading
import time
from datetime import timedelta


def main(path: str, hold: float, migrate: bool) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from civicdesk.accounts.models import ApiToken, Role, Unit, UnitKind, User

    if migrate:
        call_command("migrate", verbosity=0)
    user = User.objects.create(username="probe-supervisor", role=Role.SUPERVISOR)
    _token, raw = ApiToken.issue(user=user, name="probe")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = client.get("/api/v1/cases").status_code  # the token's first use is recorded
    # A second token last used long ago: its next use is one that should be written.
    stale, stale_raw = ApiToken.issue(user=user, name="probe, unused for a while")
    long_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=stale.pk).update(last_used_at=long_ago)
    stale_client = Client(HTTP_AUTHORIZATION=f"Bearer {stale_raw}")

    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        # As the worker stores an import batch: one transaction that writes and goes on.
        with transaction.atomic():
            Unit.objects.create(code="probe-writer", name="写入中", kind=UnitKind.DEPARTMENT)
            holding.set()
            release.wait(hold)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    if not holding.wait(30):
        raise SystemExit("the writer never began its transaction")
    reads = []
    for reader in (client, stale_client, client, stale_client, client):
        started = time.perf_counter()
        status = reader.get("/api/v1/cases").status_code
        reads.append([status, time.perf_counter() - started, thread.is_alive()])
    release.set()
    thread.join()
    # Not noted while the writer held the lock; the next use will note it.
    stale_noted = ApiToken.objects.get(pk=stale.pk).last_used_at != long_ago
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout_ms = cursor.fetchone()[0]
    return {
        "first": first,
        "reads": reads,
        "busy_timeout_ms": busy_timeout_ms,
        "stale_noted": stale_noted,
    }


if __name__ == "__main__":
    result = main(sys.argv[1], float(sys.argv[2]), "--migrate" in sys.argv[3:])
    print(json.dumps(result))
