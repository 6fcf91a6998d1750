"""The dashboard for leaders and supervisors, its drill-downs and XLSX export, and the
public dashboard of aggregated figures only."""

from datetime import timedelta
from io import BytesIO
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.core.access import staff_view
from civicdesk.core.templatetags.civic import local_name
from civicdesk.dashboard import access, aggregate, figures
from civicdesk.dashboard.forms import DashboardForm, DrillForm
from civicdesk.evaluation import rates
from civicdesk.evaluation.views import RATE_LABELS
from civicdesk.ledgers.spreadsheets import safe_cell
from civicdesk.ratings.models import Level, Rating

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest, form_class=DashboardForm, *, public: bool = False):
    units = rates.appraised_units() if public else Unit.objects.active()
    asked = "since" in request.GET or "until" in request.GET
    data = request.GET if asked else {**DashboardForm.default_initial(), **request.GET.dict()}
    return form_class(data, units=units)


def _query(scope: figures.Scope, **drill) -> str:
    params = {"since": scope.since, "until": scope.end - timedelta(days=1)}
    if scope.unit is not None:
        params["unit"] = scope.unit.code
    params.update({k: v for k, v in drill.items() if v is not None})
    return urlencode(params)


class Links:
    """Drill-down addresses for one scope; the public dashboard has none. A page holds
    hundreds of them, so the part they share is built once per unit."""

    def __init__(self, scope: figures.Scope, enabled: bool) -> None:
        self.scope, self.enabled = scope, enabled
        self.path = reverse("dashboard:drill")
        self.bases: dict[Unit | None, str] = {}

    def __call__(self, unit: Unit | None = None, **drill) -> str:
        if not self.enabled:
            return ""
        unit = unit or self.scope.unit
        if unit not in self.bases:
            scope = figures.Scope(since=self.scope.since, end=self.scope.end, unit=unit)
            self.bases[unit] = f"{self.path}?{_query(scope)}"
        extra = urlencode({k: v for k, v in drill.items() if v is not None})
        return f"{self.bases[unit]}&{extra}" if extra else self.bases[unit]


def _chart(kind: str, shares: list[figures.Share]) -> dict:
    return {
        "kind": kind,
        "labels": [s.label for s in shares],
        "values": [s.count for s in shares],
        "urls": [s.url for s in shares],
    }


def _rate_cells(row: rates.UnitRates, links: Links, unit: Unit | None) -> list[dict]:
    cells = []
    for name, label in RATE_LABELS.items():
        figure = row.figures[name]
        aside = rates.ASIDES.get(name)
        cells.append(
            {
                "name": name,
                "label": label,
                "figure": figure,
                "numerator_url": links(unit=unit, rate=name, part="numerator"),
                "denominator_url": links(unit=unit, rate=name, part="denominator"),
                # The follow-ups without an answer beside the resolution rate, and their cases.
                "aside": row.aside(name),
                "aside_url": aside and links(unit=unit, rate=aside, part="numerator"),
            }
        )
    return cells


def _context(scope: figures.Scope, *, staff: bool) -> dict:
    links = Links(scope, enabled=staff)
    volume = figures.volume(scope, uncategorised=_("Not categorised"))
    for shares in (volume.by_channel, volume.by_aspect, volume.by_category, volume.by_day):
        for share in shares:
            share.url = links(**share.drill)
    total, ranking = figures.unit_table(scope)
    trend = figures.trend(scope)
    levels = figures.rating_levels(scope)
    commitments = figures.commitments(scope)
    level_labels = dict(Level.choices)
    state_labels = dict(figures.MEASURE_STATES)
    charts = {
        "chart-day": _chart("line", volume.by_day),
        "chart-channel": _chart("bar", volume.by_channel),
        "chart-aspect": _chart("pie", volume.by_aspect),
        "chart-category": _chart("bar", volume.by_category[:15]),
        "chart-trend": {
            "kind": "trend",
            "labels": [month.strftime("%Y-%m") for month, _sums in trend],
            "series": [
                {
                    "name": str(RATE_LABELS[name]),
                    "values": [
                        round(sums[name].rate * 100, 1)
                        if name in sums and sums[name].rate is not None
                        else None
                        for _month, sums in trend
                    ],
                }
                for name in rates.MAIN_RATES
            ],
        },
        "chart-ratings": {
            "kind": "pie",
            "labels": [str(level_labels[level]) for level in levels],
            "values": list(levels.values()),
            "urls": [links(level=level) for level in levels],
        },
        "chart-commitments": {
            "kind": "pie",
            "labels": [str(state_labels[state]) for state in commitments],
            "values": list(commitments.values()),
            "urls": [links(measures=state) for state in commitments],
        },
    }
    rows = [
        {
            "unit": row.unit,
            "rank": row.rank,
            "case_count": row.case_count,
            "case_url": links(unit=row.unit, counted=1),
            "cells": _rate_cells(row, links, row.unit),
        }
        for row in [*ranking.ranked, *ranking.too_few]
    ]
    return {
        "scope": scope,
        "staff": staff,
        "volume": volume,
        "total": {
            "case_count": total.case_count,
            "cells": _rate_cells(total, links, None),
            "case_url": links(),
        },
        "rows": rows,
        "min_cases": ranking.min_cases,
        "rate_labels": [str(label) for label in RATE_LABELS.values()],
        "trend": trend,
        "levels": [(level_labels[lv], n, links(level=lv)) for lv, n in levels.items()],
        "commitments": [
            (state_labels[state], n, links(measures=state)) for state, n in commitments.items()
        ],
        "problems_url": reverse("dashboard:problems" if staff else "dashboard:public_problems")
        + f"?{_query(scope)}",
        "charts": charts,
        "refreshed": aggregate.last_refresh(),
    }


