"""The three integrity signals of the campaign against black intermediaries, read from what
the online hall recorded. Each is a pattern worth a look, never a finding: a desk can be
slow for good reasons, an accountant files for many firms, and offices may read a rule
differently. The pages say so.

- stuck: an application held at one official's desk far longer than that step usually takes
  (STUCK_FACTOR times the step's median handling time, and at least STUCK_MIN_HOURS), where
  the step has at least MIN_PASSAGES completed passages to compare with;
- agents: one agent's phone, or one contact phone, on applications of at least MIN_APPLICANTS
  different applicants within AGENT_DAYS;
- refusals: a unit refused a material at least MIN_REFUSALS times, in a share of its decisions
  on it at least REFUSAL_RATIO times the share refused by the other units, which accepted the
  same material at least MIN_ACCEPTED times and in at least ACCEPTED_ELSEWHERE_SHARE of their
  decisions.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from civicdesk.accounts.models import Unit, User
from civicdesk.applications.models import (
    Application,
    MaterialDecision,
    ProcessStep,
    StepFigure,
    StepRun,
)
from civicdesk.applications.workflow import OPEN_STATUSES

STUCK_FACTOR = 3
STUCK_MIN_HOURS = 24
MIN_PASSAGES = 5
AGENT_DAYS = 180
MIN_APPLICANTS = 3
MIN_REFUSALS = 3
MIN_ACCEPTED = 3
ACCEPTED_ELSEWHERE_SHARE = 0.8
REFUSAL_RATIO = 2
LIST_LIMIT = 200


@dataclass(frozen=True)
class StuckRow:
    application: Application
    step: ProcessStep
    holder: User
    taken_at: dt.datetime
    seconds_at_desk: int
    step_median: int

    @property
    def times_median(self) -> float:
        return self.seconds_at_desk / self.step_median if self.step_median else 0.0

    @property
    def identifier(self) -> str:
        return self.application.tracking_code


def stuck(*, now: dt.datetime | None = None, excluded_units=None) -> list[StuckRow]:
    now = now or timezone.now()
    baselines = {
        figure.step_id: figure.handle_median
        for figure in StepFigure.objects.filter(
            completed__gte=MIN_PASSAGES, handle_median__isnull=False
        )
    }
    floor = STUCK_MIN_HOURS * 3600
    conditions = Q()
    for step_id, median in baselines.items():
        threshold = max(STUCK_FACTOR * median, floor)
        conditions |= Q(step_id=step_id, taken_at__lt=now - dt.timedelta(seconds=threshold))
    if not baselines:
        return []
    runs = (
        StepRun.objects.open()
        .filter(conditions, holder__isnull=False, application__status__in=OPEN_STATUSES)
        .select_related("application__item", "step__unit", "holder")
        .order_by("taken_at")
    )
    if excluded_units is not None:
        runs = runs.exclude(step__unit__in=excluded_units)
    rows = []
    for run in runs[:LIST_LIMIT]:
        # Time the applicant was asked for materials is not the desk's.
        at_desk = int((now - run.taken_at).total_seconds()) - run.applicant_wait_seconds
        median = baselines[run.step_id]
        if at_desk > max(STUCK_FACTOR * median, floor):
            rows.append(
                StuckRow(
                    application=run.application,
                    step=run.step,
                    holder=run.holder,
                    taken_at=run.taken_at,
                    seconds_at_desk=at_desk,
                    step_median=median,
                )
            )
    return sorted(rows, key=lambda row: -row.times_median)


@dataclass(frozen=True)
class AgentRow:
    kind: str  # "agent" or "contact"
    phone: str
    names: list[str]
    applicants: int
    applications: int
    matters: int
    first: dt.datetime
    last: dt.datetime

    @property
    def identifier(self) -> str:
        return f"{self.kind}:{self.phone}"


def agents(*, now: dt.datetime | None = None) -> list[AgentRow]:
    since = (now or timezone.now()) - dt.timedelta(days=AGENT_DAYS)
    recent = Application.objects.filter(submitted_at__gte=since)
    rows: list[AgentRow] = []
    for kind, column, name_column in (
        ("agent", "agent_key", "agent_name"),
        ("contact", "phone_key", "applicant_name"),
    ):
        grouped = (
            recent.exclude(**{column: ""})
            .order_by()
            .values(column)
            .annotate(
                applicants=Count("applicant_key", distinct=True),
                applications=Count("id"),
                matters=Count("item", distinct=True),
                first=Min("submitted_at"),
                last=Max("submitted_at"),
            )
            .filter(applicants__gte=MIN_APPLICANTS)
            .order_by("-applicants", column)[:LIST_LIMIT]
        )
        grouped = list(grouped)
        names: dict[str, list[str]] = {}
        if kind == "agent":
            for key, name in (
                recent.filter(agent_key__in=[row[column] for row in grouped])
                .order_by()
                .values_list(column, name_column)
                .distinct()
            ):
                names.setdefault(key, []).append(name)
        for row in grouped:
            rows.append(
                AgentRow(
                    kind=kind,
                    phone=row[column],
                    names=sorted(names.get(row[column], []))[:5],
                    applicants=row["applicants"],
                    applications=row["applications"],
                    matters=row["matters"],
                    first=row["first"],
                    last=row["last"],
                )
            )
    return sorted(rows, key=lambda row: (-row.applicants, row.kind, row.phone))


@dataclass(frozen=True)
class RefusalRow:
    material: str
    unit: Unit
    refused: int
    accepted: int
    accepted_elsewhere: int
    refused_elsewhere: int
    refusers: list[str]

    @property
    def share_elsewhere(self) -> float:
        total = self.accepted_elsewhere + self.refused_elsewhere
        return self.accepted_elsewhere / total if total else 0.0

    @property
    def identifier(self) -> str:
        return f"{self.unit.code}:{self.material}"


def refusals(*, excluded_units=None) -> list[RefusalRow]:
    counts = (
        MaterialDecision.objects.order_by()
        .values("name", "unit")
        .annotate(
            refused=Count("id", filter=Q(decision=MaterialDecision.REFUSED)),
            accepted=Count("id", filter=Q(decision=MaterialDecision.ACCEPTED)),
        )
    )
    by_name: dict[str, list[dict]] = {}
    for row in counts:
        by_name.setdefault(row["name"], []).append(row)
    found = []
    for name, rows in by_name.items():
        total_refused = sum(row["refused"] for row in rows)
        total_accepted = sum(row["accepted"] for row in rows)
        for row in rows:
            if row["refused"] < MIN_REFUSALS:
                continue
            accepted_elsewhere = total_accepted - row["accepted"]
            refused_elsewhere = total_refused - row["refused"]
            decided_elsewhere = accepted_elsewhere + refused_elsewhere
            if accepted_elsewhere < MIN_ACCEPTED or (
                accepted_elsewhere / decided_elsewhere < ACCEPTED_ELSEWHERE_SHARE
            ):
                continue
            share_here = row["refused"] / (row["refused"] + row["accepted"])
            if share_here < REFUSAL_RATIO * (refused_elsewhere / decided_elsewhere):
                continue
            found.append((name, row, accepted_elsewhere, refused_elsewhere))
    units = Unit.objects.in_bulk([row["unit"] for _n, row, _a, _r in found])
    excluded = (
        set(excluded_units.values_list("pk", flat=True)) if excluded_units is not None else set()
    )
    result = []
    for name, row, accepted_elsewhere, refused_elsewhere in found:
        if row["unit"] in excluded:
            continue
        refusers = (
            MaterialDecision.objects.filter(
                name=name, unit_id=row["unit"], decision=MaterialDecision.REFUSED
            )
            .order_by()
            .values("actor__display_name", "actor__username")
            .annotate(n=Count("id"))
            .order_by("-n")[:3]
        )
        result.append(
            RefusalRow(
                material=name,
                unit=units[row["unit"]],
                refused=row["refused"],
                accepted=row["accepted"],
                accepted_elsewhere=accepted_elsewhere,
                refused_elsewhere=refused_elsewhere,
                refusers=[
                    f"{r['actor__display_name'] or r['actor__username']} ({r['n']})"
                    for r in refusers
                ],
            )
        )
    return sorted(result, key=lambda row: (-row.refused, row.material))[:LIST_LIMIT]
