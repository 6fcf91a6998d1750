"""Rebuild the dashboard's pre-aggregated figures (see models.py) for chosen days.

A refresh is idempotent: it deletes the rows of the days it rebuilds and writes them anew
from the source tables, in one transaction, so running it twice (or in two workers at once:
PostgreSQL serialises them with an advisory lock) gives the same rows. Which days:

- the first refresh, or ``full=True``: every day that has a case, follow-up or rating;
- afterwards: the last ``CIVICDESK_DASHBOARD_RECENT_DAYS`` days (deadlines passing, follow-ups
  and rectifications change recent figures without any event), plus every older day that a
  change since the previous refresh touched (see `touched_days`).
"""

import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Floor, TruncDate
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Status
from civicdesk.dashboard.models import (
    DayStat,
    PlaceStat,
    RateStat,
    RatingStat,
    Refresh,
    VolumeStat,
)
from civicdesk.evaluation.models import FollowUp
from civicdesk.evaluation.rates import DEFINITIONS
from civicdesk.ratings.models import Rating, RatingEvent

DEFAULT_RECENT_DAYS = 45
# Changes committed shortly before the previous refresh started may have been invisible to it.
OVERLAP = timedelta(minutes=10)
# Arbitrary, fixed: the PostgreSQL advisory lock that serialises refreshes.
LOCK_KEY = 7_311_001
BATCH = 5000
# Map squares of a thousandth of a degree: about 100 m, fine enough to find a street corner.
SQUARES_PER_DEGREE = 1000


