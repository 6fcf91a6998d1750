"""The demo district, loaded once for every test in this package.

A load takes seconds (every submission and case change goes through the real services) and
these tests only read the district or load it a second time, so it is loaded once, inside a
transaction that stays open until the package's last test and is then rolled back. Each test
runs in a savepoint within it (pytest-django's ``db``), so whatever a test writes is undone
before the next one. The rows are visible to every test in this package: tests that need an
empty database (the ``demo`` command, determinism) live one level up, and no test here may
use ``transactional_db`` or a live server.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from civicdesk.demo.generator import DemoSummary, load_demo


@dataclass(frozen=True)
class LoadedDemo:
    summary: DemoSummary
    now: datetime  # the ``now`` the district was drawn for
    # When the load ended: the work-order journey (generator/work_orders.py) runs live, through
    # the services at the time of loading, after the drawn past.
    loaded_at: datetime
    submissions: int


@pytest.fixture(scope="package")
def _demo_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _isolated_media(settings, _demo_media):
    """The demo's files (measure evidence) stay beside its rows for every test here."""
    settings.MEDIA_ROOT = _demo_media


@pytest.fixture(scope="package")
def loaded_demo(django_db_setup, django_db_blocker, _demo_media) -> Iterator[LoadedDemo]:
    """``load_demo(submissions=300)`` into an otherwise fresh test database."""
    now = timezone.now()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # What the suite's function-scoped fixtures give a test that loads the demo itself.
            with (
                override_settings(MEDIA_ROOT=_demo_media, LANGUAGE_CODE="en"),
                translation.override("en"),
            ):
                cache.clear()
                summary = load_demo(submissions=300, now=now)
                loaded_at = timezone.now()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield LoadedDemo(summary=summary, now=now, loaded_at=loaded_at, submissions=300)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    cache.clear()
