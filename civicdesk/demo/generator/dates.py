"""Moments in the demo district's past, for rows and for the chained events that record them."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civicdesk.core.chain import recorded_as_of


def at(day: date, hour: int = 10) -> datetime:
    """That day at that hour, in the office's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def as_of(moment: datetime) -> AbstractContextManager[None]:
    """Record the chained events appended inside at `moment`, or a minute ago if `moment` is
    later today (the demo may load in the morning an afternoon that has not come yet)."""
    return recorded_as_of(min(moment, timezone.now() - timedelta(minutes=1)))