def recent_days() -> int:
    return int(getattr(settings, "CIVICDESK_DASHBOARD_RECENT_DAYS", DEFAULT_RECENT_DAYS))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def day_ranges(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Runs of consecutive days as half-open ranges [first, day after last), at most about a
    month each so that one range's rows stay small in memory."""
    ordered = sorted(set(days))
    if not ordered:
        return
    first = previous = ordered[0]
    for day in ordered[1:]:
        if day != previous + timedelta(days=1) or (day - first).days >= 31:
            yield first, previous + timedelta(days=1)
            first = day
        previous = day
    yield first, previous + timedelta(days=1)


def _days_between(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def all_days(today: date) -> set[date]:
    """Every day from the oldest case or rating until `today`."""
    oldest = [
        Case.objects.order_by("received_at").values_list("received_at", flat=True).first(),
        Rating.objects.order_by("created_at").values_list("created_at", flat=True).first(),
    ]
    oldest = [_local_day(moment) for moment in oldest if moment]
    return _days_between(min(oldest), max(today, *oldest)) if oldest else set()


def touched_days(since: datetime) -> set[date]:
    """Days whose figures a change made since `since` may have altered: for each case stored
    or with a new event since (an opinion typed in or imported later is received on an
    earlier day, and so is its "create" event), its received and answered days and the days
    of all its events (an earlier answer's day loses the case when it is answered again); the
    answered day of cases with a new follow-up answer; the day of ratings with a new event or
    whose rectification case changed."""
    case_ids = set(
        CaseEvent.objects.filter(created_at__gte=since).values_list("case_id", flat=True)
    )
    case_ids |= set(
        Case.objects.filter(submission__stored_at__gte=since).values_list("pk", flat=True)
    )
    case_ids |= set(
        FollowUp.objects.filter(responded_at__gte=since).values_list("case_id", flat=True)
    )
    days: set[date] = set()
    for received, answered in Case.objects.filter(pk__in=case_ids).values_list(
        "received_at", "answered_at"
    ):
        days.update(filter(None, [_local_day(received), _local_day(answered)]))
    days.update(
        CaseEvent.objects.filter(case_id__in=case_ids)
        .annotate(day=TruncDate("created_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    rated = Rating.objects.filter(
        Q(case_id__in=case_ids)
        | Q(pk__in=RatingEvent.objects.filter(created_at__gte=since).values("rating_id"))
    )
    days.update(_local_day(moment) for moment in rated.values_list("created_at", flat=True))
    return days


def _rebuild_range(first: date, end: date, now: datetime) -> None:
    start, stop = local_midnight(first), local_midnight(end)
    VolumeStat.objects.filter(day__gte=first, day__lt=end).delete()
    DayStat.objects.filter(day__gte=first, day__lt=end).delete()
    RateStat.objects.filter(day__gte=first, day__lt=end).delete()
    RatingStat.objects.filter(day__gte=first, day__lt=end).delete()
    PlaceStat.objects.filter(day__gte=first, day__lt=end).delete()

    volume = (
        Case.objects.filter(received_at__gte=start, received_at__lt=stop)
        .annotate(day=TruncDate("received_at"))
        .values("day", "unit_id", "category_id", channel_id=F("submission__channel_id"))
        .annotate(received=Count("pk"), counted=Count("pk", filter=~Q(status=Status.MERGED)))
        .order_by()
    )
    volume = list(volume)
    VolumeStat.objects.bulk_create((VolumeStat(**row) for row in volume), batch_size=BATCH)
    days: dict[tuple, DayStat] = {}
    for row in volume:
        key = (row["day"], row["unit_id"])
        total = days.setdefault(key, DayStat(day=key[0], unit_id=key[1], received=0, counted=0))
        total.received += row["received"]
        total.counted += row["counted"]
    DayStat.objects.bulk_create(days.values(), batch_size=BATCH)

    rate_rows = []
    for name, definition in DEFINITIONS.items():
        grouped = (
            definition.in_period(definition.rows(), start, stop)
            .annotate(day=TruncDate(definition.date_field))
            .values("day", unit_ref=F(definition.unit))
            .annotate(**definition.counts(now))
            .order_by()
        )
        rate_rows += [
            RateStat(
                day=row["day"],
                unit_id=row["unit_ref"],
                rate=name,
                numerator=row["numerator"],
                denominator=row["denominator"],
            )
            for row in grouped
            if row["denominator"]
        ]
    RateStat.objects.bulk_create(rate_rows, batch_size=BATCH)

    ratings = (
        Rating.objects.counted()
        .filter(created_at__gte=start, created_at__lt=stop)
        .annotate(day=TruncDate("created_at"))
        .values("day", "level", unit_id=F("window_id"))
        .annotate(count=Count("pk"))
        .order_by()
    )
    RatingStat.objects.bulk_create((RatingStat(**row) for row in ratings), batch_size=BATCH)

    places = (
        Case.objects.filter(
            received_at__gte=start,
            received_at__lt=stop,
            submission__latitude__isnull=False,
            submission__longitude__isnull=False,
        )
        .annotate(
            day=TruncDate("received_at"),
            lat_square=Floor(F("submission__latitude") * SQUARES_PER_DEGREE),
            lng_square=Floor(F("submission__longitude") * SQUARES_PER_DEGREE),
        )
        .values("day", "unit_id", "lat_square", "lng_square")
        .annotate(count=Count("pk"))
        .order_by()
    )
    PlaceStat.objects.bulk_create((PlaceStat(**row) for row in places), batch_size=BATCH)


def refresh(*, full: bool = False, now: datetime | None = None) -> Refresh:
    """Rebuild the figures of the days that may have changed (all days if `full` or never
    refreshed before) and record the refresh."""
    started = time.monotonic()
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        previous = Refresh.objects.filter(finished_at__isnull=False).first()
        today = timezone.localdate(now)
        if full or previous is None:
            days, full = all_days(today), True
        else:
            days = _days_between(today - timedelta(days=recent_days() - 1), today)
            days |= touched_days(previous.started_at - OVERLAP)
        for first, end in day_ranges(days):
            _rebuild_range(first, end, now)
        return Refresh.objects.create(
            started_at=now,
            finished_at=timezone.now(),
            full=full,
            days=len(days),
            seconds=round(time.monotonic() - started, 3),
        )


def last_refresh() -> Refresh | None:
    return Refresh.objects.filter(finished_at__isnull=False).first()
