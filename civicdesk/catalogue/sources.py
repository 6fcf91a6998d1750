"""Where each item's figures come from: the online hall's applications, counted from what
happened (visits, channel, same-day issue at the window), for an item that has applications
finished in the period; the staff's service records otherwise.

The application figures are read from the hall's pre-aggregated day rows
(civicdesk.applications.figures), so a period costs a few hundred rows however many
applications there are.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from civicdesk.applications import figures
from civicdesk.catalogue.models import Metrics, ServiceItem, metrics_from

APPLICATIONS = "applications"
RECORDS = "records"


def plus(first: Metrics, second: Metrics) -> Metrics:
    """The figures of two sets of cases together."""
    records = first.records + second.records
    visits = (first.average_visits or 0) * first.records + (
        second.average_visits or 0
    ) * second.records
    return Metrics(
        records=records,
        average_visits=visits / records if records else None,
        at_most_one=first.at_most_one + second.at_most_one,
        window_records=first.window_records + second.window_records,
        on_spot=first.on_spot + second.on_spot,
        online=first.online + second.online,
        over_one=first.over_one + second.over_one,
        promises_once=first.promises_once,
    )


@dataclass(frozen=True)
class ItemFigures:
    item: ServiceItem
    metrics: Metrics
    source: str


def _days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The local days of [start, end) (the views' bounds are local midnights)."""
    from django.utils import timezone

    return timezone.localdate(start), timezone.localdate(end - dt.timedelta(microseconds=1))


def application_totals(
    start: dt.datetime, end: dt.datetime, *, units: QuerySet | None = None
) -> tuple[dict[int, figures.Totals], dict[int, figures.Totals]]:
    """(per item, per unit) sums of the applications finished in the period."""
    rows = figures.day_rows(*_days(start, end))
    if units is not None:
        rows = rows.filter(unit__in=units)
    by_item = {pk: t for pk, t in figures.totals_by("item", rows).items() if t.finished}
    by_unit = {pk: t for pk, t in figures.totals_by("unit", rows).items() if t.finished}
    return by_item, by_unit


def item_figures(
    items, start: dt.datetime, end: dt.datetime, *, units: QuerySet | None = None
) -> list[ItemFigures]:
    """Each item (annotated with_metrics of its records) with the figures it shows."""
    by_item, _by_unit = application_totals(start, end, units=units)
    result = []
    for item in items:
        totals = by_item.get(item.pk)
        if totals is not None:
            metrics = totals.metrics(promises_once=item.promises_once)
            result.append(ItemFigures(item, metrics, APPLICATIONS))
        else:
            metrics = metrics_from(item, promises_once=item.promises_once)
            result.append(ItemFigures(item, metrics, RECORDS))
    return result


def unit_and_total_figures(
    records: QuerySet, start: dt.datetime, end: dt.datetime, *, units: QuerySet
) -> tuple[list[tuple[int, Metrics]], Metrics]:
    """Per unit and in total: records of the items without applications in the period, plus
    the applications of the items that have them."""
    by_item, by_unit = application_totals(start, end, units=units)
    records = records.exclude(item__in=list(by_item))
    per_unit = dict(records.metrics_by_unit())
    for unit_id, totals in by_unit.items():
        applications = totals.metrics()
        per_unit[unit_id] = (
            plus(per_unit[unit_id], applications) if unit_id in per_unit else (applications)
        )
    total = records.metrics()
    for totals in by_unit.values():
        total = plus(total, totals.metrics())
    return list(per_unit.items()), total


def item_applications(item: ServiceItem, start: dt.datetime, end: dt.datetime) -> Metrics | None:
    by_item, _by_unit = application_totals(start, end)
    totals = by_item.get(item.pk)
    return totals.metrics(promises_once=item.promises_once) if totals else None
