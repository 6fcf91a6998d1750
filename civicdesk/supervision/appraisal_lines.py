"""The appraisal line kind of supervision: a deduction per supervision letter answered late
(督办件逾期回复): letters to the unit's subtree whose reply deadline fell in the month (and has
passed) and that were not replied to by the end of that day, answered late or not at all.
A reply sent back counts by the unit's last reply, as the letter keeps it."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import Unit
from civicdesk.appraisal.lines import DEDUCTION, DrillRow, LineKind, Measured, Period, register
from civicdesk.supervision.models import SupervisionLetter

CODE = "late_supervision_letter"


def late_letters(unit: Unit, period: Period) -> QuerySet:
    first = timezone.localdate(period.start)
    # A deadline counts once its day is over: before today, and before the month's end.
    last = min(timezone.localdate(period.end), timezone.localdate(period.now))
    return (
        SupervisionLetter.objects.for_unit_subtree(unit)
        .filter(deadline__gte=first, deadline__lt=last)
        .annotate(replied_on=TruncDate("replied_at"))
        .filter(Q(replied_at__isnull=True) | Q(replied_on__gt=F("deadline")))
    )


def measure(unit: Unit, period: Period, target: str) -> Measured:
    count = late_letters(unit, period).count()
    return Measured(Decimal(count), str(count))


def rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    for letter in late_letters(unit, period).select_related("unit").order_by("deadline", "pk"):
        yield DrillRow(
            code=letter.number,
            text=f"{letter.unit} · {letter.requirement[:60]}",
            when=letter.due_at,  # when the reply became late
            url=reverse("supervision:letter", args=[letter.pk]),
        )


def register_line() -> None:
    register(
        LineKind(
            code=CODE,
            label=gettext_lazy("Deduction per supervision letter answered late"),
            effect=DEDUCTION,
            measure=measure,
            rows=rows,
            items_label=gettext_lazy("Supervision letters not replied to by their deadline"),
        )
    )
