"""``load_demo``: plan the whole district, then write it in one transaction."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent, Category
from civicdesk.dashboard import aggregate as dashboard_aggregate
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.applications import ensure_applications
from civicdesk.demo.generator.commitments import ensure_problems
from civicdesk.demo.generator.dates import as_of
from civicdesk.demo.generator.ledgers import ensure_ledgers
from civicdesk.demo.generator.organisation import (
    _ensure_categories,
    _ensure_templates,
    _ensure_units,
    _ensure_users,
)
from civicdesk.demo.generator.plan import EXTERNAL_ID_PREFIX, _choose_statuses, _draw_specs
from civicdesk.demo.generator.service_quality import ensure_service_quality
from civicdesk.demo.generator.steps import _plan_steps
from civicdesk.demo.generator.timelines import (
    _backdate,
    _case_times,
    _new_submission,
    _run_steps,
)
from civicdesk.demo.generator.truth import Truth, truth_of, write_truth
from civicdesk.demo.generator.visits_training import ensure_visits_training
from civicdesk.demo.generator.work_orders import ensure_work_orders
from civicdesk.intake.models import Channel, Submission
from civicdesk.intake.routing import confidential_routing
from civicdesk.intake.services import receive
from civicdesk.notifications.services import suppressed as notifications_suppressed
from civicdesk.questionnaires.demo import ensure_demo_questionnaire


@dataclass
class DemoSummary:
    units_created: int = 0
    users_created: int = 0
    templates_created: int = 0
    submissions_created: int = 0
    submissions_skipped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    problems_created: int = 0
    measures_created: int = 0
    ledger_rows_created: int = 0
    reports_created: int = 0
    # Opinions alleging misconduct (不作为乱作为, 黑中介) filed by this run as confidential
    # reports instead of cases, by external id (one already filed counts as skipped).
    opinions_reported: list[str] = field(default_factory=list)
    ratings_created: int = 0
    rectifications_created: int = 0
    followups_created: int = 0
    service_records_created: int = 0
    questionnaire_responses: int = 0
    service_quality_seconds: float = 0.0
    seconds: float = 0.0
    # Which problem each demo opinion reports, by external id (see generator/truth.py).
    truth: dict[str, Truth] = field(default_factory=dict)


@contextmanager
def _without_query_log() -> Iterator[None]:
    """Skip Django's debug query log while loading (``civicdesk demo`` runs with DEBUG on).

    In DEBUG every query is recorded and, on SQLite, its parameters are quoted by one more
    query; over the ~50,000 queries of the demo that was about a third of the load time. The
    override is on this connection object only and is removed afterwards.
    """
    if not connection.queries_logged or connection.force_debug_cursor:
        yield
        return
    connection.make_debug_cursor = connection.make_cursor  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.make_debug_cursor


def load_demo(
    *,
    seed: int = 2044,
    submissions: int = 2044,
    now: datetime | None = None,
    stdout: TextIO | None = None,
    truth_file: str | Path | None = None,
) -> DemoSummary:
    """Create (or complete) the demo district; a second run adds nothing it already has.

    The summary's ``truth`` says which problem each opinion reports; ``truth_file`` also
    writes it down as a CSV (generator/truth.py)."""
    started = time.perf_counter()
    now = now or timezone.now()
    rng = random.Random(seed)
    summary = DemoSummary()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    # The demo's reporters and phone numbers are invented (and could belong to someone): its
    # backfilled history queues no message.
    with _without_query_log(), notifications_suppressed(), transaction.atomic():
        units, summary.units_created = _ensure_units()
        users, summary.users_created = _ensure_users(units)
        _ensure_categories(units)
        summary.templates_created = _ensure_templates(units)

        specs = _draw_specs(rng, now, submissions)
        _choose_statuses(rng, now, specs)
        unit_names = {code: name for code, name, _k, _p in v.UNITS}
        for spec in specs:
            _plan_steps(rng, now, spec, unit_names)

        channels = {channel.code: channel for channel in Channel.objects.all()}
        categories = {category.code: category for category in Category.objects.all()}
        existing = dict(
            Submission.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).values_list(
                "external_id", "case__id"
            )
        )
        say(
            f"Demo district {v.DISTRICT_NAME}: {len(units)} units, {len(users)} staff; "
            f"{len(specs) - len(existing.keys() & {s.external_id for s in specs})} new submissions"
        )
        cases: dict[int, Case] = {}
        event_times: dict[int, datetime] = {}
        case_updates: list[Case] = []
        reported: set[str] = set()
        for index, spec in enumerate(specs):
            if spec.external_id in existing:
                summary.submissions_skipped += 1
                cases[index] = Case(pk=existing[spec.external_id])
                continue
            # Through the one entry point of every channel: an allegation of misconduct or of
            # collusion with black intermediaries becomes a confidential report there
            # (intake.routing), never a case that could be handed to the unit it accuses.
            data = _new_submission(spec, channels, categories, users)
            routed = confidential_routing(category=data.category, description=data.description)
            # A report's events are dated when the opinion came (cases are backdated below).
            with as_of(spec.received_at) if routed else nullcontext():
                received = receive(data=data)
            if received.is_confidential:
                reported.add(spec.external_id)
                if received.created:
                    summary.opinions_reported.append(spec.external_id)
                else:
                    summary.submissions_skipped += 1
                continue
            case = received.case
            into = cases.get(spec.merge_into) if spec.merge_into is not None else None
            case = _run_steps(spec, case, users, units, into, event_times)
            cases[index] = case
            case_updates.append(_case_times(spec, case))
            summary.submissions_created += 1
            if summary.submissions_created % 500 == 0:
                say(f"  {summary.submissions_created} submissions…")
        if summary.opinions_reported:
            say(
                f"  {len(summary.opinions_reported)} opinions alleging misconduct filed as "
                "confidential reports"
            )

        # The truth is about the opinions that became cases (the reports are not clustered).
        summary.truth = {key: row for key, row in truth_of(specs).items() if key not in reported}
        if truth_file is not None:
            write_truth(truth_file, summary.truth)

        _backdate(CaseEvent, ["created_at"], [(pk, [at]) for pk, at in event_times.items()])
        fields = ["assigned_at", "first_responded_at", "answered_at", "closed_at", "escalated_at"]
        _backdate(Case, fields, [(c.pk, [getattr(c, f) for f in fields]) for c in case_updates])

        # The campaign features: prominent problems with their measures, the ledgers and a
        # few confidential reports, each keyed so that a second run adds nothing.
        today = timezone.localdate(now)
        summary.problems_created, summary.measures_created = ensure_problems(
            seed=seed, today=today, users=users, units=units
        )
        ledgers = ensure_ledgers(seed=seed, today=today, users=users, units=units)
        summary.ledger_rows_created = (
            ledgers.promises + ledgers.backlog + ledgers.utilities + ledgers.disclosures
        )
        summary.reports_created = ledgers.reports
        say(
            f"  {summary.problems_created} problems with {summary.measures_created} measures, "
            f"{summary.ledger_rows_created} ledger rows, {summary.reports_created} reports"
        )
        # Service quality: 百姓评 ratings, satisfaction follow-ups and service records.
        quality_started = time.perf_counter()
        quality = ensure_service_quality(seed=seed, now=now, users=users, units=units)
        summary.service_quality_seconds = time.perf_counter() - quality_started
        summary.ratings_created = quality.ratings
        summary.rectifications_created = quality.rectifications
        summary.followups_created = quality.followups
        summary.service_records_created = quality.service_records
        say(
            f"  {quality.ratings} window ratings ({quality.rectifications} rectifications), "
            f"{quality.followups} follow-ups, {quality.service_records} service records"
        )
        # The online service hall: matters with checklists and processes, applications.
        say(f"  {ensure_applications(seed=seed, now=now, users=users, units=units)} applications")
        # The enterprise business-environment questionnaire, with answers from the web and
        # from paper; its written answers and low scores are submissions like any other.
        summary.questionnaire_responses = ensure_demo_questionnaire(
            seed=seed, now=now, users=users, units=units
        )
        say(f"  {summary.questionnaire_responses} questionnaire responses")
        # Return visits and praise, the knowledge base, training and the appraisal scheme.
        extras = ensure_visits_training(seed=seed, now=now, users=users, units=units)
        say(
            f"  {extras.visits} return visits ({extras.visits_closed} closed, "
            f"{extras.rehandled} re-handled), {extras.entries} knowledge entries, "
            f"{extras.sessions} training sessions"
        )
        # Work orders: dispatch rules, co-handling, extensions, suspensions, arbitration and
        # supervision letters, with the journey of issue 16 (generator/work_orders.py).
        work_orders = ensure_work_orders(seed=seed, now=now, users=users, units=units)
        say(
            f"  {work_orders.rules} dispatch rules, {work_orders.cases} work-order cases, "
            f"{work_orders.letters} supervision letters"
        )
        # The dashboard's figures, so that it shows the demo at once rather than after the
        # worker's first scheduled refresh.
        refreshed = dashboard_aggregate.refresh(full=True, now=now)
        say(f"  dashboard figures for {refreshed.days} days")
    summary.statuses = dict(
        Counter(
            Case.objects.filter(submission__external_id__startswith=EXTERNAL_ID_PREFIX).values_list(
                "status", flat=True
            )
        )
    )
    summary.seconds = time.perf_counter() - started
    say(
        f"Loaded in {summary.seconds:.1f} s: {summary.submissions_created} created, "
        f"{summary.submissions_skipped} already there."
    )
    return summary
