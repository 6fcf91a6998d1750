"""Fill a PostgreSQL database with city-scale civicdesk data for the dashboard benchmark.

The dashboard issue asks that each dashboard page renders in under 300 ms (median, warm) with
1,000,000 cases and 2,000,000 case events in PostgreSQL on a 2-core machine. This makes that
database, deterministically (same seed, size, days and `now`: same rows):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_bench \\
        .venv/bin/python bench/dashboard_data.py --cases 1000000 [--seed 1] [--days 730]

The script creates the database if it is missing (connecting to the `postgres` database),
migrates it, loads the demo district's reference data through the demo's own functions
(units, staff, reply templates and category default units; channels and categories come from
the migrations; the demo's cases are *not* loaded), then writes the volume with COPY:

- submissions and cases over the last --days days (growth, weekday/weekend, holiday and
  seasonal variation), with channels, units, categories and texts drawn from the demo
  generator's vocabulary, statuses and timestamps that follow civicdesk/cases/workflow.py,
  deadlines from the working-day calendar, valid unique tracking codes and search texts;
- their timelines (about --events-per-case events per case, 2 by default, see below);
- satisfaction follow-ups of answered cases, 百姓评 window ratings (each bad one with its
  rectification case, as the ratings service makes them) with their invitations and events;
- the demo's prominent problems, a few hundred measures on them (through the commitments
  services, so the hash chains verify) and links from the problems to matching cases.

A database that already holds cases is refused unless --replace is given, which empties the
generated tables first (TRUNCATE … RESTART IDENTITY CASCADE; the cascaded tables are named).

As a module, with Django already configured for a migrated PostgreSQL database::

    sys.path.insert(0, "bench")
    from dashboard_data import fill
    summary = fill(cases=20_000, seed=1)

Timelines: a real case has 4–6 events (received, assigned, accepted, answered, closed, plus
notes, escalations and follow-ups), but the benchmark fixes 2 events per case. So the newest
cases get their complete timeline and the older ones keep only their "received" event, as if
history before that date had been archived; the cut-off is chosen so that the total comes
out at --events-per-case × cases, and printed. Case fields (assigned_at, answered_at, …),
follow-ups and ratings are complete for every case.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import secrets
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TextIO

import numpy as np

DEFAULT_CASES = 1_000_000
DEFAULT_DAYS = 730
DEFAULT_SEED = 1
EVENTS_PER_CASE = 2.0

# Window ratings per case, the share of bad ones, and invitations handed out but never used.
RATINGS_PER_CASE = 0.1
BAD_RATING_SHARE = 0.08
UNUSED_INVITATION_SHARE = 0.12
# Answered cases whose reporter gets a satisfaction follow-up.
FOLLOWUP_SHARE = 0.6
# Answered cases reopened once before the answer now in force (plus the cases reopened now).
REOPENED_BEFORE_SHARE = 0.05
# Cases first sent to the wrong department, which returns them.
DETOUR_SHARE = 0.08
ROWS_PER_CHUNK = 100_000

# The demo's channels, weighted like a district with a busy hotline: the snap-and-report app
# brings about 15%. (open311 is left out: the demo writes no texts for it.)
CHANNEL_WEIGHTS: dict[str, float] = {
    "phone": 20,
    "mobile_app": 17,
    "snapshot": 15,
    "portal": 9,
    "window": 9,
    "chat_group": 8,
    "rating": 7,
    "self_media": 6,
    "enterprise_questionnaire": 6,
    "paper_questionnaire": 2,
    "leader_window": 1,
}
# Hour-of-day profile of self-service channels (the demo generator's, in local time).
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 10, 12, 14, 14, 12, 10, 10, 10, 9, 7, 4, 2]
# Monday..Sunday; people report more at the start of the week and little at weekends.
WEEKDAY_FACTORS = (1.18, 1.10, 1.05, 1.02, 0.97, 0.62, 0.55)
# Final status mix by age in days: fresh cases are mostly open, old ones closed.
STATUS_MIX: list[tuple[float, dict[str, float]]] = [
    (
        2,
        {
            "received": 40,
            "assigned": 30,
            "in_progress": 15,
            "answered": 10,
            "returned": 3,
            "merged": 1,
        },
    ),
    (
        7,
        {
            "received": 6,
            "assigned": 14,
            "in_progress": 34,
            "answered": 33,
            "closed": 6,
            "returned": 4,
            "reopened": 2,
            "merged": 1,
        },
    ),
    (
        20,
        {
            "received": 1.5,
            "assigned": 3,
            "in_progress": 14,
            "answered": 38,
            "closed": 37,
            "returned": 3,
            "reopened": 2.5,
            "merged": 1,
        },
    ),
    (
        60,
        {
            "received": 0.3,
            "assigned": 0.7,
            "in_progress": 4,
            "answered": 14,
            "closed": 76,
            "returned": 1,
            "reopened": 2,
            "merged": 1,
        },
    ),
    (
        float("inf"),
        {
            "received": 0.05,
            "assigned": 0.1,
            "in_progress": 0.6,
            "answered": 1,
            "closed": 96.8,
            "returned": 0.1,
            "reopened": 0.35,
            "merged": 1,
        },
    ),
]
SATISFACTION_WEIGHTS = {5: 55, 4: 28, 3: 12, 2: 4, 1: 1}
GOOD_LEVEL_WEIGHTS = {5: 65, 4: 26, 3: 9}

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
NONE = -1  # "no timestamp" / "no id" in the integer arrays
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Timeline steps in the order they happen; each moves the case to its status (None: a
# non-transition). The event's action is the step name up to any suffix.
STEPS: list[tuple[str, str, str | None]] = [
    ("recategorize", "recategorize", None),
    ("assign_wrong", "assign", "assigned"),
    ("accept_wrong", "accept", "in_progress"),
    ("return", "return", "returned"),
    ("assign", "assign", "assigned"),
    ("accept", "accept", "in_progress"),
    ("note", "note", None),
    ("answer1", "answer", "answered"),
    ("reopen", "reopen", "reopened"),
    ("accept2", "accept", "in_progress"),
    ("answer2", "answer", "answered"),
    ("close", "close", "closed"),
    ("merge", "merge", "merged"),
]
STEP_INDEX = {name: k for k, (name, _a, _t) in enumerate(STEPS)}
# Tie-breaks between events at the same moment, in the order the services write them.
EVENT_ORDER = [
    "create",
    *[name for name, _a, _t in STEPS[:8]],
    "failed_followup_open",
    "failed_followup_answer",
    *[name for name, _a, _t in STEPS[8:]],
    "merge_note",
    "followup_open",
    "followup_answer",
    "followup_no_answer",
    "escalate",
]


class FillError(RuntimeError):
    """The database cannot be filled as asked (not PostgreSQL, or it holds cases already)."""


@dataclass
class FillSummary:
    """What `fill` wrote: rows per table, seconds per phase, and the timeline cut-off."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    timeline_cutoff: datetime | None = None
    truncated: list[str] = field(default_factory=list)
    total_seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# Small helpers


def _rng(seed: int, purpose: str) -> np.random.Generator:
    # One stream per purpose: drawing more for one part shifts none of the others.
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def _objects(values: Iterable[Any]) -> np.ndarray:
    """A 1-d object array; np.array would turn a list of lists into a 2-d array."""
    items = list(values)
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _iso(values: np.ndarray) -> list[str | None]:
    """Microseconds since the epoch as ISO 8601 UTC text (None for NONE), as COPY reads it."""
    text = np.datetime_as_string(values.astype("datetime64[us]"), unit="us", timezone="UTC")
    out = text.astype(object)
    out[values == NONE] = None
    return out.tolist()


def _ids(values: np.ndarray) -> list[int | None]:
    out = values.astype(object)
    out[values == NONE] = None
    return out.tolist()


