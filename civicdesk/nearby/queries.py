"""What the public sees of the reports: which ones are published, and read filters on them
(map clusters, "me too" counts, distances). The map, "me too", the alerts and Open311's
public search all read published reports from here, so they agree on what is public."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Floor
from django.http import Http404

from civicdesk.cases.models import Case, CaseQuerySet
from civicdesk.cases.workflow import OPEN_STATUSES, Status
from civicdesk.nearby.models import Endorsement

EARTH_RADIUS_M = 6_371_008.8

# The map's status filter: the public's two words for where a report stands.
OPEN = "open"
ANSWERED = "answered"
MAP_STATUSES = (OPEN, ANSWERED)


def published_reports() -> CaseQuerySet:
    """Reports whose reporters agreed to publication, from the moment they are received
    (like /answered/, consent decides; unlike it, reports still being handled are shown too,
    so that neighbours see what is already reported and can say "me too"). A merged
    duplicate is followed on the case it was merged into, so it is left out."""
    return Case.objects.filter(submission__consent_publish=True).exclude(status=Status.MERGED)


def get_published_report(public_id: str) -> Case:
    case = (
        published_reports()
        .with_public_texts()
        .select_related("unit", "category")
        .filter(public_id=public_id[:40])
        .first()
    )
    if case is None:
        raise Http404
    return case


def with_status(cases: QuerySet, statuses: list[str]) -> QuerySet:
    """The map's status filter: open (being handled), answered (answered or closed)."""
    wanted = set(statuses) & set(MAP_STATUSES)
    if wanted == {OPEN}:
        return cases.filter(status__in=OPEN_STATUSES)
    if wanted == {ANSWERED}:
        return cases.filter(status__in=[Status.ANSWERED, Status.CLOSED])
    return cases


def map_status(case: Case) -> str:
    return OPEN if case.is_open else ANSWERED


def with_endorsement_counts(cases: QuerySet) -> QuerySet:
    """Annotates ``endorsement_count``, the "me too" of each case, in the same query."""
    counts = (
        Endorsement.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        endorsement_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    )


def endorsement_count(case: Case) -> int:
    return Endorsement.objects.filter(case=case).count()


# Distances and boxes --------------------------------------------------------------------


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, lat: float, lng: float, radius_m: float) -> "Box":
        """The smallest box holding the circle (for an indexed pre-filter)."""
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
        return cls(lat - dlat, lng - dlng, lat + dlat, lng + dlng)

    def filter(self, cases: QuerySet) -> QuerySet:
        return cases.filter(
            submission__latitude__gte=Decimal(f"{self.south:.6f}"),
            submission__latitude__lte=Decimal(f"{self.north:.6f}"),
            submission__longitude__gte=Decimal(f"{self.west:.6f}"),
            submission__longitude__lte=Decimal(f"{self.east:.6f}"),
        )


def within(cases: QuerySet, lat: float, lng: float, radius_m: float) -> list[Case]:
    """The cases (with a position) within ``radius_m`` of the point, nearest first."""
    found = []
    for case in Box.around(lat, lng, radius_m).filter(cases).select_related("submission"):
        submission = case.submission
        distance = distance_m(lat, lng, float(submission.latitude), float(submission.longitude))
        if distance <= radius_m:
            case.distance_m = distance
            found.append(case)
    return sorted(found, key=lambda case: case.distance_m)


# Map clusters ---------------------------------------------------------------------------

# Cells per 256-pixel tile: a cell is about 64 pixels wide at every zoom, the size of a
# marker with its count, so markers of neighbouring cells do not overlap.
CELLS_PER_TILE = 4
MAX_ZOOM = 19


@dataclass(frozen=True)
class Cell:
    count: int
    latitude: float
    longitude: float
    # The one case of a cell holding a single report (for its popup), else None.
    case_id: int | None
    south: float
    west: float
    north: float
    east: float


def cell_size(zoom: int) -> float:
    """Degrees of longitude a cell spans at this zoom (the same in latitude, near enough at
    the scale of a district)."""
    return 360.0 / (2**zoom) / CELLS_PER_TILE


def clusters(cases: QuerySet, box: Box, zoom: int) -> list[Cell]:
    """Server-side grid clustering: the published reports in the box, counted per grid cell
    of the zoom level, each cell at the centre of its reports. One grouped query,
    whatever the number of reports; the page gets at most a few hundred cells."""
    size = cell_size(zoom)
    rows = (
        box.filter(cases)
        .order_by()
        .annotate(
            lat=Cast(F("submission__latitude"), FloatField()),
            lng=Cast(F("submission__longitude"), FloatField()),
        )
        .annotate(cell_y=Floor(F("lat") / size), cell_x=Floor(F("lng") / size))
        .values("cell_y", "cell_x")
        .annotate(
            count=Count("pk"),
            min_lat=Min("lat"),
            max_lat=Max("lat"),
            min_lng=Min("lng"),
            max_lng=Max("lng"),
            any_id=Min("pk"),
        )
    )
    # The mean position: Avg of a cast decimal is not portable across backends, so the
    # centre of the reports' extent, which reads as well on a map.
    return [
        Cell(
            count=row["count"],
            latitude=(row["min_lat"] + row["max_lat"]) / 2,
            longitude=(row["min_lng"] + row["max_lng"]) / 2,
            case_id=row["any_id"] if row["count"] == 1 else None,
            south=row["min_lat"],
            west=row["min_lng"],
            north=row["max_lat"],
            east=row["max_lng"],
        )
        for row in rows
    ]
