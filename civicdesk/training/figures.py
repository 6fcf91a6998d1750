"""Training hours per person and unit: each attendance credits its session's hours (on the
session's date), each study record its assignment's hours (on the day it was finished), each
contest entry the contest's hours (on the contest's date). A unit's figures count the staff
whose unit is the unit or one below it (their unit now); hours per person divide the unit's
hours by its active staff, trained or not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from civicdesk.accounts.models import Unit, User
from civicdesk.training.models import Attendance, ContestEntry, StudyRecord

LECTURES, STUDY, CONTESTS = "lectures", "study", "contests"
KINDS = (LECTURES, STUDY, CONTESTS)


@dataclass
class PersonHours:
    person: User
    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(KINDS, Decimal(0)))

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))


@dataclass(frozen=True)
class TrainingFigures:
    hours: Decimal
    # Staff with any hours in the period, and active staff of the unit.
    people: int
    staff: int

    @property
    def per_person(self) -> Decimal | None:
        if not self.staff:
            return None
        return (self.hours / self.staff).quantize(Decimal("0.1"))


def _days(start: datetime | date, end: datetime | date) -> tuple[date, date]:
    """Local days [first, end) of a period given as datetimes or dates."""
    first = timezone.localdate(start) if isinstance(start, datetime) else start
    stop = timezone.localdate(end) if isinstance(end, datetime) else end
    return first, stop


def staff_of(unit: Unit):
    return User.objects.filter(is_active=True, unit__path__startswith=unit.path).exclude(role="")


def _sums(people, first: date, stop: date) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(KINDS, Decimal(0)))
    sources = (
        (LECTURES, Attendance.objects, "session__date", "session__hours"),
        (STUDY, StudyRecord.objects, "finished_on", "assignment__hours"),
        (CONTESTS, ContestEntry.objects, "contest__date", "contest__hours"),
    )
    for kind, rows, day, hours in sources:
        grouped = (
            rows.filter(person__in=people, **{f"{day}__gte": first, f"{day}__lt": stop})
            .values("person")
            .annotate(total=Sum(hours))
            .order_by()
        )
        for row in grouped:
            sums[row["person"]][kind] += row["total"] or Decimal(0)
    return sums


def person_hours(people, start: datetime | date, end: datetime | date) -> list[PersonHours]:
    """Hours of each of `people` (a User QuerySet) in the period, most hours first."""
    first, stop = _days(start, end)
    people = list(people.select_related("unit"))
    sums = _sums([p.pk for p in people], first, stop)
    rows = [
        PersonHours(person=p, hours=sums.get(p.pk) or dict.fromkeys(KINDS, Decimal(0)))
        for p in people
    ]
    rows.sort(key=lambda r: (-r.total, r.person.username))
    return rows


def unit_figures(unit: Unit, start: datetime | date, end: datetime | date) -> TrainingFigures:
    first, stop = _days(start, end)
    staff = list(staff_of(unit).values_list("pk", flat=True))
    sums = _sums(staff, first, stop)
    totals = [sum(kinds.values(), Decimal(0)) for kinds in sums.values()]
    return TrainingFigures(
        hours=sum(totals, Decimal(0)), people=sum(1 for t in totals if t > 0), staff=len(staff)
    )


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)
