"""The public catalogue with its figures, and the staff pages: record a case, per-unit
figures for a period with an XLSX export, and editing catalogue items."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.catalogue import services, sources
from civicdesk.catalogue.access import (
    can_edit_items,
    catalogue_staff_view,
    get_item_for_editor,
    get_public_item,
    units_for,
)
from civicdesk.catalogue.forms import ItemForm, PeriodForm, RecordForm
from civicdesk.catalogue.models import ServiceItem, ServiceRecord
from civicdesk.catalogue.spreadsheet import metrics_workbook

PUBLIC_PERIOD_DAYS = 90
# Process versions whose step times the public item page shows: the one in force and the one
# before it (a re-engineering, before and after).
SHOWN_VERSIONS = 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of `start` up to (not including) local midnight after `end`."""

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    return midnight(start), midnight(end + dt.timedelta(days=1))


def _public_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=PUBLIC_PERIOD_DAYS - 1), today


def _rows(items, start, end, *, units=None) -> list[tuple[ServiceItem, object, str]]:
    """(item, figures, source): from the hall's applications where the item has them in the
    period, from the service records otherwise."""
    return [
        (row.item, row.metrics, row.source)
        for row in sources.item_figures(items, start, end, units=units)
    ]


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    start, end = _public_period()
    bounds = _bounds(start, end)
    items = ServiceItem.objects.active().select_related("responsible_unit").with_metrics(*bounds)
    return render(
        request,
        "catalogue/list.html",
        {"rows": _rows(items, *bounds), "start": start, "end": end},
    )


def hall_process(item: ServiceItem) -> dict:
    """The item's checklist and step times in the online hall, when it has a process there."""
    from civicdesk.applications import figures
    from civicdesk.applications.models import MatterVersion, VersionStatus

    versions = list(MatterVersion.objects.filter(item=item).order_by("-number")[:SHOWN_VERSIONS])
    if not versions:
        return {}
    current = versions[0]
    times = figures.step_times(versions)
    return {
        "hall_version": current,
        "hall_open": current.status == VersionStatus.ACTIVE,
        "hall_materials": current.materials.all(),
        "hall_versions": [(version, times[version.pk]) for version in reversed(versions)],
    }


@require_GET
def public_item(request: HttpRequest, code: str) -> HttpResponse:
    item = get_public_item(code)
    start, end = _public_period()
    bounds = _bounds(start, end)
    metrics = sources.item_applications(item, *bounds)
    source = sources.APPLICATIONS
    if metrics is None:
        records = ServiceRecord.objects.filter(item=item).in_period(*bounds)
        metrics, source = records.metrics(promises_once=item.promises_once), sources.RECORDS
    return render(
        request,
        "catalogue/item.html",
        {
            "item": item,
            "metrics": metrics,
            "source": source,
            "start": start,
            "end": end,
            **hall_process(item),
        },
    )


@require_http_methods(["GET", "POST"])
@catalogue_staff_view
def staff_record(request: HttpRequest) -> HttpResponse:
    units = units_for(request.user)
    if request.method == "POST":
        form = RecordForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.service_record_create(
                    actor=request.user,
                    item=data["item"],
                    unit=data["unit"],
                    channel=data["channel"],
                    visits=data["visits"],
                    completed_on_spot=data["completed_on_spot"],
                    applicant_type=data["applicant_type"],
                )
            except services.CatalogueError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The service case was recorded."))
                return redirect("catalogue:record")
    else:
        form = RecordForm(
            units=units, initial={"unit": request.user.unit_id, "channel": "window", "visits": 1}
        )
    recent = ServiceRecord.objects.filter(staff=request.user).select_related("item", "unit")[:10]
    return render(
        request,
        "catalogue/record.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


def _staff_figures(request: HttpRequest):
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    start, end = form.period()
    bounds = _bounds(start, end)
    units = units_for(request.user)
    records = ServiceRecord.objects.filter(unit__in=units).in_period(*bounds)
    by_unit, total = sources.unit_and_total_figures(records, *bounds, units=units)
    names = units.in_bulk([unit_id for unit_id, _metrics in by_unit])
    unit_rows = sorted(
        ((names[unit_id], metrics) for unit_id, metrics in by_unit if unit_id in names),
        key=lambda row: row[0].path,
    )
    items = ServiceItem.objects.select_related("responsible_unit").with_metrics(
        *bounds, units=units
    )
    return form, {
        "start": start,
        "end": end,
        "total": total,
        "unit_rows": unit_rows,
        "item_rows": _rows(items, *bounds, units=units),
    }


@require_GET
@catalogue_staff_view
def staff_metrics(request: HttpRequest) -> HttpResponse:
    form, figures = _staff_figures(request)
    context = {"form": form, "can_edit": can_edit_items(request.user), **(figures or {})}
    return render(request, "catalogue/staff.html", context, status=200 if figures else 400)


@require_GET
@catalogue_staff_view
def staff_export(request: HttpRequest) -> HttpResponse:
    form, figures = _staff_figures(request)
    if figures is None:
        return render(request, "catalogue/staff.html", {"form": form}, status=400)
    content = metrics_workbook(**figures)
    name = f"service-catalogue-{figures['start']:%Y%m%d}-{figures['end']:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _item_initial(item: ServiceItem) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "responsible_unit": item.responsible_unit,
        "materials": item.materials,
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
        "online": item.online,
        "max_visits": item.max_visits,
        "is_active": item.is_active,
    }


@require_http_methods(["GET", "POST"])
@catalogue_staff_view
def item_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not can_edit_items(request.user):
        raise Http404
    item = get_item_for_editor(request.user, code) if code is not None else None
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.service_item_save(
                    actor=request.user, item=item, **form.cleaned_data
                )
            except services.CatalogueError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The service item was saved."))
                return redirect("catalogue:staff")
    else:
        form = ItemForm(initial=_item_initial(item) if item else None)
    return render(
        request,
        "catalogue/item_edit.html",
        {"form": form, "item": item},
        status=400 if form.errors else 200,
    )