def _pick(rng: np.random.Generator, weights: dict[Any, float], size: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.asarray(keys)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _tokens(rng: np.random.Generator, count: int, nbytes: int = 32) -> list[str]:
    """Like secrets.token_urlsafe(32), but from the seeded stream (this is benchmark data)."""
    raw = rng.bytes(count * nbytes)
    return [
        base64.urlsafe_b64encode(raw[i : i + nbytes]).rstrip(b"=").decode()
        for i in range(0, count * nbytes, nbytes)
    ]


def _tracking_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    """Unique valid tracking codes ``XXXX-XXXX-XX``, vectorised.

    civicdesk.core.tracking.new_tracking_code draws from ``secrets`` one character at a time:
    neither seeded nor fast enough for a million. This draws the payload from the seeded
    stream and computes the same Luhn mod N check character in numpy; `_verify_sample`
    checks the result with the module's own functions.
    """
    from civicdesk.core.tracking import ALPHABET, CODE_LENGTH

    n = len(ALPHABET)
    width = CODE_LENGTH - 1
    # A few spare draws, since about one code in 10^7 collides with another.
    payload = rng.integers(0, n, size=(count + 64, width))
    number = payload @ (n ** np.arange(width - 1, -1, -1, dtype=np.int64))
    _, first = np.unique(number, return_index=True)
    payload = payload[np.sort(first)[:count]]
    if len(payload) < count:
        raise RuntimeError("could not draw enough unique tracking codes")
    # Luhn mod N walking right to left, doubling the rightmost payload character.
    factors = np.where((width - 1 - np.arange(width)) % 2 == 0, 2, 1)
    addends = payload * factors
    total = (addends // n + addends % n).sum(axis=1)
    check = (n - total % n) % n
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    dash = np.full((count, 1), ord("-"), dtype=np.uint8)
    chars = np.hstack(
        [
            alphabet[payload[:, :4]],
            dash,
            alphabet[payload[:, 4:8]],
            dash,
            alphabet[payload[:, 8:]],
            alphabet[check][:, None],
        ]
    )
    return np.ascontiguousarray(chars).view("S12").ravel().astype("U12").astype(object)


class _Phases:
    """Times each phase and says so as it goes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started
        print(f"  {name}: {self.seconds[name]:.1f} s", file=self.out, flush=True)


# ---------------------------------------------------------------------------------------------
# Reference data


@dataclass
class _Reference:
    units: dict[str, Any]
    users: dict[str, Any]
    channels: dict[str, Any]
    categories: dict[str, Any]
    unit_codes: list[str]
    unit_ids: np.ndarray
    unit_names: dict[str, str]
    user_ids: dict[str, int]
    # handlers[slot, j] for j < handler_counts[slot]: who works a case at each unit.
    handlers: np.ndarray
    handler_counts: np.ndarray


def _load_reference() -> _Reference:
    """The demo district's units, staff, reply templates and category default units, created
    by the demo's own functions (each one leaves what exists alone)."""
    from django.db import transaction

    from civicdesk.cases.models import Category
    from civicdesk.demo import vocabulary as v
    from civicdesk.demo.generator.organisation import (
        _ensure_categories,
        _ensure_templates,
        _ensure_units,
        _ensure_users,
    )
    from civicdesk.demo.generator.steps import _HANDLERS
    from civicdesk.intake.models import Channel

    with transaction.atomic():
        units, _created = _ensure_units()
        users, _created = _ensure_users(units)
        _ensure_categories(units)
        _ensure_templates(units)
    channels = {channel.code: channel for channel in Channel.objects.all()}
    missing = sorted(set(CHANNEL_WEIGHTS) - set(channels))
    if missing:
        raise FillError(f"channels missing from the database: {', '.join(missing)}")
    categories = {category.code: category for category in Category.objects.all()}
    unit_codes = [code for code, _n, _k, _p in v.UNITS]
    user_ids = {name: user.pk for name, user in users.items()}
    width = max(len(names) for names in _HANDLERS.values())
    handlers = np.full((len(unit_codes), width), NONE, dtype=np.int64)
    counts = np.zeros(len(unit_codes), dtype=np.int64)
    for slot, code in enumerate(unit_codes):
        # Every demo unit has a handler; the district's cases are worked by a supervisor.
        names = _HANDLERS.get(code) or ["supervisor-2"]
        handlers[slot, : len(names)] = [user_ids[name] for name in names]
        counts[slot] = len(names)
    return _Reference(
        units=units,
        users=users,
        channels=channels,
        categories=categories,
        unit_codes=unit_codes,
        unit_ids=np.array([units[code].pk for code in unit_codes], dtype=np.int64),
        unit_names={code: name for code, name, _k, _p in v.UNITS},
        user_ids=user_ids,
        handlers=handlers,
        handler_counts=counts,
    )


# ---------------------------------------------------------------------------------------------
# Texts: a pool of demo submissions, sampled per case


@dataclass
class _Pool:
    """Submissions drawn by the demo generator, column by column, with their search texts."""

    channel: np.ndarray  # channel code
    description: np.ndarray
    address: np.ndarray
    latitude: np.ndarray  # float, nan for none
    longitude: np.ndarray
    contact_name: np.ndarray
    contact_phone: np.ndarray
    for_enterprise: np.ndarray
    enterprise_name: np.ndarray
    credit_code: np.ndarray
    consent_publish: np.ndarray
    source_details: np.ndarray  # JSON text
    recorded_by: np.ndarray  # user id or NONE
    category: np.ndarray  # category id or NONE
    unit_slot: np.ndarray
    search: np.ndarray  # normalize_for_search(description + " " + address)
    public: np.ndarray  # normalize_for_search(redact(description, personal details))
    answer: np.ndarray  # the unit's first answer, and the one after a reopening
    answer_again: np.ndarray
    answer_public: np.ndarray  # normalize_for_search(redact(answer))
    answer_again_public: np.ndarray


class _TextCache:
    """normalize_for_search(redact(text)) per distinct text: redact takes ~0.3 ms."""

    def __init__(self) -> None:
        from civicdesk.core.redaction import redact
        from civicdesk.core.textnorm import normalize_for_search

        self.redact = redact
        self.normalize = normalize_for_search
        self.cache: dict[str, str] = {}

    def public(self, text: str) -> str:
        value = self.cache.get(text)
        if value is None:
            value = self.cache[text] = self.normalize(self.redact(text))
        return value


def _draw_pool(seed: int, now: datetime, size: int, ref: _Reference, texts: _TextCache) -> _Pool:
    from civicdesk.demo.generator import _draw_specs
    from civicdesk.demo.generator.steps import _answer_text

    rng = random.Random(seed)
    specs = _draw_specs(rng, now, size)
    slots = {code: slot for slot, code in enumerate(ref.unit_codes)}
    answers = random.Random(f"{seed}-answers")
    first = [_answer_text(answers, s, ref.unit_names[s.unit]) for s in specs]
    again = [_answer_text(answers, s, ref.unit_names[s.unit], again=True) for s in specs]
    return _Pool(
        channel=_objects(s.channel for s in specs),
        description=_objects(s.description for s in specs),
        address=_objects(s.address for s in specs),
        latitude=np.array([float(s.latitude) if s.latitude else np.nan for s in specs]),
        longitude=np.array([float(s.longitude) if s.longitude else np.nan for s in specs]),
        contact_name=_objects(s.contact_name for s in specs),
        contact_phone=_objects(s.contact_phone for s in specs),
        for_enterprise=_objects(s.for_enterprise for s in specs),
        enterprise_name=_objects(s.enterprise_name for s in specs),
        credit_code=_objects(s.enterprise_credit_code for s in specs),
        consent_publish=_objects(s.consent_publish for s in specs),
        source_details=_objects(json.dumps(s.source_details, ensure_ascii=False) for s in specs),
        recorded_by=np.array(
            [ref.user_ids[s.recorded_by] if s.recorded_by else NONE for s in specs],
            dtype=np.int64,
        ),
        category=np.array([ref.categories[s.category].pk for s in specs], dtype=np.int64),
        unit_slot=np.array([slots[s.unit] for s in specs], dtype=np.int64),
        search=_objects(texts.normalize(f"{s.description} {s.address}") for s in specs),
        public=_objects(
            texts.normalize(
                texts.redact(s.description, [x for x in (s.contact_name, s.contact_phone) if x])
            )
            for s in specs
        ),
        answer=_objects(first),
        answer_again=_objects(again),
        answer_public=_objects(texts.public(text) for text in first),
        answer_again_public=_objects(texts.public(text) for text in again),
    )


# ---------------------------------------------------------------------------------------------
# The plan: every row of the volume as numpy arrays, drawn before anything is written


@dataclass
class _Calendar:
    """Per local day of the period: midnight, working day, and the deadlines of that day."""

    dates: list[date]
    midnight: np.ndarray
    working: np.ndarray
    assign_due: np.ndarray
    response_due: np.ndarray
    answer_due: np.ndarray
    rectify_due: np.ndarray
    rectify_due_iso: list[str]


def _calendar(today: date, days: int) -> _Calendar:
    """Deadlines depend only on the local date of receipt, so the real functions are called
    once per day instead of three million times."""
    from django.utils import timezone

    from civicdesk.core.deadlines import stage_deadlines, work_calendar
    from civicdesk.ratings.services import rectification_days

    zone = timezone.get_default_timezone()
    calendar = work_calendar()
    dates = [today - timedelta(days=days - 1 - i) for i in range(days)]
    rows = []
    for day in dates:
        noon = datetime.combine(day, clock(12), tzinfo=zone)
        due = stage_deadlines(noon)
        rectify = calendar.add_working_days(noon, rectification_days())
        rows.append(
            (
                _us(datetime.combine(day, clock(0), tzinfo=zone)),
                calendar.is_working_day(day),
                _us(due.assign),
                _us(due.response),
                _us(due.answer),
                _us(rectify),
                rectify.isoformat(),
            )
        )
    columns = list(zip(*rows, strict=True))
    return _Calendar(
        dates=dates,
        midnight=np.array(columns[0], dtype=np.int64),
        working=np.array(columns[1], dtype=bool),
        assign_due=np.array(columns[2], dtype=np.int64),
        response_due=np.array(columns[3], dtype=np.int64),
        answer_due=np.array(columns[4], dtype=np.int64),
        rectify_due=np.array(columns[5], dtype=np.int64),
        rectify_due_iso=list(columns[6]),
    )


class _Clock:
    """Draws moments over the period: a daily volume with growth, weekday, holiday, season and
    noise, an hour-of-day profile, and office hours on working days for in-person channels."""

    def __init__(self, seed: int, now_us: int, cal: _Calendar) -> None:
        self.cal = cal
        self.now = now_us
        days = len(cal.dates)
        rng = _rng(seed, "days")
        growth = np.linspace(0.75, 1.25, days)  # volume grows by two thirds over the period
        day_of_year = np.array([d.timetuple().tm_yday for d in cal.dates])
        season = 1 + 0.12 * np.sin(2 * np.pi * (day_of_year - 105) / 365.25)  # summer peak
        weekday = np.array([WEEKDAY_FACTORS[d.weekday()] for d in cal.dates])
        is_weekend = np.array([d.weekday() >= 5 for d in cal.dates])
        # Make-up working days are ordinary working days; public holidays are quiet.
        weekday = np.where(cal.working & is_weekend, 0.97, weekday)
        weekday = np.where(~cal.working & ~is_weekend, 0.5, weekday)
        base = growth * season * rng.lognormal(0, 0.08, days)
        # Only what was received until 20 minutes ago: today counts for the part that passed.
        self.limit = now_us - 20 * 60 * US - cal.midnight[-1]
        hours = np.array(HOUR_WEIGHTS, dtype=float)
        self.hour_p = hours / hours.sum()
        passed_hours = self.limit / HOUR
        whole = int(min(max(passed_hours, 0), 24))
        today_share = self.hour_p[:whole].sum() + (
            self.hour_p[whole] * (passed_hours - whole) if whole < 24 else 0
        )
        office_share = float(np.clip((passed_hours - 9) / 8, 0, 1))
        self.any_p = base * weekday
        self.any_p[-1] *= today_share
        self.office_p = base * cal.working
        self.office_p[-1] *= office_share if cal.working[-1] else 0
        self.any_p /= self.any_p.sum()
        self.office_p /= self.office_p.sum()

    def draw(self, rng: np.random.Generator, size: int, office: bool) -> np.ndarray:
        days = len(self.cal.dates)
        day = rng.choice(days, size=size, p=self.office_p if office else self.any_p)
        if office:
            start = 9 * HOUR
            offset = rng.integers(start, 17 * HOUR, size)
        else:
            start = 0
            hour = rng.choice(24, size=size, p=self.hour_p)
            offset = hour * HOUR + rng.integers(0, HOUR, size)
        # Today's draws after the limit move into the part of today that has passed.
        late = (day == days - 1) & (offset > self.limit)
        if late.any():
            offset[late] = rng.integers(start, max(self.limit, start + 1), int(late.sum()))
        return self.cal.midnight[day] + offset


class _Events:
    """Case events, kind by kind, as column arrays; concatenated and ordered at the end."""

    COLUMNS = (
        "case",
        "owner",
        "at",
        "order",
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_kind",
        "unit",
        "note",
        "public",
        "data",
    )

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(
        self,
        kind: str,
        case: np.ndarray,
        at: np.ndarray,
        *,
        action: str,
        actor: np.ndarray | int = NONE,
        actor_kind: np.ndarray | str = "",
        unit: np.ndarray | int = NONE,
        note: np.ndarray | str = "",
        public: bool = False,
        data: np.ndarray | str = "{}",
        from_status: np.ndarray | str = "",
        to_status: np.ndarray | str = "",
        owner: np.ndarray | None = None,
    ) -> None:
        size = len(case)

        def column(value: Any, dtype: Any = object) -> np.ndarray:
            if isinstance(value, np.ndarray):
                return value
            out = np.empty(size, dtype=dtype)
            out[:] = value
            return out

        self.parts.append(
            {
                "case": case,
                "owner": case if owner is None else owner,
                "at": at,
                "order": np.full(size, EVENT_ORDER.index(kind), dtype=np.int64),
                "action": column(action),
                "from_status": column(from_status),
                "to_status": column(to_status),
                "actor": column(actor, np.int64),
                "actor_kind": column(actor_kind),
                "unit": column(unit, np.int64),
                "note": column(note),
                "public": column(public, bool),
                "data": column(data),
            }
        )

    def build(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate([part[name] for part in self.parts]) for name in self.COLUMNS}


class _Plan:
    """Every row of the volume as arrays: cases in received order (case i gets id base + i),
    then their timelines, follow-ups and the window ratings. Nothing touches the database."""

    def __init__(
        self,
        *,
        cases: int,
        seed: int,
        days: int,
        now: datetime,
        events_per_case: float,
        ref: _Reference,
        pool: _Pool,
        texts: _TextCache,
        base: dict[str, int],
    ) -> None:
        from django.conf import settings
        from django.utils import timezone

        from civicdesk.cases.workflow import Status

        self.n = cases
        self.seed = seed
        self.now = _us(now)
        self.ref = ref
        self.pool = pool
        self.texts = texts
        self.base = base
        self.events_per_case = events_per_case
        self.reopen_days = int(settings.CIVICDESK_REOPEN_DAYS)
        self.status_names = [status.value for status in Status]
        self.S = {name: code for code, name in enumerate(self.status_names)}
        self.cal = _calendar(timezone.localdate(now), days)
        self.clock = _Clock(seed, self.now, self.cal)
        self.slots = {code: slot for slot, code in enumerate(ref.unit_codes)}
        self.unit_by_id = {unit.pk: unit for unit in ref.units.values()}
        self.user_by_id = {user.pk: user for user in ref.users.values()}
        self._cases()
        self._window_ratings()
        self._routing()
        self._merges()
        self._timeline()
        self._followups()
        self._texts()
        self._events()

    def t(self, step: str) -> np.ndarray:
        return self.times[:, STEP_INDEX[step]]

    def has(self, step: str) -> np.ndarray:
        return self.mask[:, STEP_INDEX[step]]

    # -- when and through which channel ----------------------------------------------------

    def _cases(self) -> None:
        from civicdesk.demo.generator.plan import IN_PERSON_CHANNELS, ONLINE_CHANNELS

        n = self.n
        rng = _rng(self.seed, "cases")
        self.rating_count = round(n * RATINGS_PER_CASE)
        bad = min(round(self.rating_count * BAD_RATING_SHARE), n // 10)
        regular = n - bad
        channel = _pick(rng, CHANNEL_WEIGHTS, regular).astype(object)
        pool_index = np.empty(regular, dtype=np.int64)
        for code in CHANNEL_WEIGHTS:
            members = np.flatnonzero(self.pool.channel == code)
            chosen = channel == code
            pool_index[chosen] = members[rng.integers(0, len(members), int(chosen.sum()))]
        # Bad ratings open their rectification cases at the window, so in office hours.
        channel = np.concatenate([channel, np.full(bad, "rating", dtype=object)])
        pool_index = np.concatenate([pool_index, np.full(bad, NONE)])
        rect = np.concatenate([np.zeros(regular, bool), np.ones(bad, bool)])
        office = np.isin(channel, list(IN_PERSON_CHANNELS | {"enterprise_questionnaire"})) | rect
        received = np.empty(n, dtype=np.int64)
        received[office] = self.clock.draw(rng, int(office.sum()), office=True)
        received[~office] = self.clock.draw(rng, int((~office).sum()), office=False)
        # Ids follow the time of receipt, as they would in a live system.
        order = np.argsort(received, kind="stable")
        self.received = received[order]
        self.channel = channel[order]
        self.pool_index = pool_index[order]
        self.rect = rect[order]
        self.rect_index = np.flatnonzero(self.rect)
        self.online = np.isin(self.channel, list(ONLINE_CHANNELS)) & ~self.rect
        self.day = np.searchsorted(self.cal.midnight, self.received, side="right") - 1
        self.p = np.where(self.rect, 0, self.pool_index)  # pool row (any row for rect cases)

    def _window_ratings(self) -> None:
        """百姓评: invitations at the demo's rated windows, ratings, and for each bad rating the
        rectification case (one of the cases drawn above, received at the rating's moment)."""
        from civicdesk.demo.generator.service_quality import (
            BAD_COMMENTS,
            GOOD_COMMENTS,
            RATED_WINDOWS,
            SERVICES,
        )
        from civicdesk.ratings.models import Level, Source

        rng = _rng(self.seed, "ratings")
        ref = self.ref
        count = self.rating_count
        bad = len(self.rect_index)
        unused = round(count * UNUSED_INVITATION_SHARE)
        created = np.concatenate(
            [self.received[self.rect_index], self.clock.draw(rng, count - bad, office=True)]
        )
        case = np.concatenate([self.rect_index, np.full(count - bad, NONE)])
        order = np.argsort(created, kind="stable")
        created, case = created[order], case[order]
        is_bad = case != NONE
        codes = list(RATED_WINDOWS)
        window_ids = np.array([ref.units[code].pk for code in codes], dtype=np.int64)

        def visits(size: int) -> tuple[np.ndarray, ...]:
            """Window, staff, issuer, source and service of `size` visits."""
            which = rng.choice(len(codes), size=size, p=[0.75, 0.25])
            issuer = np.empty(size, dtype=np.int64)
            service = np.empty(size, dtype=object)
            for i, code in enumerate(codes):
                chosen = which == i
                staff = np.array([ref.user_ids[name] for name in RATED_WINDOWS[code]])
                issuer[chosen] = staff[rng.integers(0, len(staff), int(chosen.sum()))]
                names = _objects(SERVICES[code])
                service[chosen] = names[rng.integers(0, len(names), int(chosen.sum()))]
            # A fifth come from the window's QR code: no issuer, no staff member.
            link = rng.random(size) < 0.2
            issuer[link] = NONE
            staff_member = np.where(~link & (rng.random(size) < 0.6), issuer, NONE)
            source = np.where(link, Source.WINDOW_LINK.value, Source.STAFF.value).astype(object)
            return window_ids[which], staff_member, issuer, source, service

        rated = visits(count)
        spare = visits(unused)
        issued = np.concatenate(
            [
                created - rng.integers(2 * 60 * US, 20 * 60 * US, count),
                self.clock.draw(rng, unused, office=True),
            ]
        )
        used = np.concatenate([created, np.full(unused, NONE)])
        columns = [np.concatenate([a, b]) for a, b in zip(rated, spare, strict=True)]
        by_time = np.argsort(issued, kind="stable")
        invitation_of = np.empty(count + unused, dtype=np.int64)
        invitation_of[by_time] = np.arange(count + unused)

        level = np.where(
            is_bad,
            np.where(rng.random(count) < 0.6, Level.DISSATISFIED, Level.VERY_DISSATISFIED),
            _pick(rng, GOOD_LEVEL_WEIGHTS, count),
        ).astype(np.int64)
        good_comments = _objects(GOOD_COMMENTS)
        comment = good_comments[rng.integers(0, len(good_comments), count)]
        reasons = np.full(count, "[]", dtype=object)
        bad_codes = [str(code) for code in BAD_COMMENTS]
        bad_reasons: list[list[str]] = []
        for i in np.flatnonzero(is_bad):
            chosen = [bad_codes[j] for j in rng.choice(len(bad_codes), rng.integers(1, 3), False)]
            bad_reasons.append(chosen)
            reasons[i] = json.dumps(chosen)
            comment[i] = BAD_COMMENTS[chosen[0]]
        bad_days = np.searchsorted(self.cal.midnight, created[is_bad], side="right") - 1
        due = np.full(count, NONE, dtype=np.int64)
        due[is_bad] = self.cal.rectify_due[bad_days]
        due_iso = np.full(count, None, dtype=object)
        due_iso[is_bad] = [self.cal.rectify_due_iso[d] for d in bad_days]
        rerate = np.full(count, None, dtype=object)
        rerate[is_bad] = _tokens(_rng(self.seed, "rerate tokens"), int(is_bad.sum()))

        self.invitation = {
            "created": issued[by_time],
            "used": used[by_time],
            "window": columns[0][by_time],
            "staff": columns[1][by_time],
            "created_by": columns[2][by_time],
            "source": columns[3][by_time],
            "service": columns[4][by_time],
            "token": _objects(_tokens(_rng(self.seed, "invitation tokens"), count + unused)),
        }
        self.rating = {
            "invitation": invitation_of[:count],
            "window": rated[0],
            "staff": rated[1],
            "created": created,
            "level": level,
            "reasons": reasons,
            "comment": comment,
            "case": case,
            "due": due,
            "due_iso": due_iso,
            "rerate_token": rerate,
        }
        # The rectification cases, in case order: which rating opened each.
        bad_at = np.flatnonzero(is_bad)
        self.rect_rating = bad_at[np.argsort(case[bad_at], kind="stable")]
        self.rect_reasons = [bad_reasons[np.searchsorted(bad_at, r)] for r in self.rect_rating]

    # -- where each case goes and how it ends --------------------------------------------------

    def _routing(self) -> None:
        from civicdesk.demo.generator.steps import _DEPARTMENTS

        S = self.S
        n = self.n
        rng = _rng(self.seed, "routing")
        self.unit_slot = self.pool.unit_slot[self.p].copy()
        windows = self.rating["window"][self.rect_rating]
        self.unit_slot[self.rect_index] = [self.slots[self.unit_by_id[w].code] for w in windows]
        # The ratings service gives a rectification case no category.
        self.category = np.where(self.rect, NONE, self.pool.category[self.p])
        departments = np.array([self.slots[code] for code in _DEPARTMENTS], dtype=np.int64)
        pick = rng.integers(0, len(departments), n)
        wrong = departments[pick]
        clash = wrong == self.unit_slot
        wrong[clash] = departments[(pick[clash] + 1) % len(departments)]
        self.wrong_slot = wrong

        age = (self.now - self.received) / DAY
        bucket = np.searchsorted([limit for limit, _mix in STATUS_MIX], age, side="right")
        weights = np.array(
            [[mix.get(name, 0.0) for name in self.status_names] for _limit, mix in STATUS_MIX]
        )
        cumulative = np.cumsum(weights / weights.sum(axis=1)[:, None], axis=1)
        status = (rng.random(n)[:, None] > cumulative[bucket]).sum(axis=1)
        status = np.minimum(status, len(self.status_names) - 1)
        # The ratings service assigns a rectification case to its window at once.
        fix = self.rect & np.isin(status, [S["received"], S["returned"], S["merged"]])
        status[fix] = S["assigned"]
        self.status = status

    def _merges(self) -> None:
        """A merged case repeats the nearest earlier, unmerged case of the same unit and
        category from the five days before; without one, it stays a case of its own."""
        S = self.S
        n = self.n
        key = self.unit_slot * 1000 + self.category
        order = np.lexsort((np.arange(n), key))
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        self.merge_target = np.full(n, NONE, dtype=np.int64)
        pending = np.flatnonzero(self.status == S["merged"])
        for back in range(1, 12):
            at = position[pending] - back
            candidate = order[np.maximum(at, 0)]
            ok = (
                (at >= 0)
                & (key[candidate] == key[pending])
                & (self.status[candidate] != S["merged"])
                & (self.received[pending] - self.received[candidate] <= 5 * DAY)
            )
            self.merge_target[pending[ok]] = candidate[ok]
            pending = pending[~ok]
        old = (self.now - self.received[pending]) > 20 * DAY
        self.status[pending] = np.where(old, S["closed"], S["assigned"])

    def _timeline(self) -> None:
        """Which steps each case went through and when (vectorised _plan_steps of the demo)."""
        S = self.S
        n = self.n
        rng = _rng(self.seed, "timeline")
        status = self.status

        def share(p: float) -> np.ndarray:
            return rng.random(n) < p

        def hours(low: float, high: float) -> np.ndarray:
            return rng.uniform(low, high, n)

        answered = np.isin(status, [S["answered"], S["closed"], S["reopened"]])
        worked = answered | (status == S["in_progress"])
        main_assign = np.isin(
            status, [S["assigned"], S["in_progress"], S["answered"], S["closed"], S["reopened"]]
        ) | ((status == S["merged"]) & share(0.4))
        detour = (answered & ~self.rect & share(DETOUR_SHARE)) | (status == S["returned"])
        routed = main_assign | detour
        # Staff sort cases from channels without a category field when they route them.
        sorted_by_staff = ~self.online & ~self.rect
        self.category[sorted_by_staff & ~routed] = NONE
        reopened_before = np.isin(status, [S["answered"], S["closed"]]) & share(
            REOPENED_BEFORE_SHARE
        )
        masks = {
            "recategorize": sorted_by_staff & routed,
            "assign_wrong": detour,
            "accept_wrong": detour & share(0.4),
            "return": detour,
            "assign": main_assign,
            "accept": (status == S["in_progress"]) | (answered & share(0.95)),
            "note": worked & share(0.2),
            "answer1": answered,
            "reopen": (status == S["reopened"]) | reopened_before,
            "accept2": reopened_before & share(0.85),
            "answer2": reopened_before,
            "close": status == S["closed"],
            "merge": status == S["merged"],
        }
        # Most cases are routed within hours, a few wait for days; most responses come within
        # a day or so and most answers within the 15 working days, with a late tail of each.
        assign_hours = np.where(share(0.96), hours(0.2, 20), hours(30, 80))
        delays = {
            "recategorize": hours(0.05, 2),
            "assign_wrong": assign_hours,
            "accept_wrong": hours(0.5, 30),
            "return": hours(1, 24),
            "assign": np.where(self.rect, 1 / 60, np.where(detour, hours(0.2, 20), assign_hours)),
            "accept": np.where(share(0.95), hours(0.5, 30), hours(60, 150)),
            "note": hours(1, 48),
            "answer1": np.where(share(0.9), hours(24, 288), hours(300, 600)),
            "reopen": hours(12, 144),
            "accept2": hours(0.5, 30),
            "answer2": hours(24, 240),
            "close": np.zeros(n),
            "merge": hours(0.5, 12),
        }
        names = [name for name, _a, _t in STEPS]
        mask = np.column_stack([masks[name] for name in names])
        delay = np.column_stack([delays[name] for name in names])
        room = (self.now - self.received) / HOUR - 0.1
        before_close = np.where(mask, delay, 0).sum(axis=1)
        # Half the closures are the scheduled job's, REOPEN_DAYS after an undisputed answer,
        # where that fits before now; supervisors close the others within a week.
        wait = self.reopen_days * 24
        by_system = masks["close"] & share(0.5) & (before_close + wait + 1 <= 0.95 * room)
        delay[:, STEP_INDEX["close"]] = np.where(by_system, wait + hours(0, 1), hours(24, 168))
        total = np.where(mask, delay, 0).sum(axis=1)
        # Plans that do not fit between receipt and now are squeezed (the newest cases).
        scale = np.minimum(1.0, 0.95 * room / np.maximum(total, 1e-9))
        steps = np.where(mask, delay * scale[:, None], 0.0)
        times = self.received[:, None] + np.rint(np.cumsum(steps, axis=1) * HOUR).astype(np.int64)
        self.mask = mask
        self.times = np.where(mask, times, NONE)

        # Answers undisputed for REOPEN_DAYS are closed by the scheduled job.
        answered_at = np.where(self.has("answer2"), self.t("answer2"), self.t("answer1"))
        stale = (status == S["answered"]) & (answered_at < self.now - wait * HOUR)
        closing = answered_at[stale] + wait * HOUR + rng.integers(0, HOUR, int(stale.sum()))
        status[stale] = S["closed"]
        self.mask[stale, STEP_INDEX["close"]] = True
        self.times[stale, STEP_INDEX["close"]] = np.minimum(closing, self.now - US)
        by_system |= stale
        self.closed_by_system = by_system
        self.detour = detour
        self.main_assign = main_assign
        self.reopened_before = reopened_before

        # Case fields, as the services set them.
        self.assigned_at = np.where(self.has("assign"), self.t("assign"), self.t("assign_wrong"))
        first = np.full(n, NONE, dtype=np.int64)
        for step in ("answer1", "accept", "accept_wrong"):  # the earliest present one wins
            first = np.where(self.has(step), self.t(step), first)
        self.first_responded_at = first
        self.answered_at = np.where(self.has("answer2"), self.t("answer2"), self.t("answer1"))
        self.closed_at = self.t("close")
        self.assign_due = self.cal.assign_due[self.day]
        self.response_due = self.cal.response_due[self.day]
        self.answer_due = self.cal.answer_due[self.day]
        self.reopen_count = self.has("reopen").astype(np.int64)
        unrouted = np.isin(status, [S["received"], S["returned"]])
        unmerged_unrouted = (status == S["merged"]) & ~main_assign
        self.final_unit_slot = np.where(unrouted | unmerged_unrouted, NONE, self.unit_slot)

        # The hourly job escalates an open case once, soon after its first missed deadline.
        never = np.iinfo(np.int64).max
        first_assign = np.where(detour, self.t("assign_wrong"), self.t("assign"))
        back = np.maximum(self.assign_due, self.t("return"))
        late = [
            np.where(
                (first_assign == NONE) | (first_assign > self.assign_due), self.assign_due, never
            ),
            np.where(
                detour & (~main_assign | (self.t("assign") > back)), back, never
            ),  # returned after the deadline and waiting again
            np.where((first == NONE) | (first > self.response_due), self.response_due, never),
            np.where(
                ~self.has("answer1") | (self.t("answer1") > self.answer_due),
                self.answer_due,
                never,
            ),
        ]
        overdue = np.minimum.reduce(late)
        open_until = np.full(n, self.now - 5 * 60 * US, dtype=np.int64)
        open_until = np.where(self.has("answer1"), self.t("answer1"), open_until)
        open_until = np.where(self.has("merge"), self.t("merge"), open_until)
        escalate = overdue < open_until
        gap = np.minimum(HOUR, np.where(escalate, open_until - overdue, 1))
        self.escalated_at = np.where(
            escalate, overdue + (rng.random(n) * gap).astype(np.int64), NONE
        )
        esc = self.escalated_at
        with_main = main_assign & (self.t("assign") <= esc)
        with_wrong = detour & (self.t("assign_wrong") <= esc) & (esc < self.t("return"))
        self.escalated_unit_slot = np.where(
            with_main, self.unit_slot, np.where(with_wrong, self.wrong_slot, NONE)
        )

        # Walking the steps in order must end in each case's status.
        current = np.full(n, S["received"])
        self.from_status: dict[str, np.ndarray] = {}
        for k, (name, _action, target) in enumerate(STEPS):
            if target is None:
                continue
            self.from_status[name] = current.copy()
            current = np.where(self.mask[:, k], S[target], current)
        if not np.array_equal(current, status):
            raise RuntimeError("timeline steps do not lead to the cases' statuses")

    # -- satisfaction follow-ups -------------------------------------------------------------

    def _followups(self) -> None:
        """One follow-up per answer: for ~60% of answered cases about the answer in force;
        and for most reopened answers the follow-up whose "not solved" reopened the case."""
        from civicdesk.demo.generator.service_quality import FOLLOWUP_COMMENTS
        from civicdesk.demo.vocabulary import REOPEN_REASONS
        from civicdesk.evaluation.models import AnswerChannel, FollowUpStatus
        from civicdesk.evaluation.services import followup_days

        S = self.S
        n = self.n
        rng = _rng(self.seed, "followups")
        users = self.ref.user_ids
        days = followup_days() * DAY

        current = np.isin(self.status, [S["answered"], S["closed"]]) & (
            rng.random(n) < FOLLOWUP_SHARE
        )
        opened = self.answered_at + rng.integers(2 * HOUR, 30 * HOUR, n)
        current &= opened < self.now - 60 * US
        case = np.flatnonzero(current)
        size = len(case)
        opened = opened[case]
        due = opened + days
        draw = rng.random(size)
        answered = np.where(due <= self.now, draw >= 0.15, draw >= 0.5)
        no_answer = (due <= self.now) & ~answered
        status = np.where(
            answered,
            FollowUpStatus.ANSWERED.value,
            np.where(no_answer, FollowUpStatus.NO_ANSWER.value, FollowUpStatus.PENDING.value),
        ).astype(object)
        # Most answers come in the first days.
        until = np.minimum(due, self.now)
        responded = opened + (rng.random(size) ** 2 * (until - opened)).astype(np.int64)
        responded[~answered] = NONE
        channel = _pick(
            rng,
            {
                AnswerChannel.WEB.value: 85,
                AnswerChannel.PHONE.value: 12,
                AnswerChannel.VERIFIED.value: 3,
            },
            size,
        ).astype(object)
        channel[~answered] = ""
        verified = channel == AnswerChannel.VERIFIED.value
        satisfaction = np.where(
            answered & ~verified, _pick(rng, SATISFACTION_WEIGHTS, size), NONE
        ).astype(np.int64)
        solved = np.where(answered, True, None).astype(object)
        comments = _objects(FOLLOWUP_COMMENTS)
        comment = np.where(
            answered & ~verified, comments[rng.integers(0, len(comments), size)], ""
        ).astype(object)
        callers = np.array([users["clerk"], users["clerk-window"]])
        signers = np.array([users["supervisor"], users["supervisor-2"]])
        recorded_by = np.where(
            channel == AnswerChannel.PHONE.value,
            callers[rng.integers(0, 2, size)],
            np.where(verified, signers[rng.integers(0, 2, size)], NONE),
        )
        no_answer_at = np.where(
            no_answer, np.minimum(due + rng.integers(0, HOUR, size), self.now), NONE
        )

        # "Not solved" reopens the case (the reporter's reopening, within the follow-up time).
        failed = self.has("reopen") & (rng.random(n) < 0.6)
        f_case = np.flatnonzero(failed)
        f_size = len(f_case)
        first_answer = self.t("answer1")[f_case]
        reopened = self.t("reopen")[f_case]
        f_opened = first_answer + np.minimum(
            rng.integers(2 * HOUR, 30 * HOUR, f_size), (reopened - first_answer) // 2
        )
        f_channel = np.where(
            rng.random(f_size) < 0.85, AnswerChannel.WEB.value, AnswerChannel.PHONE.value
        ).astype(object)
        reasons = _objects(REOPEN_REASONS)
        f_comment = reasons[rng.integers(0, len(reasons), f_size)]
        self.reopened_by_followup = failed
        self.reopen_note_by_followup = np.empty(n, dtype=object)
        self.reopen_note_by_followup[f_case] = f_comment

        columns = {
            "case": np.concatenate([case, f_case]),
            "answer_of": np.concatenate([self.answered_at[case], first_answer]),
            "created": np.concatenate([opened, f_opened]),
            "due": np.concatenate([due, f_opened + days]),
            "status": np.concatenate(
                [status, np.full(f_size, FollowUpStatus.ANSWERED.value, dtype=object)]
            ),
            "responded": np.concatenate([responded, reopened]),
            "channel": np.concatenate([channel, f_channel]),
            "solved": np.concatenate([solved, np.full(f_size, False, dtype=object)]),
            "satisfaction": np.concatenate(
                [satisfaction, rng.integers(1, 3, f_size).astype(np.int64)]
            ),
            "comment": np.concatenate([comment, f_comment]),
            "recorded_by": np.concatenate(
                [
                    recorded_by,
                    np.where(
                        f_channel == AnswerChannel.PHONE.value,
                        callers[rng.integers(0, 2, f_size)],
                        NONE,
                    ),
                ]
            ),
            "no_answer_at": np.concatenate([no_answer_at, np.full(f_size, NONE)]),
            "failed": np.concatenate([np.zeros(size, bool), np.ones(f_size, bool)]),
        }
        order = np.argsort(columns["created"], kind="stable")
        self.followup = {name: values[order] for name, values in columns.items()}
        self.followup["token"] = _objects(_tokens(_rng(self.seed, "followup tokens"), len(order)))

    # -- texts: codes, submissions, answers and search texts ---------------------------------

    def _texts(self) -> None:
        from django.conf import settings
        from django.utils import translation

        from civicdesk.demo import vocabulary as v
        from civicdesk.demo.generator.specs import Spec
        from civicdesk.demo.generator.steps import _answer_text
        from civicdesk.ratings.models import Rating, RatingInvitation
        from civicdesk.ratings.services import _rectification_text

        n = self.n
        p = self.p
        pool = self.pool
        rect = self.rect_index
        bad = len(rect)
        rng = _rng(self.seed, "texts")
        self.code = _tracking_codes(_rng(self.seed, "tracking codes"), n)

        def column(values: np.ndarray, rect_values: Any) -> np.ndarray:
            out = values[p].astype(object)
            out[rect] = rect_values
            return out

        # The rectification cases, written as the ratings service writes them.
        phones = np.where(
            rng.random(bad) < 0.5,
            _objects(f"139{x:08d}" for x in rng.integers(0, 10**8, bad)),
            "",
        ).astype(object)
        rating = self.rating
        chosen = self.rect_rating
        windows = [self.unit_by_id[w] for w in rating["window"][chosen]]
        staff = [self.user_by_id.get(int(s)) for s in rating["staff"][chosen]]
        services = self.invitation["service"][rating["invitation"][chosen]]
        descriptions: list[str] = []
        cache: dict[tuple, str] = {}
        with translation.override(settings.LANGUAGE_CODE):
            for k in range(bad):
                key = (
                    windows[k].pk,
                    staff[k].pk if staff[k] else None,
                    services[k],
                    int(rating["level"][chosen[k]]),
                    tuple(self.rect_reasons[k]),
                    rating["comment"][chosen[k]],
                    bool(phones[k]),
                )
                text = cache.get(key)
                if text is None:
                    one = Rating(
                        invitation=RatingInvitation(window=windows[k], service_name=services[k]),
                        window=windows[k],
                        staff=staff[k],
                        level=key[3],
                        reasons=list(key[4]),
                        comment=key[5],
                    )
                    text = cache[key] = _rectification_text(one, bool(phones[k]))
                descriptions.append(text)
        answers = random.Random(f"{self.seed}-rectification-answers")
        first: list[str] = []
        again: list[str] = []
        for window in windows:
            spec = Spec(
                channel="rating",
                received_at=datetime.now(UTC),
                kind="window",
                category="window-service",
                unit=window.code,
                summary="",
                description="",
            )
            first.append(_answer_text(answers, spec, window.name))
            again.append(_answer_text(answers, spec, window.name, again=True))
        rating_ids = self.base["rating"] + chosen
        rect_details = [
            json.dumps({"rating": int(r), "window": w.code})
            for r, w in zip(rating_ids, windows, strict=True)
        ]

        self.description = column(pool.description, descriptions)
        self.address = column(pool.address, "")
        self.contact_name = column(pool.contact_name, "")
        self.contact_phone = column(pool.contact_phone, phones)
        self.for_enterprise = column(pool.for_enterprise, False)
        self.enterprise_name = column(pool.enterprise_name, "")
        self.credit_code = column(pool.credit_code, "")
        self.consent_publish = column(pool.consent_publish, False)
        self.source_details = column(pool.source_details, rect_details)
        self.recorded_by = np.where(self.rect, NONE, pool.recorded_by[p])
        self.submission_category = np.where(self.online, pool.category[p], NONE)
        # Coordinates around the configured map centre: the demo's places, shifted there.
        places = np.array([(lat, lon) for _names, lat, lon in v.PLACES.values()])
        shift = np.array(settings.CIVICDESK_MAP_CENTER[:2]) - places.mean(axis=0)
        latitude = pool.latitude[p] + shift[0] + rng.normal(0, 0.0015, n)
        longitude = pool.longitude[p] + shift[1] + rng.normal(0, 0.0015, n)
        located = ~np.isnan(latitude) & ~self.rect
        self.latitude = np.full(n, None, dtype=object)
        self.longitude = np.full(n, None, dtype=object)
        self.latitude[located] = np.char.mod("%.6f", latitude[located]).astype(object)
        self.longitude[located] = np.char.mod("%.6f", longitude[located]).astype(object)

        self.first_answer = column(pool.answer, first)
        self.second_answer = column(pool.answer_again, again)
        first_public = column(pool.answer_public, [self.texts.public(t) for t in first])
        second_public = column(pool.answer_again_public, [self.texts.public(t) for t in again])
        in_force = self.has("answer1")
        self.answer = np.where(
            in_force, np.where(self.reopened_before, self.second_answer, self.first_answer), ""
        ).astype(object)
        answer_public = np.where(self.reopened_before, second_public, first_public)
        search = column(pool.search, [self.texts.normalize(t) for t in descriptions])
        public = column(pool.public, [self.texts.public(t) for t in descriptions])
        # What Case.refresh_search_text computes, put together from normalised parts
        # (`_verify_sample` checks it against the real method).
        self.search_text = _objects(
            f"{code.lower()} {text}" if text else code.lower()
            for code, text in zip(self.code, search, strict=True)
        )
        self.public_search_text = _objects(
            f"{text} {answer}" if flag and answer else text
            for text, answer, flag in zip(public, answer_public, in_force, strict=True)
        )

    # -- the timelines -----------------------------------------------------------------------

    def _events(self) -> None:
        from django.conf import settings
        from django.utils import translation
        from django.utils.translation import gettext

        from civicdesk.cases.workflow import REPORTER, SYSTEM, Action
        from civicdesk.demo import vocabulary as v
        from civicdesk.evaluation.models import FollowUpStatus

        n = self.n
        ref = self.ref
        users = ref.user_ids
        rng = _rng(self.seed, "events")
        status_text = _objects(self.status_names)
        with translation.override(settings.LANGUAGE_CODE):
            auto_escalate = gettext("Escalated automatically: a deadline has passed.")
            auto_close = gettext("Closed automatically: the answer was not disputed.")
            followup_opened = gettext("Satisfaction follow-up opened.")
            followup_silent = gettext("The reporter did not answer the satisfaction follow-up.")
            merged_note = gettext("Case %(code)s was merged into this one.")

        def unit_id(slots: np.ndarray) -> np.ndarray:
            return np.where(slots == NONE, NONE, ref.unit_ids[np.maximum(slots, 0)])

        def handler(slots: np.ndarray) -> np.ndarray:
            draw = rng.integers(0, 1 << 30, len(slots))
            return ref.handlers[slots, draw % ref.handler_counts[slots]]

        def choose(options: Sequence[Any], size: int) -> np.ndarray:
            return _objects(options)[rng.integers(0, len(options), size)]

        def staff_or_system(size: int) -> tuple[np.ndarray, np.ndarray]:
            """Who assigns: the demo's mix of clerks, a supervisor and the automatic rules."""
            who = choose(["clerk", "clerk", "supervisor", None], size)
            actor = np.array([users[w] if w else NONE for w in who], dtype=np.int64)
            notes = np.where(
                actor == NONE, "按分类自动分派", choose(["", "请按时办理", "请核实后答复"], size)
            ).astype(object)
            return actor, notes

        events = _Events()
        everyone = np.arange(n)
        recorder = self.recorded_by
        channel_data = {code: json.dumps({"channel": code}) for code in CHANNEL_WEIGHTS}
        events.add(
            "create",
            everyone,
            self.received,
            action=Action.CREATE.value,
            to_status="received",
            actor=recorder,
            actor_kind=np.where(recorder == NONE, REPORTER, "").astype(object),
            public=True,
            data=_objects(channel_data[code] for code in self.channel),
        )
        case_handler = handler(np.maximum(self.unit_slot, 0))
        wrong_handler = handler(self.wrong_slot)
        unit_names = [ref.unit_names[code] for code in ref.unit_codes]
        category_names = {c.pk: c.name for c in ref.categories.values()}
        for k, (name, action, target) in enumerate(STEPS):
            case = np.flatnonzero(self.mask[:, k])
            size = len(case)
            at = self.times[case, k]
            moves: dict[str, Any] = {}
            if target is not None:
                moves = {
                    "from_status": status_text[self.from_status[name][case]],
                    "to_status": target,
                }
            if name == "recategorize":
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=np.array([users["clerk"], users["supervisor"]])[rng.integers(0, 2, size)],
                    data=_objects(
                        json.dumps({"from": "", "to": category_names[c]})
                        for c in self.category[case]
                    ),
                )
            elif name in ("assign_wrong", "assign"):
                actor, note = staff_or_system(size)
                slots = self.wrong_slot if name == "assign_wrong" else self.unit_slot
                if name == "assign":
                    # The ratings service assigns rectification cases itself, without a note.
                    automatic = self.rect[case]
                    actor[automatic] = NONE
                    note[automatic] = ""
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=actor,
                    actor_kind=np.where(actor == NONE, SYSTEM, "").astype(object),
                    unit=unit_id(slots[case]),
                    note=note,
                    public=True,
                    **moves,
                )
            elif name in ("accept_wrong", "accept", "accept2"):
                wrong = name == "accept_wrong"
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=(wrong_handler if wrong else case_handler)[case],
                    unit=unit_id((self.wrong_slot if wrong else self.unit_slot)[case]),
                    note=choose(v.ACCEPT_NOTES, size),
                    public=True,
                    **moves,
                )
            elif name == "return":
                template = rng.integers(0, len(v.RETURN_REASONS), size)
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=wrong_handler[case],
                    unit=unit_id(self.wrong_slot[case]),
                    note=_objects(
                        v.RETURN_REASONS[t].format(unit=unit_names[s])
                        for t, s in zip(template, self.unit_slot[case], strict=True)
                    ),
                    **moves,
                )
            elif name == "note":
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=case_handler[case],
                    note=choose(v.INTERNAL_NOTES, size),
                )
            elif name in ("answer1", "answer2"):
                texts = self.first_answer if name == "answer1" else self.second_answer
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=case_handler[case],
                    unit=unit_id(self.unit_slot[case]),
                    note=texts[case],
                    public=True,
                    **moves,
                )
            elif name == "reopen":
                by_followup = self.reopened_by_followup[case]
                by_reporter = by_followup | (rng.random(size) < 0.75)
                note = np.where(
                    by_followup,
                    self.reopen_note_by_followup[case],
                    np.where(by_reporter, choose(v.REOPEN_REASONS, size), "回访不满意，重新办理"),
                ).astype(object)
                actor = np.where(by_reporter, NONE, users["supervisor"])
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=actor,
                    actor_kind=np.where(by_reporter, REPORTER, "").astype(object),
                    note=note,
                    public=True,
                    **moves,
                )
            elif name == "close":
                system = self.closed_by_system[case]
                supervisors = np.array([users["supervisor"], users["supervisor-2"]])
                actor = np.where(system, NONE, supervisors[rng.integers(0, 2, size)])
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=actor,
                    actor_kind=np.where(system, SYSTEM, "").astype(object),
                    note=np.where(system, auto_close, choose(v.CLOSE_NOTES, size)).astype(object),
                    public=True,
                    **moves,
                )
            elif name == "merge":
                target = self.merge_target[case]
                actor = np.array([users["clerk"], users["supervisor"]])[rng.integers(0, 2, size)]
                events.add(
                    name,
                    case,
                    at,
                    action=action,
                    actor=actor,
                    note="与此前反映的问题相同，合并办理",
                    public=True,
                    data=_objects(json.dumps({"into": c}) for c in self.code[target]),
                    **moves,
                )
                # case_merge also notes the merge on the case that stays.
                events.add(
                    "merge_note",
                    target,
                    at,
                    action=Action.NOTE.value,
                    actor=actor,
                    note=_objects(merged_note % {"code": c} for c in self.code[case]),
                    data=_objects(json.dumps({"merged": c}) for c in self.code[case]),
                    owner=case,
                )
        escalated = np.flatnonzero(self.escalated_at != NONE)
        events.add(
            "escalate",
            escalated,
            self.escalated_at[escalated],
            action=Action.ESCALATE.value,
            actor_kind=SYSTEM,
            unit=unit_id(self.escalated_unit_slot[escalated]),
            note=auto_escalate,
        )

        # Each step of a follow-up is an internal note on the timeline.
        f = self.followup
        case = f["case"]
        unit = unit_id(self.final_unit_slot[case])
        sent_via = np.where(self.contact_phone[case] != "", "sms", "").astype(object)
        self.followup["sent_via"] = sent_via
        for failed, opened, answered_kind in (
            (True, "failed_followup_open", "failed_followup_answer"),
            (False, "followup_open", "followup_answer"),
        ):
            rows = np.flatnonzero(f["failed"] == failed)
            events.add(
                opened,
                case[rows],
                f["created"][rows],
                action=Action.NOTE.value,
                actor_kind=SYSTEM,
                unit=unit[rows],
                note=followup_opened,
                data=_objects(
                    json.dumps({"followup": "open", "sent_via": s}) for s in sent_via[rows]
                ),
            )
            rows = rows[f["status"][rows] == FollowUpStatus.ANSWERED.value]
            actor = f["recorded_by"][rows]
            events.add(
                answered_kind,
                case[rows],
                f["responded"][rows],
                action=Action.NOTE.value,
                actor=actor,
                actor_kind=np.where(actor == NONE, REPORTER, "").astype(object),
                unit=unit[rows],
                note=f["comment"][rows],
                data=_objects(
                    json.dumps(
                        {
                            "followup": "answer",
                            "channel": channel,
                            "solved": solved,
                            "satisfaction": None if level == NONE else int(level),
                        }
                    )
                    for channel, solved, level in zip(
                        f["channel"][rows], f["solved"][rows], f["satisfaction"][rows], strict=True
                    )
                ),
            )
        rows = np.flatnonzero(f["status"] == FollowUpStatus.NO_ANSWER.value)
        events.add(
            "followup_no_answer",
            case[rows],
            f["no_answer_at"][rows],
            action=Action.NOTE.value,
            actor_kind=SYSTEM,
            unit=unit[rows],
            note=followup_silent,
            data=json.dumps({"followup": "no_answer"}),
        )

        # Keep complete timelines for the newest cases and only "received" before the
        # cut-off, so that the total comes out at events_per_case per case.
        built = events.build()
        created = built["order"] == EVENT_ORDER.index("create")
        extra = np.bincount(built["owner"][~created], minlength=n)
        allowed = round(self.events_per_case * n) - n
        from_here = np.cumsum(extra[::-1])[::-1]
        fits = np.flatnonzero(from_here <= allowed)
        cutoff = int(fits[0]) if len(fits) else n
        keep = created | (built["owner"] >= cutoff)
        order = np.lexsort((built["case"][keep], built["order"][keep], built["at"][keep]))
        self.events = {name: values[keep][order] for name, values in built.items()}
        self.timeline_cutoff = int(self.received[cutoff]) if cutoff < n else None
        self.full_timelines = n - cutoff

    # -- checks ------------------------------------------------------------------------------

    def verify_sample(self, size: int = 300) -> None:
        """Compare a sample with what the application's own code makes of the same case."""
        from civicdesk.cases.models import Case
        from civicdesk.core.deadlines import stage_deadlines
        from civicdesk.core.tracking import normalize_tracking_code
        from civicdesk.intake.models import Submission

        rng = _rng(self.seed, "verify")
        sample = np.unique(
            np.concatenate(
                [rng.integers(0, self.n, size), self.rect_index[: size // 10], [self.n - 1]]
            )
        )
        for i in sample.tolist():
            code = self.code[i]
            if normalize_tracking_code(code) != code:
                raise RuntimeError(f"invalid tracking code {code}")
            submission = Submission(
                description=self.description[i],
                address=self.address[i],
                contact_name=self.contact_name[i],
                contact_phone=self.contact_phone[i],
            )
            case = Case(submission=submission, tracking_code=code, answer=self.answer[i])
            case.refresh_search_text()
            if (case.search_text, case.public_search_text) != (
                self.search_text[i],
                self.public_search_text[i],
            ):
                raise RuntimeError(f"search texts of case {i} differ from refresh_search_text")
            received = EPOCH + timedelta(microseconds=int(self.received[i]))
            due = stage_deadlines(received)
            if (_us(due.assign), _us(due.response), _us(due.answer)) != (
                self.assign_due[i],
                self.response_due[i],
                self.answer_due[i],
            ):
                raise RuntimeError(f"deadlines of case {i} differ from stage_deadlines")


# ---------------------------------------------------------------------------------------------
# Writing


Column = Callable[[slice], Iterable[Any]]


def _table_columns(model: Any, names: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
    """The columns to COPY: ours, plus any NOT NULL column added to the model since this was
    written, filled with the field's default (COPY would fail on it otherwise): one value for
    every row, or, for a unique column (a random public id), a function called for each row."""
    from django.db import connection

    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = [name for name in names if name not in fields]
    if unknown:
        raise FillError(f"{model._meta.db_table} has no column {', '.join(unknown)}")
    extra_names: list[str] = []
    extra_values: list[Any] = []
    for column, f in fields.items():
        if column in names or f.null:
            continue
        if not f.has_default():
            raise FillError(
                f"{model._meta.db_table}.{column} is NOT NULL without a default: "
                "teach bench/dashboard_data.py to fill it"
            )
        extra_names.append(column)
        if f.unique:
            extra_values.append(lambda f=f: f.get_db_prep_save(f.get_default(), connection))
        else:
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
    return [*names, *extra_names], tuple(extra_values)


def _copy(model: Any, count: int, columns: dict[str, Column]) -> int:
    """COPY `count` rows into the model's table, ROWS_PER_CHUNK rows at a time; each column
    gives its values for a slice of the rows."""
    from django.db import connection

    names, extra = _table_columns(model, list(columns))
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(name) for name in names)}) "
        "FROM STDIN"
    )
    with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        for start in range(0, count, ROWS_PER_CHUNK):
            part = slice(start, min(start + ROWS_PER_CHUNK, count))
            rows = zip(*(make(part) for make in columns.values()), strict=True)
            if any(callable(value) for value in extra):
                for row in rows:
                    copy.write_row(row + tuple(v() if callable(v) else v for v in extra))
            elif extra:
                for row in rows:
                    copy.write_row(row + extra)
            else:
                for row in rows:
                    copy.write_row(row)
    return count