@require_GET
@staff_view(access.can_read_dashboard)
def index(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "dashboard/index.html", {"form": form}, status=400)
    scope = form.scope()
    context = _context(scope, staff=True)
    context.update(
        form=form,
        query=_query(scope),
    )
    return render(request, "dashboard/index.html", context)


@require_GET
@staff_view(access.can_read_dashboard)
def problems(request: HttpRequest) -> HttpResponse:
    """The prominent problems of the dashboard's scope, loaded into the page after it."""
    return _problems(request, staff=True)


@require_GET
def public_problems(request: HttpRequest) -> HttpResponse:
    return _problems(request, staff=False)


def _problems(request: HttpRequest, *, staff: bool) -> HttpResponse:
    form = _form(request, public=not staff)
    if not form.is_valid():
        return render(request, "dashboard/drill.html", {"form": form}, status=400)
    context = {"problems": figures.top_problems(form.scope()), "staff": staff}
    if request.headers.get("HX-Request"):
        return render(request, "dashboard/_problems.html", context)
    # Opened as a page of its own (a link, a bookmark): the site's page around the list.
    context["back"] = reverse("dashboard:index" if staff else "dashboard:public")
    return render(request, "dashboard/problems.html", context)


@require_GET
@staff_view(access.can_read_dashboard)
def map_squares(request: HttpRequest) -> JsonResponse:
    """The map's squares with the address of each one's cases, as JSON for the page's map."""
    form = _form(request)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    scope = form.scope()
    links = Links(scope, enabled=True)
    squares = [
        {**square, "url": links(square=square["square"])} for square in figures.map_squares(scope)
    ]
    return JsonResponse({"squares": squares})


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Aggregated figures only: no drill-down, no points on a map, no names of people."""
    form = _form(request, public=True)
    if not form.is_valid():
        return render(request, "dashboard/public.html", {"form": form}, status=400)
    context = _context(form.scope(), staff=False)
    context["form"] = form
    return render(request, "dashboard/public.html", context)


def _page(rows, page: int) -> tuple[list, bool]:
    """One page without counting the whole list: a count over a city's cases costs more
    than the page itself."""
    start = (page - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def _drill_rows(request: HttpRequest, form: DrillForm):
    """The live rows behind the chosen number, through the user's access helpers."""
    data = form.cleaned_data
    scope = form.scope()
    start, stop = aggregate.local_midnight(scope.since), aggregate.local_midnight(scope.end)
    kind = form.kind
    if kind == "rate":
        definition = rates.DEFINITIONS[data["rate"]]
        rows = definition.rows()
        if scope.unit is not None:
            rows = definition.for_unit_subtree(rows, scope.unit)
        # The figures are as of the last refresh, so the list uses the same moment.
        refreshed = aggregate.last_refresh()
        now = refreshed.started_at if refreshed else timezone.now()
        rows = definition.cases(rows, start, stop, now, data["part"])
        if rows.model is Rating:
            return "ratings", access.ratings_for(request.user).filter(pk__in=rows.values("pk"))
        column = "pk" if rows.model is Case else "case_id"
        cases = access.cases_for(request.user).filter(pk__in=rows.values(column))
        return "cases", cases.select_related("unit", "category")
    if kind == "ratings":
        ratings = (
            access.ratings_for(request.user)
            .counted()
            .filter(level=data["level"], created_at__gte=start, created_at__lt=stop)
        )
        if scope.unit is not None:
            ratings = ratings.for_unit_subtree(scope.unit)
        return "ratings", ratings
    if kind == "measures":
        measures = figures.measures_in_scope(scope).filter(
            figures.measure_filters()[data["measures"]]
        )
        return "measures", access.measures_for(request.user).filter(
            pk__in=measures.values("pk")
        ).select_related("unit", "problem")
    cases = access.cases_for(request.user).filter(received_at__gte=start, received_at__lt=stop)
    if scope.unit is not None:
        cases = cases.filter(unit_id__in=scope.unit_ids)
    if data.get("counted"):
        cases = cases.exclude(status=Status.MERGED)
    if data.get("channel"):
        cases = cases.filter(submission__channel_id=data["channel"])
    for name in ("category", "aspect"):
        value = data.get(name)
        if value == "none":
            cases = cases.filter(category__isnull=True)
        elif value is not None:
            ids = [value] if name == "category" else figures.aspect_category_ids(value)
            cases = cases.filter(category_id__in=ids)
    if data.get("square"):
        cases = cases.filter(**figures.square_bounds(data["square"]))
    if data.get("day"):
        day = data["day"]
        cases = cases.filter(
            received_at__gte=aggregate.local_midnight(day),
            received_at__lt=aggregate.local_midnight(day + timedelta(days=1)),
        )
    return "cases", cases.select_related("unit", "category")


