"""Drawing the submissions: channels, times, texts and final statuses (pure: no database)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from civicdesk.cases.workflow import Status
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.specs import Spec
from civicdesk.demo.generator.writer import _Writer

EXTERNAL_ID_PREFIX = "demo-"
DAYS = 60

# How many of 2,044 opinions came through each channel: 27 from leaders at windows, 1,652
# online, 303 enterprise questionnaires and 62 through windows, phone and paper.
CHANNEL_COUNTS: dict[str, int] = {
    "leader_window": 27,
    "snapshot": 500,
    "mobile_app": 380,
    "rating": 260,
    "portal": 200,
    "chat_group": 172,
    "self_media": 140,
    "enterprise_questionnaire": 303,
    "window": 30,
    "phone": 22,
    "paper_questionnaire": 10,
}
ONLINE_CHANNELS = frozenset(
    {"snapshot", "mobile_app", "rating", "portal", "chat_group", "self_media"}
)
IN_PERSON_CHANNELS = frozenset({"leader_window", "window", "phone"})

# Final status mix by age in days: fresh opinions are mostly still open, old ones mostly done.
STATUS_MIX: list[tuple[float, dict[str, float]]] = [
    (
        2,
        {
            "received": 40,
            "assigned": 30,
            "in_progress": 15,
            "answered": 8,
            "merged": 4,
            "returned": 3,
        },
    ),
    (
        7,
        {
            "received": 8,
            "assigned": 15,
            "in_progress": 32,
            "answered": 28,
            "closed": 5,
            "merged": 4,
            "returned": 5,
            "reopened": 3,
        },
    ),
    (
        20,
        {
            "received": 2,
            "assigned": 4,
            "in_progress": 14,
            "answered": 36,
            "closed": 32,
            "merged": 4,
            "returned": 4,
            "reopened": 4,
        },
    ),
    (
        float("inf"),
        {
            "received": 0.5,
            "assigned": 1,
            "in_progress": 3.5,
            "answered": 16,
            "closed": 70,
            "merged": 4,
            "returned": 2,
            "reopened": 3,
        },
    ),
]


def scaled_counts(total: int) -> dict[str, int]:
    """CHANNEL_COUNTS scaled to ``total`` by largest remainder, so the shares stay the same."""
    base = sum(CHANNEL_COUNTS.values())
    exact = {code: count * total / base for code, count in CHANNEL_COUNTS.items()}
    counts = {code: int(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


def _received_times(rng: random.Random, now: datetime, channels: list[str]) -> list[datetime]:
    """Times over the last DAYS days: daytime-heavy, and in-person channels on weekdays only."""
    local_now = timezone.localtime(now)
    hours = list(range(24))
    weights = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 10, 12, 14, 14, 12, 10, 10, 10, 9, 7, 4, 2]
    times = []
    for channel in channels:
        while True:
            day = local_now.date() - timedelta(days=rng.randrange(DAYS))
            hour = rng.choices(hours, weights)[0]
            if channel in IN_PERSON_CHANNELS | {"enterprise_questionnaire"}:
                if day.weekday() >= 5:
                    continue
                hour = rng.randint(9, 16)
            moment = local_now.replace(
                year=day.year,
                month=day.month,
                day=day.day,
                hour=hour,
                minute=rng.randrange(60),
                second=rng.randrange(60),
                microsecond=0,
            )
            # Leave room after the newest one for at least a quick first step.
            if moment < now - timedelta(minutes=20):
                times.append(moment)
                break
    return times


def _draw_specs(rng: random.Random, now: datetime, total: int) -> list[Spec]:
    writer = _Writer(rng)
    channels = [code for code, count in scaled_counts(total).items() for _ in range(count)]
    rng.shuffle(channels)
    times = sorted(_received_times(rng, now, channels))
    # Times are sorted and channels shuffled, so pairing them keeps channels spread over time.
    specs = []
    year = timezone.localtime(now).year
    for channel, received_at in zip(channels, times, strict=True):
        spec = Spec(
            channel=channel,
            received_at=received_at,
            kind="",
            category="",
            unit="",
            summary="",
            description="",
        )
        roll = rng.random()
        if channel == "enterprise_questionnaire":
            writer.enterprise_problem(spec)
            spec.source_details = {
                "questionnaire": f"{year}年营商环境企业问卷",
                "question": "贵企业在办事过程中遇到的主要困难",
            }
        elif channel == "leader_window":
            leader = rng.choice(["leader", "leader-2"])
            spec.recorded_by = leader
            spec.source_details = {"window": "政务服务中心综合窗口", "leader": leader}
            if roll < 0.4:
                writer.enterprise_problem(spec)
            elif roll < 0.7:
                writer.window_problem(spec, "政务服务中心")
            else:
                writer.service_problem(spec)
        elif channel in {"rating", "window"}:
            window = rng.choice(v.RATING_WINDOWS)
            writer.window_problem(spec, window)
            if channel == "rating":
                score = rng.randint(4, 5) if spec.kind == "praise" else rng.randint(1, 3)
                spec.source_details = {"window": window, "score": score}
            else:
                spec.recorded_by = "clerk-window"
                spec.source_details = {"window": window, "number": f"{rng.randint(1, 12)}号窗口"}
        elif channel in {"snapshot", "mobile_app", "chat_group"}:
            if roll < 0.9:
                writer.place_problem(spec)
            else:
                writer.service_problem(spec)
            if channel == "chat_group":
                community = rng.choice(list(v.PLACES))
                name = next(n for c, n, _k, _p in v.UNITS if c == community)
                spec.source_details = {"group": name + rng.choice(v.CHAT_GROUPS)}
                spec.description = "群里居民反映：" + spec.description
            else:
                spec.source_details = {"app_version": rng.choice(["2.3.1", "2.4.0", "2.4.2"])}
        elif channel == "self_media":
            (writer.place_problem if roll < 0.7 else writer.service_problem)(spec)
            spec.source_details = {
                "account": rng.choice(v.SELF_MEDIA),
                "post": f"{rng.randint(10**7, 10**8 - 1)}",
            }
            spec.description = "网友爆料：" + spec.description
        else:  # portal, phone, paper_questionnaire
            (writer.place_problem if roll < 0.6 else writer.service_problem)(spec)
            if channel == "portal":
                spec.source_details = {"street": rng.choice(["东街道", "西街道", "南街道"])}
            elif channel == "phone":
                spec.recorded_by = "clerk"
                spec.source_details = {"line": "区长热线"}
            else:
                spec.recorded_by = "clerk"
                spec.source_details = {"batch": f"第{rng.randint(1, 4)}批纸质问卷"}
        if not spec.for_enterprise and rng.random() < (0.8 if spec.recorded_by else 0.5):
            spec.contact_name = writer.person()
            spec.contact_phone = writer.phone()
        spec.consent_publish = spec.kind != "enterprise" and rng.random() < 0.45
        specs.append(spec)
    for number, spec in enumerate(specs, start=1):
        spec.external_id = f"{EXTERNAL_ID_PREFIX}{number}"
    return specs


def _choose_statuses(rng: random.Random, now: datetime, specs: list[Spec]) -> None:
    targets: set[int] = set()
    for index, spec in enumerate(specs):
        age = (now - spec.received_at).total_seconds() / 86400
        mix = next(mix for limit, mix in STATUS_MIX if age < limit)
        spec.status = rng.choices(list(mix), list(mix.values()))[0]
        if spec.status == Status.MERGED:
            target = _merge_target(rng, specs, index)
            if target is None:
                spec.status = Status.ASSIGNED
            else:
                _make_duplicate(rng, specs, index, target)
                targets.add(target)
    # A small run must still show every status, so missing ones are forced onto some cases.
    for status in Status.values:
        counts = Counter(spec.status for spec in specs)
        if counts[status]:
            continue
        candidates = [
            i
            for i, s in enumerate(specs)
            if i not in targets and s.status != Status.MERGED and counts[s.status] > 1
        ]
        if status == Status.MERGED:
            for index in reversed(candidates):
                target = _merge_target(rng, specs, index)
                if target is not None:
                    _make_duplicate(rng, specs, index, target)
                    targets.add(target)
                    specs[index].status = status
                    break
        elif candidates:
            # Open statuses on the newest cases, finished ones on the oldest.
            pick = candidates[-1] if status in {"received", "assigned"} else candidates[0]
            specs[pick].status = status


def _merge_target(rng: random.Random, specs: list[Spec], index: int) -> int | None:
    """An earlier neighbourhood report from the last few days that this one repeats."""
    spec = specs[index]
    if spec.kind != "place":
        return None
    earliest = spec.received_at - timedelta(days=5)
    options = [
        i
        for i in range(index - 1, -1, -1)
        if specs[i].received_at >= earliest
        and specs[i].kind == "place"
        and specs[i].status != Status.MERGED
    ][:30]
    return rng.choice(options) if options else None


def _make_duplicate(rng: random.Random, specs: list[Spec], index: int, target: int) -> None:
    spec, original = specs[index], specs[target]
    spec.merge_into = target
    spec.category, spec.unit, spec.address = original.category, original.unit, original.address
    spec.summary = original.summary
    spec.problem, spec.problem_title = original.problem, original.problem_title
    spec.description = rng.choice(v.DUPLICATE_TEMPLATES).format(summary=original.summary)
    spec.latitude, spec.longitude = original.latitude, original.longitude