def _values(array: np.ndarray) -> Column:
    return lambda part: array[part].tolist()


def _times(array: np.ndarray) -> Column:
    return lambda part: _iso(array[part])


def _refs(array: np.ndarray) -> Column:
    return lambda part: _ids(array[part])


def _same(value: Any) -> Column:
    return lambda part: [value] * (part.stop - part.start)


def _write(plan: _Plan, phase: _Phases) -> dict[str, int]:
    """COPY the plan into the database (inside the caller's transaction)."""
    from civicdesk.cases.models import Case, CaseEvent
    from civicdesk.evaluation.models import FollowUp
    from civicdesk.intake.models import Submission
    from civicdesk.ratings.models import EventAction, Rating, RatingEvent, RatingInvitation

    n = plan.n
    base = plan.base
    ref = plan.ref
    case_ids = base["case"] + np.arange(n)
    channel_ids = {code: channel.pk for code, channel in ref.channels.items()}
    rows: dict[str, int] = {}

    def unit_ids(slots: np.ndarray) -> np.ndarray:
        return np.where(slots == NONE, NONE, ref.unit_ids[np.maximum(slots, 0)])

    with phase("copy submissions"):
        rows[Submission._meta.db_table] = _copy(
            Submission,
            n,
            {
                "id": _values(base["submission"] + np.arange(n)),
                "channel_id": _values(np.array([channel_ids[c] for c in plan.channel])),
                "source_details": _values(plan.source_details),
                "external_id": _same(""),
                "description": _values(plan.description),
                "category_id": _refs(plan.submission_category),
                "address": _values(plan.address),
                "latitude": _values(plan.latitude),
                "longitude": _values(plan.longitude),
                "contact_name": _values(plan.contact_name),
                "contact_phone": _values(plan.contact_phone),
                "contact_email": _same(""),
                "for_enterprise": _values(plan.for_enterprise),
                "enterprise_name": _values(plan.enterprise_name),
                "enterprise_credit_code": _values(plan.credit_code),
                "consent_publish": _values(plan.consent_publish),
                "language": _same("zh-hans"),
                "received_at": _times(plan.received),
                "recorded_by_id": _refs(plan.recorded_by),
            },
        )
    with phase("copy cases"):
        merged_into = np.where(plan.merge_target == NONE, NONE, base["case"] + plan.merge_target)
        rows[Case._meta.db_table] = _copy(
            Case,
            n,
            {
                "id": _values(case_ids),
                "submission_id": _values(base["submission"] + np.arange(n)),
                "tracking_code": _values(plan.code),
                "status": _values(_objects(plan.status_names)[plan.status]),
                "unit_id": _refs(unit_ids(plan.final_unit_slot)),
                "category_id": _refs(plan.category),
                "merged_into_id": _refs(merged_into),
                "received_at": _times(plan.received),
                "assigned_at": _times(plan.assigned_at),
                "first_responded_at": _times(plan.first_responded_at),
                "answered_at": _times(plan.answered_at),
                "closed_at": _times(plan.closed_at),
                "escalated_at": _times(plan.escalated_at),
                "assign_due_at": _times(plan.assign_due),
                "response_due_at": _times(plan.response_due),
                "answer_due_at": _times(plan.answer_due),
                "answer": _values(plan.answer),
                "reopen_count": _values(plan.reopen_count),
                "search_text": _values(plan.search_text),
                "public_search_text": _values(plan.public_search_text),
            },
        )
    with phase("copy case events"):
        e = plan.events
        count = len(e["case"])
        rows[CaseEvent._meta.db_table] = _copy(
            CaseEvent,
            count,
            {
                "id": _values(base["event"] + np.arange(count)),
                "case_id": _values(base["case"] + e["case"]),
                "action": _values(e["action"]),
                "from_status": _values(e["from_status"]),
                "to_status": _values(e["to_status"]),
                "actor_id": _refs(e["actor"]),
                "actor_kind": _values(e["actor_kind"]),
                "unit_id": _refs(e["unit"]),
                "note": _values(e["note"]),
                "is_public": _values(e["public"]),
                "data": _values(e["data"]),
                "created_at": _times(e["at"]),
            },
        )
    with phase("copy follow-ups and ratings"):
        f = plan.followup
        count = len(f["case"])
        satisfaction = f["satisfaction"]
        rows[FollowUp._meta.db_table] = _copy(
            FollowUp,
            count,
            {
                "id": _values(base["followup"] + np.arange(count)),
                "case_id": _values(base["case"] + f["case"]),
                "answer_of": _times(f["answer_of"]),
                "token": _values(f["token"]),
                "created_at": _times(f["created"]),
                "due_at": _times(f["due"]),
                "sent_via": _values(f["sent_via"]),
                "status": _values(f["status"]),
                "responded_at": _times(f["responded"]),
                "channel": _values(f["channel"]),
                "solved": _values(f["solved"]),
                "satisfaction": _refs(satisfaction),
                "comment": _values(f["comment"]),
                "recorded_by_id": _refs(f["recorded_by"]),
            },
        )
        i = plan.invitation
        count = len(i["created"])
        invitation_ids = base["invitation"] + np.arange(count)
        rows[RatingInvitation._meta.db_table] = _copy(
            RatingInvitation,
            count,
            {
                "id": _values(invitation_ids),
                "window_id": _values(i["window"]),
                "staff_id": _refs(i["staff"]),
                "service_name": _values(i["service"]),
                "token": _values(i["token"]),
                "source": _values(i["source"]),
                "created_by_id": _refs(i["created_by"]),
                "created_at": _times(i["created"]),
                "used_at": _times(i["used"]),
            },
        )
        r = plan.rating
        count = len(r["created"])
        rating_ids = base["rating"] + np.arange(count)
        rating_case = np.where(r["case"] == NONE, NONE, base["case"] + r["case"])
        rows[Rating._meta.db_table] = _copy(
            Rating,
            count,
            {
                "id": _values(rating_ids),
                "invitation_id": _values(invitation_ids[r["invitation"]]),
                "window_id": _values(r["window"]),
                "staff_id": _refs(r["staff"]),
                "previous_id": _same(None),
                "level": _values(r["level"]),
                "reasons": _values(r["reasons"]),
                "comment": _values(r["comment"]),
                "created_at": _times(r["created"]),
                "case_id": _refs(rating_case),
                "due_at": _times(r["due"]),
                "rerate_token": _values(r["rerate_token"]),
                "appeal_status": _same(""),
                "appeal_reason": _same(""),
                "excluded": _same(False),
                "excluded_reason": _same(""),
            },
        )
        # Invited, rated, and for a bad rating its rectification case, as the services log.
        bad = np.flatnonzero(r["case"] != NONE)
        parts = [
            {
                "invitation": invitation_ids,
                "rating": np.full(len(invitation_ids), NONE),
                "action": EventAction.INVITE.value,
                "actor": i["created_by"],
                "data": _objects(json.dumps({"source": s}) for s in i["source"]),
                "at": i["created"],
            },
            {
                "invitation": invitation_ids[r["invitation"]],
                "rating": rating_ids,
                "action": EventAction.RATE.value,
                "actor": np.full(len(rating_ids), NONE),
                "data": _objects(json.dumps({"level": int(level)}) for level in r["level"]),
                "at": r["created"],
            },
            {
                "invitation": invitation_ids[r["invitation"][bad]],
                "rating": rating_ids[bad],
                "action": EventAction.RECTIFY.value,
                "actor": np.full(len(bad), NONE),
                "data": _objects(
                    json.dumps({"case": code, "due_at": due})
                    for code, due in zip(plan.code[r["case"][bad]], r["due_iso"][bad], strict=True)
                ),
                "at": r["created"][bad],
            },
        ]
        for part in parts:
            part["action"] = np.full(len(part["at"]), part["action"], dtype=object)
        log = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        step = np.concatenate([np.full(len(part["at"]), k) for k, part in enumerate(parts)])
        order = np.lexsort((step, log["at"]))
        log = {name: values[order] for name, values in log.items()}
        count = len(order)
        rows[RatingEvent._meta.db_table] = _copy(
            RatingEvent,
            count,
            {
                "id": _values(base["rating_event"] + np.arange(count)),
                "invitation_id": _values(log["invitation"]),
                "rating_id": _refs(log["rating"]),
                "action": _values(log["action"]),
                "actor_id": _refs(log["actor"]),
                "note": _same(""),
                "data": _values(log["data"]),
                "created_at": _times(log["at"]),
            },
        )
    return rows


