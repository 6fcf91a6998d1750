"""The service catalogue for staff: record each service case handled at a window or online,
read the figures ("run at most once", on-site completion, online share) for a period, and keep
the catalogue's items. Who may do what is catalogue.access: any staff member with a unit
records for their unit's subtree (district-wide roles for any unit); supervisors and
administrators edit the items; discipline inspectors use none of it."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    Page,
    PersonOut,
    check_period,
    code_name,
    forbid_unless,
    optional_unit,
    person,
    reads,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut, Text, inline_enum
from civicdesk.catalogue import access, services, sources
from civicdesk.catalogue.forms import MAX_PERIOD_DAYS
from civicdesk.catalogue.models import (
    MAX_VISITS_RECORDED,
    ApplicantType,
    Channel,
    Metrics,
    OnlineAvailability,
    ServiceItem,
    ServiceRecord,
    VisitsNeeded,
)

router = Router(tags=["catalogue"], auth=staff_token)

Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[-\w]+$")
]


# --- Shapes --------------------------------------------------------------------------------


# Not a shared "Channel" component: notifications have a Channel too (see inline_enum).
ChannelField = inline_enum(Channel, "ServiceChannel")


class ItemIn(Schema):
    code: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    name_en: Text = Field("", max_length=160)
    responsible_unit: Text | None = Field(None, max_length=40, description="Unit code.")
    materials: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]] = (
        Field([], max_length=100, description="Required materials, one per entry.")
    )
    legal_days: int = Field(..., ge=1, le=365, description="Legal time limit, working days.")
    promised_days: int = Field(..., ge=1, le=365, description="Promised time limit.")
    online: OnlineAvailability
    max_visits: VisitsNeeded = Field(..., description="0 none, 1 at most one, 2 two or more.")
    is_active: bool = True


class ItemOut(Schema):
    code: str
    name: str
    name_en: str
    responsible_unit: CodeNameOut | None
    materials: list[str]
    legal_days: int
    promised_days: int
    online: OnlineAvailability
    max_visits: VisitsNeeded
    is_active: bool


class RecordIn(Schema):
    item: Slug = Field(..., description="Service item code.")
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = (
        Field(..., description="Code of the window (unit) that handled it.")
    )
    channel: ChannelField
    visits: int = Field(..., ge=0, le=MAX_VISITS_RECORDED)
    completed_on_spot: bool = False
    applicant_type: ApplicantType | None = None


class RecordOut(Schema):
    id: int
    item: CodeNameOut
    unit: CodeNameOut
    staff: PersonOut | None
    channel: ChannelField
    visits: int
    completed_on_spot: bool
    applicant_type: str
    recorded_at: dt.datetime


class RecordFilters(Schema):
    start: dt.date | None = Field(None, description="First day; default 90 days back.")
    end: dt.date | None = Field(None, description="Last day; default today.")
    unit: str | None = Field(None, description="Unit code; includes the units below it.")
    item: str | None = Field(None, description="Service item code.")


class MetricsOut(Schema):
    records: int
    average_visits: float | None
    at_most_one_share: float | None = Field(..., description="Share with at most one visit.")
    on_spot_rate: float | None = Field(..., description="Window cases completed on the spot.")
    online_share: float | None
    once_kept: bool | None = Field(
        ..., description="'Run at most once' kept; null when nothing to judge."
    )


class UnitMetricsOut(Schema):
    unit: CodeNameOut
    metrics: MetricsOut


class ItemMetricsOut(Schema):
    item: CodeNameOut
    metrics: MetricsOut


class FiguresOut(Schema):
    start: dt.date
    end: dt.date
    total: MetricsOut
    units: list[UnitMetricsOut]
    items: list[ItemMetricsOut]


class CataloguePeriodQuery(Schema):  # not "PeriodQuery": that is evaluation's
    start: dt.date | None = Field(None, description="First day; default 90 days back.")
    end: dt.date | None = Field(None, description="Last day; default today.")


# --- Output --------------------------------------------------------------------------------


def item_out(item: ServiceItem) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "responsible_unit": code_name(item.responsible_unit),
        "materials": item.material_list,
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
        "online": item.online,
        "max_visits": item.max_visits,
        "is_active": item.is_active,
    }


def record_out(record: ServiceRecord) -> dict:
    return {
        "id": record.pk,
        "item": code_name(record.item),
        "unit": code_name(record.unit),
        "staff": person(record.staff),
        "channel": record.channel,
        "visits": record.visits,
        "completed_on_spot": record.completed_on_spot,
        "applicant_type": record.applicant_type,
        "recorded_at": record.recorded_at,
    }


def metrics_out(metrics: Metrics) -> dict:
    return {
        "records": metrics.records,
        "average_visits": metrics.average_visits,
        "at_most_one_share": metrics.at_most_one_share,
        "on_spot_rate": metrics.on_spot_rate,
        "online_share": metrics.online_share,
        "once_kept": metrics.once_kept,
    }


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    return midnight(start), midnight(end + dt.timedelta(days=1))


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=89)
    check_period(
        "query",
        start,
        end,
        end_field="end",
        max_span_days=MAX_PERIOD_DAYS,
        too_long=_("Choose a period of at most three years."),
    )
    return start, end


def _recorder(user: User) -> None:
    forbid_unless(access.can_record(user))


def _save_item(user: User, item: ServiceItem | None, payload: ItemIn) -> ServiceItem:
    try:
        return services.service_item_save(
            actor=user,
            item=item,
            code=payload.code,
            name=payload.name,
            name_en=payload.name_en,
            responsible_unit=optional_unit("body", "responsible_unit", payload.responsible_unit),
            materials="\n".join(payload.materials),
            legal_days=payload.legal_days,
            promised_days=payload.promised_days,
            online=payload.online,
            max_visits=payload.max_visits,
            is_active=payload.is_active,
        )
    except services.CatalogueError as error:
        raise ApiError(409, str(error)) from None


# --- Items ---------------------------------------------------------------------------------


@router.get("/items", response=reads(list[ItemOut]), summary="The catalogue's service items")
def list_service_items(request: HttpRequest) -> list[dict]:
    _recorder(request.auth)
    return [item_out(i) for i in ServiceItem.objects.select_related("responsible_unit")]


@router.post("/items", response=writes(ItemOut, 201), summary="Add a service item")
def create_service_item(request: HttpRequest, payload: ItemIn) -> Status[dict]:
    _recorder(request.auth)
    forbid_unless(access.can_edit_items(request.auth))
    return Status(201, item_out(_save_item(request.auth, None, payload)))


@router.put("/items/{code}", response=writes(ItemOut), summary="Change a service item")
def update_service_item(request: HttpRequest, code: str, payload: ItemIn) -> dict:
    _recorder(request.auth)
    forbid_unless(access.can_edit_items(request.auth))
    item = access.get_item_for_editor(request.auth, code)
    return item_out(_save_item(request.auth, item, payload))


# --- Records -------------------------------------------------------------------------------


@router.post("/records", response=writes(RecordOut, 201), summary="Record a service case")
def create_service_record(request: HttpRequest, payload: RecordIn) -> Status[dict]:
    user: User = request.auth
    _recorder(user)
    item = ServiceItem.objects.active().filter(code=payload.item).first()
    if item is None:
        raise invalid(
            "body", "item", _("There is no service item “%(code)s”.") % {"code": payload.item}
        )
    unit = access.units_for(user).filter(code=payload.unit).first()
    if unit is None:
        raise invalid("body", "unit", _("You cannot record service cases for this window."))
    try:
        record = services.service_record_create(
            actor=user,
            item=item,
            unit=unit,
            channel=payload.channel,
            visits=payload.visits,
            completed_on_spot=payload.completed_on_spot,
            applicant_type=payload.applicant_type or "",
        )
    except services.CatalogueError as error:
        raise ApiError(409, str(error)) from None
    return Status(201, record_out(record))


@router.get(
    "/records", response=reads(list[RecordOut]), summary="Service cases of the caller's units"
)
@paginate(Page, serialize=record_out)
def list_service_records(request: HttpRequest, filters: Query[RecordFilters]) -> Any:
    user: User = request.auth
    _recorder(user)
    start, end = _period(filters.start, filters.end)
    units = access.units_for(user)
    if filters.unit:
        unit = units.filter(code=filters.unit).first()
        if unit is None:
            raise invalid(
                "query", "unit", _("There is no unit “%(code)s”.") % {"code": filters.unit}
            )
        units = units.subtree_of(unit)
    records = ServiceRecord.objects.filter(unit__in=units).in_period(*_bounds(start, end))
    if filters.item:
        records = records.filter(item__code=filters.item)
    return records.select_related("item", "unit", "staff")


@router.get(
    "/figures",
    response=reads(FiguresOut),
    summary="Figures per unit and per item for a period (the caller's units)",
)
def service_figures(request: HttpRequest, query: Query[CataloguePeriodQuery]) -> dict:
    user: User = request.auth
    _recorder(user)
    start, end = _period(query.start, query.end)
    bounds = _bounds(start, end)
    units = access.units_for(user)
    records = ServiceRecord.objects.filter(unit__in=units).in_period(*bounds)
    # Items handled in the online hall count their applications, the others their records.
    by_unit, total = sources.unit_and_total_figures(records, *bounds, units=units)
    names = units.in_bulk([unit_id for unit_id, _metrics in by_unit])
    unit_rows = sorted(
        ((names[unit_id], metrics) for unit_id, metrics in by_unit if unit_id in names),
        key=lambda row: row[0].path,
    )
    items = ServiceItem.objects.with_metrics(*bounds, units=units)
    return {
        "start": start,
        "end": end,
        "total": metrics_out(total),
        "units": [{"unit": code_name(u), "metrics": metrics_out(m)} for u, m in unit_rows],
        "items": [
            {"item": code_name(row.item), "metrics": metrics_out(row.metrics)}
            for row in sources.item_figures(items, *bounds, units=units)
        ],
    }