@require_GET
@staff_view(access.can_read_dashboard)
def drill(request: HttpRequest) -> HttpResponse:
    form = _form(request, DrillForm)
    if not form.is_valid():
        return render(request, "dashboard/drill.html", {"form": form}, status=400)
    kind, rows = _drill_rows(request, form)
    page = form.cleaned_data.get("page") or 1
    items, more = _page(rows.order_by("-pk"), page)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "kind": kind,
        "items": items,
        "page": page,
        "more": more,
        "query": params.urlencode(),
        "back": f"{reverse('dashboard:index')}?{_query(form.scope())}",
        "refreshed": aggregate.last_refresh(),
    }
    return render(request, "dashboard/drill.html", context)


def _sheet(book: Workbook, title: str, header: list, rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])


@require_GET
@staff_view(access.can_read_dashboard)
def export(request: HttpRequest) -> HttpResponse:
    """Every figure of the dashboard's current filter, one sheet per chart."""
    form = _form(request)
    if not form.is_valid():
        return render(request, "dashboard/index.html", {"form": form}, status=400)
    scope = form.scope()
    context = _context(scope, staff=False)
    volume = context["volume"]
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    refreshed = context["refreshed"]
    for label, value in [
        (_("From"), scope.since),
        (_("Until"), scope.end - timedelta(days=1)),
        (_("Unit"), local_name(scope.unit) if scope.unit else _("All units")),
        (_("Figures as of"), timezone.localtime(refreshed.started_at) if refreshed else ""),
        (_("Cases received"), volume.total),
    ]:
        summary.append([safe_cell(label), safe_cell(value)])
    count = _("Cases received")
    for title, shares in [
        (_("Channels"), volume.by_channel),
        (_("Aspects"), volume.by_aspect),
        (_("Categories"), volume.by_category),
        (_("Days"), volume.by_day),
    ]:
        _sheet(book, title, [title, count], [[s.label, s.count] for s in shares])
    header = [_("Rank"), _("Unit"), _("Cases received")]
    for name, label in RATE_LABELS.items():
        header += [str(label), _("%(rate)s: counted") % {"rate": label}]
        header += [_("%(rate)s: of") % {"rate": label}]
        if name in rates.ASIDES:
            header.append(_("%(rate)s: follow-ups without an answer") % {"rate": label})
    unit_rows = []
    for row in [{"unit": None, "rank": "", **context["total"]}, *context["rows"]]:
        cells = [
            row["rank"] or ("" if row["unit"] is None else _("too few cases to rank")),
            local_name(row["unit"]) if row["unit"] else _("Total"),
            row["case_count"],
        ]
        for cell in row["cells"]:
            figure = cell["figure"]
            rate = round(figure.rate, 4) if figure.rate is not None else ""
            cells += [rate, figure.numerator, figure.denominator]
            if cell["aside"] is not None:
                cells.append(cell["aside"].numerator)
        unit_rows.append(cells)
    _sheet(book, _("Units"), header, unit_rows)
    trend_header = [_("Month")]
    for name in rates.MAIN_RATES:
        trend_header += [str(RATE_LABELS[name]), _("%(rate)s: of") % {"rate": RATE_LABELS[name]}]
    trend_rows = []
    for month, sums in context["trend"]:
        cells = [month.strftime("%Y-%m")]
        for name in rates.MAIN_RATES:
            figure = sums.get(name, rates.Figure(0, 0))
            cells += [round(figure.rate, 4) if figure.rate is not None else "", figure.denominator]
        trend_rows.append(cells)
    _sheet(book, _("Trend"), trend_header, trend_rows)
    _sheet(
        book,
        _("Ratings"),
        [_("Rating"), _("Count")],
        [[str(lv), n] for lv, n, _u in context["levels"]],
    )
    _sheet(
        book,
        _("Commitments"),
        [_("Measures due in the period"), _("Count")],
        [[str(state), n] for state, n, _u in context["commitments"]],
    )
    _sheet(
        book,
        _("Problems"),
        [_("Problem"), _("Heat"), _("Cases received")],
        [[p.title, round(p.heat, 2), p.case_count] for p in figures.top_problems(scope)],
    )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"dashboard-{scope.since.isoformat()}-{(scope.end - timedelta(days=1)).isoformat()}"
    if scope.unit is not None:
        name += f"-{scope.unit.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
