"""The staff dashboard's figures as JSON: for a period and a unit (its whole subtree), the same
aggregates as /dashboard/staff/, read from the pre-aggregated rows (dashboard.figures) and as
of their last refresh. Leaders, supervisors and administrators only, as on the page."""

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicdesk.accounts.models import Unit, User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import code_name, forbid_unless, reads
from civicdesk.api.errors import invalid
from civicdesk.api.evaluation import RatesOut, UnitRatesOut, period, rates_out, unit_rates_out
from civicdesk.api.schemas import CodeNameOut
from civicdesk.cases.models import Category
from civicdesk.dashboard import access, aggregate, figures
from civicdesk.intake.models import Channel
from civicdesk.ratings.models import Level

router = Router(tags=["dashboard"], auth=staff_token)


# --- Shapes --------------------------------------------------------------------------------


class DashboardQuery(Schema):
    since: date | None = Field(None, description="First day; default the 1st of this month.")
    until: date | None = Field(None, description="Last day; default today.")
    unit: str | None = Field(None, description="Unit code; the figures cover its subtree.")


class CountOut(Schema):
    code: str | None = Field(..., description="Channel or category code; null: none.")
    label: str
    count: int


class DayCountOut(Schema):
    day: date
    count: int


class MonthRatesOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    rates: RatesOut


class LevelCountOut(Schema):
    level: int
    label: str
    count: int


class MeasureStateOut(Schema):
    state: str
    label: str
    count: int


class ProblemHeatOut(Schema):
    id: int
    title: str
    heat: float
    case_count: int = Field(..., description="Linked cases received in the period.")


class MapSquareOut(Schema):
    square: str = Field(..., description="The square's key, as the page's map drill-down uses.")
    latitude: float = Field(..., description="The square's centre.")
    longitude: float
    count: int = Field(..., description="Cases with a place in the square in the period.")


class DashboardOut(Schema):
    since: date
    until: date
    unit: CodeNameOut | None
    as_of: datetime | None = Field(..., description="When the figures were last refreshed.")
    cases_received: int
    by_channel: list[CountOut]
    by_aspect: list[CountOut]
    by_category: list[CountOut]
    by_day: list[DayCountOut]
    total: UnitRatesOut = Field(..., description="The scope's own rates.")
    min_cases: int
    units: list[UnitRatesOut] = Field(..., description="The units below, ranked ones first.")
    trend: list[MonthRatesOut]
    rating_levels: list[LevelCountOut]
    commitments: list[MeasureStateOut] = Field(..., description="Measures due in the period.")
    problems: list[ProblemHeatOut]
    map_squares: list[MapSquareOut] = Field(
        ..., description="Cases with a place per square of about 100 m, busiest first."
    )


# --- Operation -----------------------------------------------------------------------------


def _counts(shares: list[figures.Share], codes: dict[int, str]) -> list[dict]:
    return [
        {
            "code": codes.get(share.key) if share.key is not None else None,
            "label": share.label,
            "count": share.count,
        }
        for share in shares
    ]


@router.get("", response=reads(DashboardOut), summary="The dashboard's figures")
def dashboard_figures(request: HttpRequest, query: Query[DashboardQuery]) -> dict:
    user: User = request.auth
    forbid_unless(access.can_read_dashboard(user))
    since, until = period("query", query.since, query.until)
    unit = None
    if query.unit:
        unit = Unit.objects.active().filter(code=query.unit).first()
        if unit is None:
            raise invalid("query", "unit", _("There is no unit “%(code)s”.") % {"code": query.unit})
    scope = figures.Scope(since=since, end=until + timedelta(days=1), unit=unit)
    volume = figures.volume(scope, uncategorised=_("Not categorised"))
    total, ranking = figures.unit_table(scope)
    channels = dict(Channel.objects.values_list("pk", "code"))
    categories = dict(Category.objects.values_list("pk", "code"))
    level_labels = dict(Level.choices)
    state_labels = dict(figures.MEASURE_STATES)
    refreshed = aggregate.last_refresh()
    return {
        "since": since,
        "until": until,
        "unit": code_name(unit),
        "as_of": refreshed.started_at if refreshed else None,
        "cases_received": volume.total,
        "by_channel": _counts(volume.by_channel, channels),
        "by_aspect": _counts(volume.by_aspect, categories),
        "by_category": _counts(volume.by_category, categories),
        "by_day": [{"day": share.key, "count": share.count} for share in volume.by_day],
        "total": unit_rates_out(total),
        "min_cases": ranking.min_cases,
        "units": [unit_rates_out(row) for row in [*ranking.ranked, *ranking.too_few]],
        "trend": [
            {"month": month.strftime("%Y-%m"), "rates": rates_out(sums)}
            for month, sums in figures.trend(scope)
        ],
        "rating_levels": [
            {"level": level, "label": str(level_labels[level]), "count": count}
            for level, count in figures.rating_levels(scope).items()
        ],
        "commitments": [
            {"state": state, "label": str(state_labels[state]), "count": count}
            for state, count in figures.commitments(scope).items()
        ],
        "problems": [
            {"id": p.pk, "title": p.title, "heat": p.heat, "case_count": p.case_count}
            for p in figures.top_problems(scope)
        ],
        "map_squares": [
            {
                "square": square["square"],
                "latitude": square["lat"],
                "longitude": square["lng"],
                "count": square["count"],
            }
            for square in figures.map_squares(scope)
        ],
    }
