"""The demo's return visits, knowledge base, training records and appraisal (issue 16, items
5-8), read from the loaded district through HTTP as the people who use them; and the end of
the done-when journey: the lead unit's score this month, line by line, with the case behind
the resolution line."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import User
from civicdesk.appraisal.models import Scheme
from civicdesk.cases.models import Case
from civicdesk.demo.generator.work_orders import EXTERNAL_PREFIX
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import Praise, ReturnVisit, SamplingRule
from civicdesk.evaluation.views import RATE_LABELS
from civicdesk.knowledge.models import Entry, EntryUse
from civicdesk.training.models import (
    Attendance,
    ContestEntry,
    Session,
    SessionKind,
    StudyRecord,
)

pytestmark = pytest.mark.django_db


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_call_centre_has_a_queue_with_every_outcome(loaded_demo: LoadedDemo) -> None:
    statuses = set(ReturnVisit.objects.values_list("status", flat=True))
    assert {"waiting", "reached", "unreachable", "refused"} <= statuses
    assert ReturnVisit.objects.filter(reopened=True).exists()
    # The rules are data: every dissatisfied and enterprise case, and a share of the rest.
    assert {"dissatisfied", "enterprise", "share"} <= set(
        SamplingRule.objects.filter(is_active=True).values_list("kind", flat=True)
    )
    # A reporter who said "solved" but was dissatisfied is called back too.
    reasons = set(ReturnVisit.objects.values_list("reason", flat=True))
    assert {"dissatisfied", "enterprise", "share"} <= reasons
    assert Praise.objects.filter(visit__isnull=False).exists()
    assert Praise.objects.filter(visit__isnull=True).exists()
    queue = as_user("clerk").get("/evaluation/visits/")
    assert queue.status_code == 200
    waiting = ReturnVisit.objects.waiting().first()
    assert f"/evaluation/visits/{waiting.pk}/" in queue.text
    page = as_user("clerk").get(f"/evaluation/visits/{waiting.pk}/")
    assert page.status_code == 200 and waiting.case.tracking_code in page.text


def test_the_knowledge_base_is_searched_and_used(loaded_demo: LoadedDemo) -> None:
    assert Entry.objects.filter(service_item__isnull=False).count() >= 2
    assert EntryUse.objects.exists()
    entry = Entry.objects.filter(service_item__isnull=False).order_by("pk").first()
    found = Client().get("/knowledge/", {"q": entry.title[:3]})
    assert found.status_code == 200 and entry.title in found.text
    # The catalogue item links its entries.
    item = Client().get(f"/services/{entry.service_item.code}/")
    assert f"/knowledge/{entry.pk}/" in item.text
    # The figure "answered at first contact from the knowledge base" counts the uses.
    today = timezone.localdate(loaded_demo.now)
    table = as_user("supervisor").get(
        "/evaluation/",
        {"since": (today - timedelta(days=180)).isoformat(), "until": today.isoformat()},
    )
    assert table.status_code == 200
    position = list(RATE_LABELS).index(rates.FIRST_CONTACT)
    counted = sum(row["figures"][position][0].numerator for row in table.context["rows"])
    assert 0 < counted <= EntryUse.objects.count()


def test_training_records_and_hours(loaded_demo: LoadedDemo) -> None:
    kinds = set(Session.objects.values_list("kind", flat=True))
    assert {SessionKind.LECTURE, SessionKind.SEMINAR} <= kinds
    assert Attendance.objects.filter(source="import").exists()
    assert StudyRecord.objects.exclude(reflection="").exists()
    assert ContestEntry.objects.count() >= 3
    year = timezone.localdate(loaded_demo.now).year
    hours = as_user("supervisor").get("/staff/training/hours/", {"year": year})
    assert hours.status_code == 200
    unit_table = re.search(r'<table[^>]*id="unit-hours"[^>]*>(.*?)</table>', hours.text, re.S)
    unit_rows = unit_table.group(1)
    assert unit_rows.count("<tr") > 2
    contest = ContestEntry.objects.first().contest
    ranking = as_user("handler-urban").get(f"/staff/training/contests/{contest.pk}/")
    assert ranking.status_code == 200 and 'id="ranking"' in ranking.text


def test_the_journeys_unit_scored_line_by_line(loaded_demo: LoadedDemo) -> None:
    month = timezone.localdate(loaded_demo.now).strftime("%Y-%m")
    scheme = Scheme.objects.in_force(timezone.localdate(loaded_demo.now).replace(day=1))
    kinds = set(scheme.lines.values_list("kind", flat=True))
    assert {
        "training_hours",
        "late_supervision_letter",
        "late_material_request",
        "rate",
        "praised_case",
    } <= kinds
    journey = Case.objects.get(submission__external_id=f"{EXTERNAL_PREFIX}1")
    supervisor = as_user("supervisor")
    page = supervisor.get(f"/staff/appraisal/units/{journey.unit.code}/", {"month": month})
    assert page.status_code == 200
    lines = re.findall(r'<tr data-line="(\d+)"', page.text)
    assert len(lines) == scheme.lines.count()
    assert 'id="training-beside"' in page.text
    resolution = scheme.lines.get(kind="rate", target="resolution").position
    drill = supervisor.get(
        f"/staff/appraisal/units/{journey.unit.code}/lines/{resolution}/", {"month": month}
    )
    assert drill.status_code == 200
    assert journey.tracking_code in drill.text
