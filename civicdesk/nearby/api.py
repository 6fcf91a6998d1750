"""Reports near you in the API (registered under /api/v1/nearby by civicdesk.api.api), no
account needed: the map's clusters, published reports, "me too" and area alerts."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints, model_validator

from civicdesk.api.common import Page, category_by_code
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut, ErrorOut, ValidationErrorOut
from civicdesk.cases.models import Case
from civicdesk.core.ratelimit import client_address, over_limit, seconds_left
from civicdesk.core.templatetags.civic import local_name
from civicdesk.nearby import services
from civicdesk.nearby.models import AlertKind
from civicdesk.nearby.queries import (
    MAP_STATUSES,
    MAX_ZOOM,
    Box,
    clusters,
    get_published_report,
    map_status,
    published_reports,
    with_endorsement_counts,
    with_status,
)
from civicdesk.nearby.views import alert_rate_limit, metoo_rate_limit

router = Router(tags=["nearby"])

# A map view of a whole country at zoom 5 is about 40 degrees wide; more is not a map view.
MAX_BOX_DEGREES = 60.0


class MapQuery(Schema):
    category: str | None = Field(None, max_length=60, description="Category code.")
    status: str | None = Field(
        None, max_length=40, description="open, answered, or both (comma-separated)."
    )

    def statuses(self) -> list[str]:
        values = [part.strip() for part in (self.status or "").split(",") if part.strip()]
        wrong = [value for value in values if value not in MAP_STATUSES]
        if wrong:
            raise invalid(
                "query",
                "status",
                _("“%(values)s” is not a status: use open, answered or both.")
                % {"values": ", ".join(wrong)},
            )
        return values

    def apply(self, cases):
        category = category_by_code("query", "category", self.category)
        if category is not None:
            cases = cases.filter(category=category)
        return with_status(cases, self.statuses())


class ClusterQuery(MapQuery):
    south: float = Field(..., ge=-90, le=90)
    west: float = Field(..., ge=-180, le=180)
    north: float = Field(..., ge=-90, le=90)
    east: float = Field(..., ge=-180, le=180)
    zoom: int = Field(..., ge=0, le=MAX_ZOOM, description="The map's zoom level.")

    @model_validator(mode="after")
    def _box(self) -> "ClusterQuery":
        if self.north <= self.south or self.east <= self.west:
            raise ValueError(_("north must be above south and east right of west."))
        if self.north - self.south > MAX_BOX_DEGREES or self.east - self.west > MAX_BOX_DEGREES:
            raise ValueError(
                _("The box may span at most %(max)d degrees.") % {"max": MAX_BOX_DEGREES}
            )
        return self


class ReportQuery(MapQuery):
    pass


class PublishedReportOut(Schema):
    public_id: str = Field(..., description="The report's public id (never its tracking code).")
    status: Literal["open", "answered"]
    status_label: str
    category: CodeNameOut | None
    unit: str | None
    received_at: datetime
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    answer: str
    answered_at: datetime | None
    me_too: int = Field(..., description="How many said “me too” (附议).")
    url: str = Field(..., description="Path of the report's public page on this site.")


class CellOut(Schema):
    count: int
    latitude: float
    longitude: float
    south: float
    west: float
    north: float
    east: float
    report: PublishedReportOut | None = Field(None, description="The report of a cell holding one.")


class ClustersOut(Schema):
    cells: list[CellOut]
    total: int


class MeTooOut(Schema):
    public_id: str
    me_too: int


Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]


class AlertIn(Schema):
    email: Email
    kind: Literal["radius", "street"] = "radius"
    latitude: float | None = Field(None, description="Centre of the circle (radius alerts).")
    longitude: float | None = None
    radius_m: int | None = Field(None, description="Radius in metres, up to the site's maximum.")
    street: str = Field("", max_length=100, description="Street name (street alerts).")


class AlertOut(Schema):
    detail: str


def report_out(case: Case) -> dict:
    submission = case.submission
    status = map_status(case)
    return {
        "public_id": case.public_id,
        "status": status,
        "status_label": str(_("Being handled") if status == "open" else _("Answered")),
        "category": (
            {"code": case.category.code, "name": local_name(case.category)}
            if case.category
            else None
        ),
        "unit": local_name(case.unit) if case.unit else None,
        "received_at": case.received_at,
        "description": case.public_text(submission.description),
        "address": case.public_text(submission.address),
        "latitude": float(submission.latitude) if submission.latitude is not None else None,
        "longitude": float(submission.longitude) if submission.longitude is not None else None,
        "answer": case.public_text(case.answer),
        "answered_at": case.answered_at,
        "me_too": getattr(case, "endorsement_count", 0),
        "url": reverse("nearby:report", args=[case.public_id]),
    }


def _listed(cases):
    return with_endorsement_counts(cases.with_public_texts().select_related("unit", "category"))


@router.get(
    "/clusters",
    url_name="map_clusters",
    response={200: ClustersOut, 422: ValidationErrorOut},
    summary="Published reports in a map box, grouped in grid cells of the zoom level",
)
def map_clusters(request: HttpRequest, query: Query[ClusterQuery]) -> dict:
    box = Box(query.south, query.west, query.north, query.east)
    cells = clusters(query.apply(published_reports()), box, query.zoom)
    singles = {cell.case_id for cell in cells if cell.case_id is not None}
    loaded = _listed(Case.objects.filter(pk__in=singles)).in_bulk() if singles else {}
    return {
        "cells": [
            {
                "count": cell.count,
                "latitude": cell.latitude,
                "longitude": cell.longitude,
                "south": cell.south,
                "west": cell.west,
                "north": cell.north,
                "east": cell.east,
                "report": report_out(loaded[cell.case_id]) if cell.case_id in loaded else None,
            }
            for cell in cells
        ],
        "total": sum(cell.count for cell in cells),
    }


@router.get(
    "/reports",
    response={200: list[PublishedReportOut], 422: ValidationErrorOut},
    summary="Published reports, newest first (no account needed)",
)
@paginate(Page, serialize=report_out)
def list_public_reports(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    return _listed(query.apply(published_reports())).order_by("-received_at", "-id")


@router.get(
    "/reports/{public_id}",
    response={200: PublishedReportOut, 404: ErrorOut},
    summary="A published report by its public id",
)
def get_public_report(request: HttpRequest, public_id: str) -> dict:
    case = get_published_report(public_id)
    return report_out(_listed(Case.objects.filter(pk=case.pk)).get())


@router.post(
    "/reports/{public_id}/me-too",
    response={201: MeTooOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="Say “me too” (附议) to a published report still being handled",
    description=(
        "One per person, report and day (the same client address and User-Agent count as "
        "one person); refused with 409 once given, and with 429 past "
        "CIVICDESK_METOO_RATE_LIMIT per client."
    ),
)
def me_too(request: HttpRequest, public_id: str) -> Status:
    case = get_published_report(public_id)
    spec = metoo_rate_limit()
    if over_limit(request, "metoo", spec):
        raise ApiError(
            429,
            _("Too many “me too” from your connection. Please try again later."),
            headers={"Retry-After": str(seconds_left(spec))},
        )
    try:
        endorsed = services.endorse(
            case=case,
            browser_id="",
            client_address=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except services.NearbyError as error:
        raise ApiError(409, str(error)) from None
    return Status(201, {"public_id": case.public_id, "me_too": endorsed.count})


@router.post(
    "/alerts",
    response={202: AlertOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Subscribe an e-mail address to new published reports in an area",
    description=(
        "A circle (latitude, longitude, radius_m up to CIVICDESK_ALERT_MAX_RADIUS metres) or "
        "a street. A confirmation link is mailed; nothing else is sent until it is opened."
    ),
)
def subscribe_area_alert(request: HttpRequest, payload: AlertIn) -> Status:
    spec = alert_rate_limit()
    if over_limit(request, "area-alert", spec):
        raise ApiError(
            429,
            _("Too many subscriptions from your connection. Try again later."),
            headers={"Retry-After": str(seconds_left(spec))},
        )
    try:
        area = services.alert_area(
            kind=payload.kind,
            latitude=payload.latitude,
            longitude=payload.longitude,
            radius_m=payload.radius_m,
            street=payload.street if payload.kind == AlertKind.STREET else "",
        )
        services.alert_subscribe(
            email=payload.email,
            area=area,
            language=get_language() or settings.LANGUAGE_CODE,
        )
    except services.NearbyError as error:
        raise invalid("body", error.field or "kind", str(error)) from None
    return Status(
        202, {"detail": _("Almost done: open the link we sent to your mailbox to confirm.")}
    )
