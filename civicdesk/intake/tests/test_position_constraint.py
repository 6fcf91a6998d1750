"""A stored position is both coordinates or neither (issue 13, item 16), held by the database
itself; submissions stored with half a position before are cleared by the migration that
adds the constraint, the lone value kept in their source details."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from civicdesk.intake.models import Channel, Submission

BEFORE = [("intake", "0005_import_sources")]
AFTER = [("intake", "0006_position_both_or_neither")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("latitude", "longitude"), [(Decimal("30.28"), None), (None, Decimal("120.17"))]
)
def test_half_a_position_cannot_be_stored(latitude, longitude):
    channel = Channel.objects.get(code="phone")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            channel=channel, description="x", latitude=latitude, longitude=longitude
        )
    both = Submission.objects.create(
        channel=channel, description="x", latitude=Decimal("30.28"), longitude=Decimal("120.17")
    )
    neither = Submission.objects.create(channel=channel, description="x")
    assert Submission.objects.filter(pk__in=[both.pk, neither.pk]).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_clears_half_positions_and_keeps_the_value():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldSubmission = old.get_model("intake", "Submission")
    channel = old.get_model("intake", "Channel").objects.get(code="phone")
    half = OldSubmission.objects.create(
        channel=channel,
        description="half",
        latitude=Decimal("30.281200"),
        source_details={"import": "x"},
    )
    whole = OldSubmission.objects.create(
        channel=channel,
        description="whole",
        latitude=Decimal("30.281200"),
        longitude=Decimal("120.170300"),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    half = Submission.objects.get(pk=half.pk)
    assert (half.latitude, half.longitude) == (None, None)
    assert half.source_details == {
        "import": "x",
        "half_position_cleared": {"latitude": "30.281200", "longitude": None},
    }
    whole = Submission.objects.get(pk=whole.pk)
    assert (whole.latitude, whole.longitude) == (Decimal("30.281200"), Decimal("120.170300"))