def _check_references(models: Iterable[Any]) -> None:
    """What the foreign-key triggers would have checked row by row, as one anti-join per
    key (the triggers are off while loading: see `fill`)."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = quote(model._meta.db_table)
            for f in model._meta.concrete_fields:
                if not f.is_relation or not f.db_constraint:
                    continue
                target = quote(f.related_model._meta.db_table)
                column, key = quote(f.column), quote(f.target_field.column)
                cursor.execute(
                    # Only names from the models' metadata are interpolated.
                    f"SELECT count(*) FROM {table} c WHERE c.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{key} = c.{column})"
                )
                (orphans,) = cursor.fetchone()
                if orphans:
                    raise RuntimeError(f"{orphans} rows of {table}.{column} point nowhere")


@contextmanager
def _plain_indexes_rebuilt(models: Iterable[Any]) -> Iterator[list[str]]:
    """Drop the loaded tables' plain indexes (those behind no constraint) for the load and
    build them again afterwards: one sorted build per index is much faster than millions of
    random inserts. Unique constraints stay; a unique plain index that the data broke would
    fail to build and roll the whole load back."""
    from django.db import connection

    with connection.cursor() as cursor:
        definitions: list[tuple[str, str]] = []
        for model in models:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [model._meta.db_table],
            )
            definitions += cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f"DROP INDEX {name}")
    yield [name for name, _definition in definitions]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in definitions:
            cursor.execute(definition)


def _next_ids(models: dict[str, Any]) -> dict[str, int]:
    """The first free id of each table (1 in an empty or truncated one)."""
    from django.db.models import Max

    return {
        name: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        for name, model in models.items()
    }


def _problems(
    *, seed: int, now: datetime, ref: _Reference, plan: _Plan, measures: int
) -> tuple[int, int, int]:
    """The demo's prominent problems, a few hundred measures on them (through the services,
    so every history chain verifies), and links to recent cases that match each problem."""
    from django.db import transaction
    from django.utils import timezone

    from civicdesk.accounts.models import Role
    from civicdesk.cases.models import Category
    from civicdesk.commitments import services as commitments
    from civicdesk.commitments.models import Measure
    from civicdesk.demo.generator import commitments as demo
    from civicdesk.demo.generator.load import _without_query_log
    from civicdesk.notifications.services import suppressed as _silent_notifications
    from civicdesk.problems.models import Problem
    from civicdesk.problems.services import problem_save

    today = timezone.localdate(now)
    rng = random.Random(f"{seed}-bench-measures")
    scenarios = {
        demo.WORKING: 30,
        demo.PLANNED: 10,
        demo.OVERDUE: 12,
        demo.OVERDUE_IDLE: 4,
        demo.DONE: 10,
        demo.VERIFIED: 12,
        demo.CLOSED: 14,
        demo.EXTENDED: 5,
        demo.ASKING: 3,
    }
    reason = "需多个部门协同推进，相关配套工作顺延，原定期限内无法全部完成。"
    with _without_query_log(), _silent_notifications(), transaction.atomic():
        demo.ensure_problems(seed=seed, today=today, users=ref.users, units=ref.units)
        plans = {p.title: p for p in demo.PROBLEMS}
        problems = list(Problem.objects.filter(title__in=plans).order_by("id"))
        handlers: dict[str, Any] = {}
        for user in ref.users.values():
            if user.role == Role.HANDLER and user.unit is not None:
                handlers.setdefault(user.unit.code, user)
        people = demo._People(ref.users, handlers)
        have = Measure.objects.filter(problem__in=problems).count()
        for k in range(max(0, measures - have)):
            problem = problems[k % len(problems)]
            problem_plan = plans[problem.title]
            model = rng.choice(problem_plan.measures)
            unit = rng.choice([problem_plan.lead, *problem_plan.co])
            scenario = rng.choices(list(scenarios), weights=list(scenarios.values()))[0]
            start, deadline = demo._dates(rng, today, scenario)
            title = f"{model.title}（第{k // len(problems) + 2}批）"
            measure = commitments.measure_create(
                problem=problem,
                data=commitments.NewMeasure(
                    title=title,
                    unit=ref.units[unit],
                    start_date=start,
                    deadline=deadline,
                    weight=rng.choice([1, 1, 1, 2]),
                ),
                actor=people.creator(rng),
            )
            step = demo.MeasurePlan(title, unit, scenario, extension_reason=reason)
            demo._play(rng, today, measure, step, people)
            Measure.objects.filter(pk=measure.pk).update(
                created_at=demo._at(min(start, today) - timedelta(days=2), 9)
            )

        # Each problem lists recent cases of its category (or the categories under it).
        links = 0
        picker = _rng(seed, "problem cases")
        recent = plan.received >= plan.now - 365 * DAY
        open_or_done = plan.status != plan.S["merged"]
        wanted = max(3, plan.n // 2000)
        for problem in problems:
            if problem.category_id is None or problem.cases.exists():
                continue
            codes = [
                problem.category_id,
                *Category.objects.filter(parent_id=problem.category_id).values_list(
                    "pk", flat=True
                ),
            ]
            candidates = np.flatnonzero(np.isin(plan.category, codes) & recent & open_or_done)
            if not len(candidates):
                continue
            chosen = np.sort(picker.choice(candidates, min(wanted, len(candidates)), False))
            problem_save(
                problem=problem,
                actor=ref.users["supervisor"],
                title=problem.title,
                description=problem.description,
                category=problem.category,
                lead_unit=problem.lead_unit,
                co_units=list(problem.co_units.all()),
                responsible_official=problem.responsible_official,
                campaigns=list(problem.campaigns.all()),
                cases=(plan.base["case"] + chosen).tolist(),
            )
            links += len(chosen)
        return len(problems), Measure.objects.filter(problem__in=problems).count(), links


# ---------------------------------------------------------------------------------------------
# The whole load


def _generated_models() -> list[Any]:
    from civicdesk.cases.models import Case, CaseEvent
    from civicdesk.evaluation.models import FollowUp
    from civicdesk.intake.models import IdempotencyKey, Photo, Submission
    from civicdesk.problems.models import Problem
    from civicdesk.ratings.models import Rating, RatingEvent, RatingInvitation

    return [
        CaseEvent,
        FollowUp,
        RatingEvent,
        Rating,
        RatingInvitation,
        Case,
        Photo,
        IdempotencyKey,
        Submission,
        Problem,
    ]


def _truncate() -> list[str]:
    """Empty the generated tables (and, by CASCADE, every table that points at them: PostgreSQL
    names those in notices, which are returned)."""
    from django.db import connection

    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in _generated_models()]
    notices: list[str] = []
    connection.ensure_connection()
    raw = connection.connection

    def collect(diagnostic: Any) -> None:
        notices.append(diagnostic.message_primary or "")

    raw.add_notice_handler(collect)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"
            )
    finally:
        raw.remove_notice_handler(collect)
    cascaded = [note.split('"')[1] for note in notices if note.count('"') >= 2]
    return tables + [t for t in cascaded if t not in tables]


def fill(
    *,
    cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    days: int = DEFAULT_DAYS,
    replace: bool = False,
    now: datetime | None = None,
    events_per_case: float = EVENTS_PER_CASE,
    out: TextIO | None = None,
) -> FillSummary:
    """Fill the configured (migrated, PostgreSQL) database with `cases` cases over the last
    `days` days and everything around them; see the module docstring.

    Raises FillError if the database is not PostgreSQL, or holds cases and `replace` is
    false. `now` (default: the current second) is the moment the data ends; with the same
    seed, size, days and now the rows are the same.
    """
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from civicdesk.cases.models import Case, CaseEvent
    from civicdesk.evaluation.models import FollowUp
    from civicdesk.intake.models import Submission
    from civicdesk.ratings.models import Rating, RatingEvent, RatingInvitation

    out = out or sys.stdout
    if connection.vendor != "postgresql":
        raise FillError(f"the database must be PostgreSQL, not {connection.vendor}")
    if cases < 1000 or days < 2 or events_per_case < 1:
        raise FillError("use at least 1,000 cases, 2 days and 1 event per case")
    started = time.perf_counter()
    now = (now or timezone.now()).replace(microsecond=0)
    summary = FillSummary()
    phase = _Phases(out)
    print(
        f"Filling {connection.settings_dict['NAME']}: {cases:,} cases over {days} days "
        f"up to {timezone.localtime(now):%Y-%m-%d %H:%M}, seed {seed}",
        file=out,
        flush=True,
    )

    if Case.objects.exists():
        if not replace:
            raise FillError(
                f"{connection.settings_dict['NAME']} already holds cases; "
                "use --replace (replace=True) to empty the generated tables first"
            )
        with phase("truncate"):
            summary.truncated = _truncate()
        print(f"  emptied {', '.join(summary.truncated)}", file=out)

    with phase("reference data"):
        ref = _load_reference()
    loaded = {
        "submission": Submission,
        "case": Case,
        "event": CaseEvent,
        "followup": FollowUp,
        "invitation": RatingInvitation,
        "rating": Rating,
        "rating_event": RatingEvent,
    }
    with phase("plan"):
        texts = _TextCache()
        pool_size = min(max(cases // 50, 4088), 20_000)
        pool = _draw_pool(seed, now, pool_size, ref, texts)
        plan = _Plan(
            cases=cases,
            seed=seed,
            days=days,
            now=now,
            events_per_case=events_per_case,
            ref=ref,
            pool=pool,
            texts=texts,
            base=_next_ids(loaded),
        )
        plan.verify_sample()
    if plan.timeline_cutoff is not None:
        summary.timeline_cutoff = EPOCH + timedelta(microseconds=plan.timeline_cutoff)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            (superuser,) = cursor.fetchone()
            if superuser:
                # Foreign keys are checked below with one anti-join per key instead of
                # millions of deferred per-row trigger calls at commit.
                cursor.execute("SET LOCAL session_replication_role = replica")
        with _plain_indexes_rebuilt(loaded.values()):
            summary.rows.update(_write(plan, phase))
            phase_start = time.perf_counter()
        phase.seconds["rebuild indexes"] = time.perf_counter() - phase_start
        print(f"  rebuild indexes: {phase.seconds['rebuild indexes']:.1f} s", file=out)
        if superuser:
            with phase("check references"):
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                _check_references(loaded.values())
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(loaded.values())):
            cursor.execute(sql)

    with phase("problems and measures"):
        wanted = min(330, max(40, cases // 3000))
        problems, measures, links = _problems(
            seed=seed, now=now, ref=ref, plan=plan, measures=wanted
        )
    summary.rows["problems_problem"] = problems
    summary.rows["commitments_measure"] = measures
    summary.rows["problems_problem_cases"] = links

    with phase("vacuum analyze"), connection.cursor() as cursor:
        # VACUUM sets the visibility map, so index-only scans work from the first query as on
        # a database that autovacuum has seen; it cannot run inside a caller's transaction.
        if not connection.in_atomic_block:
            for model in loaded.values():
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    summary.seconds = phase.seconds
    summary.total_seconds = time.perf_counter() - started
    _report(summary, plan, out)
    return summary


def _report(summary: FillSummary, plan: _Plan, out: TextIO) -> None:
    from django.db import connection

    print("Rows:", file=out)
    with connection.cursor() as cursor:
        for table in summary.rows:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            (count,) = cursor.fetchone()
            summary.rows[table] = count
            print(f"  {table:<28} {count:>12,}", file=out)
    statuses = np.bincount(plan.status, minlength=len(plan.status_names))
    mix = ", ".join(
        f"{name} {count / plan.n:.1%}"
        for name, count in zip(plan.status_names, statuses, strict=True)
    )
    print(f"Statuses: {mix}", file=out)
    if summary.timeline_cutoff is not None:
        print(
            f"Complete timelines for the {plan.full_timelines:,} cases received since "
            f"{summary.timeline_cutoff:%Y-%m-%d %H:%M} UTC; older cases keep their "
            "'received' event only.",
            file=out,
        )
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in summary.seconds.items())
    print(f"Seconds per phase: {phases}", file=out)
    print(f"Done in {summary.total_seconds:.1f} s.", file=out, flush=True)


# ---------------------------------------------------------------------------------------------
# The script


def configure(database_url: str) -> None:
    """Point Django at `database_url` and set it up (debug off, a throwaway secret key)."""
    import django

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    os.environ.setdefault("CIVICDESK_DEBUG", "0")
    os.environ.setdefault("CIVICDESK_LOG_LEVEL", "WARNING")
    if not os.environ.get("CIVICDESK_SECRET_KEY"):
        # Nothing is signed by this script; settings just refuse to load without a key.
        os.environ["CIVICDESK_SECRET_KEY"] = secrets.token_urlsafe(50)
    django.setup()


def ensure_database(database_url: str) -> bool:
    """Create the database of `database_url` if it does not exist; True if it was created."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    url = database_url
    for scheme in ("pgsql://", "postgres://"):
        if url.startswith(scheme):
            url = "postgresql://" + url[len(scheme) :]
    params = conninfo_to_dict(url)
    name = str(params.pop("dbname", "") or "")
    if not name:
        raise FillError("DATABASE_URL names no database")
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fill a PostgreSQL database (DATABASE_URL) with dashboard benchmark data."
    )
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="cases to create")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days back from now")
    parser.add_argument(
        "--events-per-case",
        type=float,
        default=EVENTS_PER_CASE,
        help="case events per case on average (newest cases get complete timelines)",
    )
    parser.add_argument(
        "--replace", action="store_true", help="empty the generated tables of a filled database"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("error: set DATABASE_URL to a postgres://… URL", file=sys.stderr)
        return 2
    # The repository root, for `civicdesk` when it is not installed into the interpreter.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        created = ensure_database(url)
        configure(url)
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(
            f"{'Created and migrated' if created else 'Migrated'} the database "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        fill(
            cases=args.cases,
            seed=args.seed,
            days=args.days,
            replace=args.replace,
            events_per_case=args.events_per_case,
        )
    except FillError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
