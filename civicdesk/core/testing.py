"""Test fixtures shared by apps whose tests run a live server (browser and Open311 tests)."""

import pytest


@pytest.fixture(scope="module", autouse=True)
def _database_with_migrated_rows(django_db_setup, django_db_blocker):
    """Let the serialized rollback of live-server tests load onto an empty database, and
    leave one.

    These tests use ``serialized_rollback`` to get back the rows that migrations create
    (channels, categories, content types). Django loads that copy at the start of each test
    and expects empty tables; but a transactional test without it that ran earlier leaves
    re-created content types and permissions behind. So empty the tables first, and put the
    migrated rows back at the end for whatever tests come next. Import it into a test module
    or conftest to use it there.
    """
    from django.core.management import call_command
    from django.db import connections

    # The flushes keep the id sequences where they are: the restored rows keep their ids, and
    # on PostgreSQL a sequence reset to 1 would hand a test's new row the id of a restored
    # one (a seeded service item, say).
    flush = {"interactive": False, "inhibit_post_migrate": True, "reset_sequences": False}
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, **flush)
    yield
    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, **flush)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
