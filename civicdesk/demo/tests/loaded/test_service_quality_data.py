"""The demo's service quality data: window ratings, follow-ups and service records."""

from io import StringIO

import pytest
from django.core.management import call_command

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.catalogue.models import ServiceItem, ServiceRecord
from civicdesk.demo.generator import load_demo
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.evaluation.models import FollowUp, FollowUpStatus
from civicdesk.ratings.models import Rating, RatingEvent, RatingInvitation

pytestmark = pytest.mark.django_db

MODELS = [Rating, RatingInvitation, RatingEvent, FollowUp, ServiceRecord, Case, CaseEvent]


def test_service_quality_rows_exist_and_a_second_load_adds_nothing(
    loaded_demo: LoadedDemo,
) -> None:
    now, first = loaded_demo.now, loaded_demo.summary
    assert first.ratings_created == Rating.objects.count() > 100
    bad = Rating.objects.bad()
    assert first.rectifications_created == bad.count() > 0
    assert bad.count() < Rating.objects.count() * 0.25
    # Each bad rating is a case assigned to its window, dated when it was rated.
    for rating in bad.select_related("case"):
        assert rating.case is not None
        assert rating.case.unit_id == rating.window_id
        assert rating.case.received_at == rating.created_at <= now
    assert all(r.created_at <= now for r in Rating.objects.all())

    # The work-order journey's follow-up is the work orders' (generator/work_orders.py).
    followups = FollowUp.objects.exclude(case__submission__external_id__startswith="work-order-")
    assert first.followups_created == followups.count() > 0
    statuses = set(followups.values_list("status", flat=True))
    assert FollowUpStatus.ANSWERED in statuses
    assert followups.filter(solved=False).count() <= 4
    assert all(f.created_at <= now for f in followups)

    assert first.service_records_created == ServiceRecord.objects.count() > 200
    assert not ServiceItem.objects.active().filter(responsible_unit__isnull=True).exists()
    assert all(r.recorded_at <= now for r in ServiceRecord.objects.all())

    counts = [model.objects.count() for model in MODELS]
    second = load_demo(submissions=300)
    assert (
        second.ratings_created,
        second.followups_created,
        second.service_records_created,
    ) == (0, 0, 0)
    assert counts == [model.objects.count() for model in MODELS]

    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=StringIO())
    assert "Every chain is intact." in out.getvalue()
