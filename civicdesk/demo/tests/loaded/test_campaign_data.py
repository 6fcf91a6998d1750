"""The demo's prominent problems, measures, ledgers and confidential reports."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.commitments.models import (
    Evidence,
    Extension,
    Measure,
    MeasureEvent,
    Milestone,
    ProblemEvent,
)
from civicdesk.commitments.workflow import MeasureStatus
from civicdesk.core.credit_code import credit_code_error
from civicdesk.demo.generator import load_demo
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.ledgers.models import (
    BacklogCase,
    Disclosure,
    Enterprise,
    LedgerEvent,
    PromiseItem,
    PromiseStatus,
    Utility,
    ageing_bucket,
)
from civicdesk.problems.models import Problem, ProblemChange
from civicdesk.reports.models import Report, ReportEvent
from civicdesk.reports.workflow import Ledger

pytestmark = pytest.mark.django_db

MODELS = [
    Problem,
    ProblemChange,
    Measure,
    MeasureEvent,
    ProblemEvent,
    Milestone,
    Evidence,
    Extension,
    Enterprise,
    PromiseItem,
    BacklogCase,
    Utility,
    Disclosure,
    LedgerEvent,
    Report,
    ReportEvent,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_problems_and_measures(loaded_demo: LoadedDemo) -> None:
    summary = loaded_demo.summary
    today = timezone.localdate()
    problems = Problem.objects.all()
    assert summary.problems_created == problems.count() == 12
    aspects = {p.category.parent.code for p in problems.select_related("category__parent")}
    assert aspects == {"livelihood", "urban", "economy", "service"}
    campaigns = set(problems.values_list("campaigns__code", flat=True)) - {None}
    assert campaigns == {
        "broken-promises",
        "judicial-environment",
        "inaction",
        "black-intermediaries",
        "monopoly-utilities",
    }
    for problem in problems:
        assert problem.lead_unit is not None and problem.responsible_official
        assert problem.co_units.exists()
        assert 2 <= problem.measures.count() <= 4
    assert problems.filter(cases__isnull=False).distinct().count() >= 10
    lights = Problem.objects.get(title="老旧小区路灯长期不亮")
    assert (
        lights.cases.filter(category__code="street-lights").exists()
        or lights.cases.filter(submission__description__contains="路灯").exists()
    )

    measures = Measure.objects.all()
    assert summary.measures_created == measures.count()
    assert set(measures.values_list("status", flat=True)) == set(MeasureStatus.values)
    assert measures.overdue(today).count() >= 3
    assert Milestone.objects.filter(done_at__isnull=False).exists()
    assert Milestone.objects.filter(done_at__isnull=True).exists()
    assert len(set(measures.values_list("progress", flat=True))) >= 5
    # Every signed-off measure has evidence; the others need none.
    for measure in measures.filter(status__in=[MeasureStatus.VERIFIED, MeasureStatus.CLOSED]):
        assert measure.evidence.filter(content_type="image/jpeg").exists()
        assert measure.done_at <= measure.verified_at
    approved = Extension.objects.filter(approved_at__isnull=False)
    assert approved.count() == 1 and approved.get().reason
    assert approved.get().measure.deadline == approved.get().new_deadline
    assert Extension.objects.filter(approved_at__isnull=True).count() == 1
    now = timezone.now()
    assert not measures.filter(created_at__gt=now).exists()
    assert not measures.filter(done_at__gt=now).exists()


def test_ledgers_and_reports(loaded_demo: LoadedDemo) -> None:
    summary = loaded_demo.summary
    today = timezone.localdate()
    assert Enterprise.objects.count() >= 8
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        assert credit_code_error(code) is None, code
    promises = PromiseItem.objects.all()
    assert promises.count() == 15
    assert promises.filter(status=PromiseStatus.RESOLVED, enterprise_confirmed=True).exists()
    assert promises.filter(status=PromiseStatus.RESOLVED, enterprise_confirmed=False).exists()
    assert promises.overdue(today).count() >= 3
    backlog = BacklogCase.objects.all()
    assert backlog.count() >= 10
    assert {ageing_bucket(case.age_days(today)) for case in backlog} == {
        "under_90",
        "90_180",
        "180_365",
        "over_365",
    }
    utilities = Utility.objects.all()
    assert set(utilities.values_list("unit__code", flat=True)) == {"power", "gas", "water"}
    for utility in utilities:
        assert 1 <= utility.disclosures.count() <= 2
        latest = utility.latest_disclosure()
        assert all(text for _key, _label, text in latest.sections())
    assert summary.ledger_rows_created == 15 + backlog.count() + 3 + Disclosure.objects.count()

    # The demo's own reports; opinions alleging misconduct are reports too
    # (test_misconduct_opinions), filed through their channels.
    reports = Report.objects.exclude(external_id__in=summary.opinions_reported)
    assert summary.reports_created == 4
    assert reports.filter(ledger=Ledger.INACTION).count() == 2
    intermediary = reports.filter(ledger=Ledger.INTERMEDIARY)
    assert intermediary.count() == 2
    assert sum(report.is_anonymous for report in intermediary) == 1
    assert all(report.followup_digest for report in intermediary)


def test_a_second_run_adds_nothing_and_the_chains_hold(loaded_demo: LoadedDemo) -> None:
    before = _counts()
    second = load_demo(submissions=loaded_demo.submissions)
    assert _counts() == before
    assert (second.problems_created, second.measures_created) == (0, 0)
    assert (second.ledger_rows_created, second.reports_created) == (0, 0)
    out = StringIO()
    call_command("verify_chains", stdout=out, stderr=StringIO())
    assert "Every chain is intact." in out.getvalue()
    assert "commitments.MeasureEvent: 0 events" not in out.getvalue()


def test_histories_carry_the_dates_they_tell_of(loaded_demo: LoadedDemo) -> None:
    """Measures, problems, ledgers and reports were recorded as of their own past, in order,
    not all at the moment the demo was loaded."""
    loaded_at = loaded_demo.now
    for model, owner in (
        (MeasureEvent, "measure_id"),
        (ProblemEvent, "problem_id"),
        (ProblemChange, "problem_id"),
        (LedgerEvent, "entity_id"),
        (ReportEvent, "report_id"),
    ):
        events = list(model.objects.order_by("chain", "position"))
        assert events, model.__name__
        assert all(event.created_at <= timezone.now() for event in events)
        by_owner: dict[tuple, list] = {}
        for event in events:
            key = (event.chain, getattr(event, owner), getattr(event, "entity_type", ""))
            by_owner.setdefault(key, []).append(event.created_at)
        for key, times in by_owner.items():
            assert times == sorted(times), (model.__name__, key, times)
        older = sum(event.created_at < loaded_at - timezone.timedelta(days=1) for event in events)
        assert older > len(events) * 0.8, (model.__name__, older, len(events))
    for item in PromiseItem.objects.all():
        created = LedgerEvent.objects.get(
            entity_type="promiseitem", entity_id=item.pk, action="create"
        )
        assert timezone.localtime(created.created_at).date() == item.promised_on
        resolved = LedgerEvent.objects.filter(
            entity_type="promiseitem", entity_id=item.pk, action="resolve"
        ).first()
        if item.resolved_on:
            assert timezone.localtime(resolved.created_at).date() == item.resolved_on
    for measure in Measure.objects.exclude(done_at=None):
        done = measure.events.filter(action="mark_done").get()
        assert done.created_at == measure.done_at
    for problem in Problem.objects.all():
        assert problem.changes.get(action="create").created_at == problem.created_at
