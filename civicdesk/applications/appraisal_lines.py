"""The appraisal line kind of the online hall: a deduction per material asked for after the
first notice (一次性告知 broken). Issue 18 says such a request "counts against the unit": this
is where it counts. Each material on a later notice that was not on the application's first
one counts once, against the unit whose step sent that notice (its subtree, like every line),
in the month the notice went out."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import Unit
from civicdesk.applications.models import NoticeItem
from civicdesk.appraisal.lines import DEDUCTION, DrillRow, LineKind, Measured, Period, register
from civicdesk.core.templatetags.civic import local_name

CODE = "late_material_request"


def late_requests(unit: Unit, period: Period) -> QuerySet:
    """The materials asked for after the first notice by the unit's subtree in the month."""
    return NoticeItem.objects.filter(
        on_first_notice=False,
        notice__unit__path__startswith=unit.path,
        notice__created_at__gte=period.start,
        notice__created_at__lt=period.end,
    )


def measure(unit: Unit, period: Period, target: str) -> Measured:
    count = late_requests(unit, period).count()
    return Measured(Decimal(count), str(count))


def rows(unit: Unit, period: Period, target: str) -> Iterable[DrillRow]:
    items = late_requests(unit, period).select_related(
        "notice__application__item", "notice__unit", "material__requirement"
    )
    for item in items.order_by("notice__created_at", "pk"):
        application = item.notice.application
        yield DrillRow(
            code=application.tracking_code,
            text=(
                f"{local_name(application.item)} · {item.material.requirement.name}"
                f" · {local_name(item.notice.unit)}"
            ),
            when=item.notice.created_at,
            url=reverse("applications:staff_detail", args=[application.pk]),
        )


def register_line() -> None:
    register(
        LineKind(
            code=CODE,
            label=gettext_lazy("Deduction per material asked for after the first notice"),
            effect=DEDUCTION,
            measure=measure,
            rows=rows,
            items_label=gettext_lazy("Materials asked for after the first notice"),
        )
    )
