"""The appraisal line kind of training: a bonus per training hour per staff member of the unit
in the month (figures.unit_figures), up to the line's limit. Schemes without such a line are
not changed by training at all; its figures are then only shown beside the score."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import Unit
from civicdesk.appraisal.lines import BONUS, DrillRow, LineKind, Measured, Period, register
from civicdesk.training import figures
from civicdesk.training.models import Attendance, ContestEntry, StudyRecord


def measure(unit: Unit, period: Period, target: str) -> Measured:
    found = figures.unit_figures(unit, period.start, period.end)
    per_person = found.per_person
    text = _("%(per)s h per person (%(hours)s h, %(staff)d staff)") % {
        "per": per_person if per_person is not None else "—",
        "hours": found.hours,
        "staff": found.staff,
    }
    return Measured(per_person, text)


def rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    first, stop = figures._days(period.start, period.end)
    people = figures.staff_of(unit)
    for attendance in Attendance.objects.filter(
        person__in=people, session__date__gte=first, session__date__lt=stop
    ).select_related("session", "person"):
        session = attendance.session
        yield DrillRow(
            code=str(attendance.person),
            text=f"{session.get_kind_display()} · {session.topic} · {session.hours} h",
            when=session.date,
            url=reverse("training:session", args=[session.pk]),
        )
    for record in StudyRecord.objects.filter(
        person__in=people, finished_on__gte=first, finished_on__lt=stop
    ).select_related("assignment", "person"):
        yield DrillRow(
            code=str(record.person),
            text=f"{record.assignment.title} · {record.assignment.hours} h",
            when=record.finished_on,
            url=reverse("training:assignment", args=[record.assignment_id]),
        )
    for entry in ContestEntry.objects.filter(
        person__in=people, contest__date__gte=first, contest__date__lt=stop
    ).select_related("contest", "person"):
        yield DrillRow(
            code=str(entry.person),
            text=f"{entry.contest.title} · {entry.contest.hours} h",
            when=entry.contest.date,
            url=reverse("training:contest", args=[entry.contest_id]),
        )


def register_line() -> None:
    register(
        LineKind(
            code="training_hours",
            label=gettext_lazy("Bonus per training hour per person"),
            effect=BONUS,
            measure=measure,
            rows=rows,
            items_label=gettext_lazy("Training records of the unit's staff"),
        )
    )
