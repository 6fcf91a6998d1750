# ruff: noqa: RUF001 - the demo texts are Chinese, with full-width punctuation on purpose
"""Demo data: the fictional district "示范区", its staff, and two months of opinions and cases.

Every submission and every case change goes through the real services (submission_create,
case_assign, case_accept, …), so the demo shows exactly what the workflow produces. The
services stamp events with the current time; afterwards the generator moves each timeline
into the past with plain UPDATE statements (CaseEvent.save() refuses edits, on purpose).

Everything random comes from one seeded ``random.Random``, and the whole plan is drawn
before the database is touched, so the same seed gives the same district every time.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from civicdesk.accounts.models import Unit, UnitKind, User
from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate
from civicdesk.cases.services import (
    case_accept,
    case_add_note,
    case_answer,
    case_assign,
    case_close,
    case_escalate,
    case_merge,
    case_reopen,
    case_return,
)
from civicdesk.cases.workflow import Status
from civicdesk.core.credit_code import CREDIT_CODE_ALPHABET, make_credit_code
from civicdesk.core.deadlines import stage_deadlines
from civicdesk.demo import vocabulary as v
from civicdesk.intake.models import Channel, Submission
from civicdesk.intake.services import NewSubmission, submission_create

__all__ = ["CHANNEL_COUNTS", "DEMO_PASSWORD", "EXTERNAL_ID_PREFIX", "DemoSummary", "load_demo"]

DEMO_PASSWORD = v.DEMO_PASSWORD
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

# Who works a case at each unit; the district itself has no handler, so a supervisor does.
_HANDLERS: dict[str, list[str]] = {}
for _username, _name, _role, _unit in v.STAFF:
    if _role == "handler":
        _HANDLERS.setdefault(_unit, []).append(_username)
_HANDLERS["district"] = ["supervisor-2"]
_DEPARTMENTS = [code for code, _n, kind, _p in v.UNITS if kind == UnitKind.DEPARTMENT]


@dataclass
class DemoSummary:
    units_created: int = 0
    users_created: int = 0
    templates_created: int = 0
    submissions_created: int = 0
    submissions_skipped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Step:
    """One planned service call; ``at`` is the time it will appear to have happened."""

    action: str
    hours: float  # delay after the previous step, before scaling to fit in the past
    actor: str | None
    unit: str | None = None
    text: str = ""
    at: datetime | None = None


@dataclass
class Spec:
    """Everything about one demo submission, drawn before anything is written."""

    channel: str
    received_at: datetime
    kind: str  # place, service, window, praise, enterprise
    category: str
    unit: str
    summary: str
    description: str
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    for_enterprise: bool = False
    enterprise_name: str = ""
    enterprise_credit_code: str = ""
    consent_publish: bool = False
    source_details: dict = field(default_factory=dict)
    recorded_by: str | None = None
    external_id: str = ""
    status: str = ""
    merge_into: int | None = None
    steps: list[Step] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Drawing the plan (pure: no database access)
# ---------------------------------------------------------------------------------------


def scaled_counts(total: int) -> dict[str, int]:
    """CHANNEL_COUNTS scaled to ``total`` by largest remainder, so the shares stay the same."""
    base = sum(CHANNEL_COUNTS.values())
    exact = {code: count * total / base for code, count in CHANNEL_COUNTS.items()}
    counts = {code: int(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


class _Writer:
    """Draws the Chinese texts, names and numbers of the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.communities = list(v.PLACES)

    def person(self) -> str:
        given = "".join(self.rng.choices(v.GIVEN, k=self.rng.choice([1, 2])))
        return self.rng.choice(v.SURNAMES) + given

    def phone(self) -> str:
        digits = "".join(self.rng.choices("0123456789", k=9))
        return "1" + self.rng.choice("3578") + digits

    def plate(self) -> str:
        # Five characters after the province and city letters, at most two of them letters
        # (I and O are never used), like real Chinese plates.
        chars = self.rng.choices("0123456789", k=5)
        for position in self.rng.sample(range(5), k=self.rng.randint(0, 2)):
            chars[position] = self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
        return "浙A" + "".join(chars)

    def contact_bait(self) -> str:
        """Personal data typed into the text itself, which public redaction has to hide."""
        surname = self.rng.choice(v.SURNAMES)
        return self.rng.choice(
            [
                f"我姓{surname}，电话{self.phone()}。",
                f"联系人：{self.person()}，{self.phone()}。",
                f"有问题请打我电话{self.phone()}，{surname}先生。",
                f"我是{self.person()}，住在这里十几年了。",
            ]
        )

    def opening(self, spec: Spec) -> str:
        if spec.channel in {"chat_group", "self_media"}:
            return ""  # these get their own prefix, written by whoever relays them
        return self.rng.choice(["", "", "", "你好，", "反映一下：", "您好，我想反映个问题，"])

    def credit_code(self) -> str:
        # 9 = registered by market regulation, 1 = enterprise; a fictional area code; random
        # organisation part. make_credit_code adds the check character.
        org = "".join(self.rng.choices(CREDIT_CODE_ALPHABET, k=9))
        return make_credit_code("91" + "330199" + org)

    def enterprise(self) -> str:
        return (
            v.DISTRICT_NAME
            + self.rng.choice(v.ENTERPRISE_PREFIXES)
            + self.rng.choice(v.ENTERPRISE_TRADES)
            + "有限公司"
        )

    def place_problem(self, spec: Spec) -> None:
        problem = self.rng.choice(v.PLACE_PROBLEMS)
        community = self.rng.choice(self.communities)
        places, lat, lon = v.PLACES[community]
        place = self.rng.choice(places)
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "place"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        if problem.category in v.NEIGHBOURHOOD_CATEGORIES and self.rng.random() < 0.5:
            # Small local matters are often sorted out by the community or street.
            spec.unit = (
                community if self.rng.random() < 0.6 else community.split("-")[0] + "-street"
            )
        spots = v.ESTATE_SPOTS if place.endswith(v.ESTATE_SUFFIXES) else v.STREET_SPOTS
        spec.summary = place + self.rng.choice(spots) + phrase
        spec.address = place
        text = (
            f"{self.opening(spec)}{spec.summary}，{self.rng.choice(v.DURATIONS)}，"
            f"{self.rng.choice(problem.impacts)}，{self.rng.choice(v.REQUESTS)}。"
        )
        if problem.category == "parking" and self.rng.random() < 0.3:
            text += f"占道车辆的车牌是{self.plate()}。"
        if self.rng.random() < 0.15:
            text += self.contact_bait()
        spec.description = text
        if spec.channel in {"snapshot", "mobile_app"} or self.rng.random() < 0.2:
            spec.latitude = Decimal(f"{lat + self.rng.uniform(-0.004, 0.004):.6f}")
            spec.longitude = Decimal(f"{lon + self.rng.uniform(-0.004, 0.004):.6f}")

    def service_problem(self, spec: Spec) -> None:
        problem = self.rng.choice(v.SERVICE_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "service"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.summary = phrase
        text = (
            f"{self.opening(spec)}{phrase}，{self.rng.choice(problem.impacts)}，"
            f"{self.rng.choice(v.REQUESTS)}。"
        )
        if self.rng.random() < 0.15:
            text += self.contact_bait()
        spec.description = text

    def window_problem(self, spec: Spec, window: str) -> None:
        if spec.channel == "rating" and self.rng.random() < 0.25:
            spec.kind = "praise"
            spec.category = "window-service"
            spec.unit = "service-center"
            spec.summary = self.rng.choice(v.WINDOW_PRAISE)
            spec.description = f"{window}：{spec.summary}，点个赞！"
            return
        problem = self.rng.choice(v.WINDOW_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "window"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.summary = f"{window}{phrase}"
        errands = v.WINDOW_ERRANDS.get(window) or [
            e for es in v.WINDOW_ERRANDS.values() for e in es
        ]
        errand = self.rng.choice(errands)
        spec.description = (
            f"在{window}{errand}，{phrase}，{self.rng.choice(problem.impacts)}。"
            f"{self.rng.choice(v.REQUESTS)}。"
        )
        spec.address = "示范区政务服务中心"

    def enterprise_problem(self, spec: Spec) -> None:
        problem = self.rng.choice(v.ENTERPRISE_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        impact = self.rng.choice(problem.impacts).format(n=self.rng.randint(2, 9))
        spec.kind = "enterprise"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.for_enterprise = True
        spec.enterprise_name = self.enterprise()
        spec.enterprise_credit_code = self.credit_code()
        spec.contact_name = self.person()
        spec.contact_phone = self.phone()
        spec.summary = phrase
        spec.description = f"我公司{phrase}，{impact}，{self.rng.choice(v.ENTERPRISE_REQUESTS)}。"


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
    spec.description = rng.choice(v.DUPLICATE_TEMPLATES).format(summary=original.summary)
    spec.latitude, spec.longitude = original.latitude, original.longitude


def _answer_text(rng: random.Random, spec: Spec, unit_name: str, again: bool = False) -> str:
    if spec.kind == "praise":
        return (
            f"您好！感谢您对{unit_name}的肯定，我们已将您的表扬转达给窗口工作人员，将继续改进服务。"
        )
    action = rng.choice(v.ANSWER_ACTIONS[spec.category])
    if again:
        return f"您好！针对您再次反映的问题，经{unit_name}复查，{action}。{v.ANSWER_CLOSING}"
    return f"{v.ANSWER_OPENING}{unit_name}核实，{action}。{v.ANSWER_CLOSING}"


def _plan_steps(rng: random.Random, now: datetime, spec: Spec, unit_names: dict[str, str]) -> None:
    """The service calls that take this case to its final status, with plausible delays."""
    steps: list[Step] = []
    unit = spec.unit
    handler = rng.choice(_HANDLERS[unit])

    def assign(to: str, hours: float | None = None) -> None:
        actor = rng.choice(["clerk", "clerk", "supervisor", None])
        note = "按分类自动分派" if actor is None else rng.choice(["", "请按时办理", "请核实后答复"])
        if hours is None:
            # Most cases are routed within hours; a few wait for days and miss the deadline.
            hours = rng.uniform(0.2, 20) if rng.random() < 0.93 else rng.uniform(30, 80)
        steps.append(Step("assign", hours, actor, unit=to, text=note))

    def accept(by: str) -> None:
        steps.append(Step("accept", rng.uniform(0.5, 30), by, text=rng.choice(v.ACCEPT_NOTES)))

    def answer(by: str, again: bool = False) -> None:
        # Most answers come within the 15 working days; some take longer.
        hours = rng.uniform(24, 24 * 12) if rng.random() < 0.9 else rng.uniform(300, 600)
        text = _answer_text(rng, spec, unit_names[unit], again=again)
        steps.append(Step("answer", hours, by, text=text))

    def note(by: str) -> None:
        steps.append(Step("note", rng.uniform(1, 48), by, text=rng.choice(v.INTERNAL_NOTES)))

    def work(by: str) -> None:
        """Accept (usually), maybe note, then answer."""
        if rng.random() < 0.85:
            accept(by)
        if rng.random() < 0.2:
            note(by)
        answer(by)

    def go_back(wrong: str) -> None:
        by = rng.choice(_HANDLERS[wrong])
        if rng.random() < 0.4:
            accept(by)
        reason = rng.choice(v.RETURN_REASONS).format(unit=unit_names[unit])
        steps.append(Step("return", rng.uniform(1, 24), by, text=reason))

    def wrong_unit() -> str:
        return rng.choice([code for code in _DEPARTMENTS if code != unit])

    status = spec.status
    if status == Status.ASSIGNED:
        assign(unit)
    elif status == Status.IN_PROGRESS:
        assign(unit)
        accept(handler)
        if rng.random() < 0.4:
            note(handler)
    elif status in {Status.ANSWERED, Status.CLOSED, Status.REOPENED}:
        if rng.random() < 0.08:
            wrong = wrong_unit()
            assign(wrong)
            go_back(wrong)
        assign(unit)
        work(handler)
        if status == Status.CLOSED and rng.random() < 0.06:
            steps.append(
                Step("reopen", rng.uniform(12, 24 * 6), None, text=rng.choice(v.REOPEN_REASONS))
            )
            accept(handler)
            answer(handler, again=True)
        if status == Status.CLOSED:
            closer = rng.choice(["supervisor", "supervisor-2", None])
            text = "答复后7日内无异议，自动办结" if closer is None else rng.choice(v.CLOSE_NOTES)
            steps.append(Step("close", rng.uniform(24, 24 * 7), closer, text=text))
        elif status == Status.REOPENED:
            by_reporter = rng.random() < 0.75
            steps.append(
                Step(
                    "reopen",
                    rng.uniform(12, 24 * 6),
                    None if by_reporter else "supervisor",
                    text=rng.choice(v.REOPEN_REASONS) if by_reporter else "回访不满意，重新办理",
                )
            )
    elif status == Status.RETURNED:
        wrong = wrong_unit()
        assign(wrong)
        go_back(wrong)
    elif status == Status.MERGED:
        if rng.random() < 0.4:
            assign(unit)
        steps.append(
            Step(
                "merge",
                rng.uniform(0.5, 12),
                rng.choice(["clerk", "supervisor"]),
                text="与此前反映的问题相同，合并办理",
            )
        )
    spec.steps = steps
    _place_in_time(rng, now, spec)


def _place_in_time(rng: random.Random, now: datetime, spec: Spec) -> None:
    """Give each step a time after the previous one, squeezing the plan into the past."""
    room = (now - spec.received_at).total_seconds() / 3600 - 0.1
    total = sum(step.hours for step in spec.steps)
    scale = min(1.0, 0.95 * room / total) if total else 1.0
    moment = spec.received_at
    for step in spec.steps:
        moment += timedelta(hours=step.hours * scale)
        step.at = moment
    if spec.status not in {"received", "assigned", "in_progress", "returned", "reopened"}:
        return
    # An open case past its stage deadline gets escalated by a supervisor a little later.
    deadlines = stage_deadlines(spec.received_at)
    due = deadlines.assign if spec.status in {"received", "returned"} else deadlines.answer
    escalate_at = max(moment, due) + timedelta(hours=rng.uniform(2, 30))
    if escalate_at < now - timedelta(minutes=5) and rng.random() < 0.6:
        spec.steps.append(
            Step(
                "escalate",
                0,
                rng.choice(["supervisor", "supervisor-2"]),
                text=rng.choice(v.ESCALATE_NOTES),
                at=escalate_at,
            )
        )


# ---------------------------------------------------------------------------------------
# Writing it
# ---------------------------------------------------------------------------------------


def _ensure_units() -> tuple[dict[str, Unit], int]:
    units: dict[str, Unit] = {}
    created = 0
    for code, name, kind, parent in v.UNITS:
        unit, was_created = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent or "")}
        )
        units[code] = unit
        created += was_created
    return units, created


def _ensure_users(units: dict[str, Unit]) -> tuple[dict[str, User], int]:
    existing = {
        user.username: user
        for user in User.objects.filter(username__in=[row[0] for row in v.STAFF])
    }
    # Hashing is deliberately slow (hundreds of ms); one hash shared by all demo accounts keeps
    # the load fast. Every demo account has the same published password anyway.
    password = make_password(DEMO_PASSWORD) if len(existing) < len(v.STAFF) else ""
    created = 0
    for username, name, role, unit in v.STAFF:
        if username in existing:
            continue
        is_admin = role == "admin"
        existing[username] = User.objects.create(
            username=username,
            password=password,
            display_name=name,
            role=role,
            unit=units[unit],
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        created += 1
    return existing, created


def _ensure_categories(units: dict[str, Unit]) -> None:
    for category in Category.objects.filter(code__in=v.CATEGORY_UNITS, default_unit=None):
        category.default_unit = units[v.CATEGORY_UNITS[category.code]]
        category.save(update_fields=["default_unit"])


def _ensure_templates(units: dict[str, Unit]) -> int:
    created = 0
    for unit, title, body in v.REPLY_TEMPLATES:
        _, was_created = ReplyTemplate.objects.get_or_create(
            unit=units[unit] if unit else None, title=title, defaults={"body": body}
        )
        created += was_created
    return created


def _new_submission(
    spec: Spec,
    channels: dict[str, Channel],
    categories: dict[str, Category],
    users: dict[str, User],
) -> NewSubmission:
    return NewSubmission(
        channel=channels[spec.channel],
        description=spec.description,
        # Reporters pick a category on the self-service forms only; elsewhere staff sort it.
        category=categories.get(spec.category) if spec.channel in ONLINE_CHANNELS else None,
        address=spec.address,
        latitude=spec.latitude,
        longitude=spec.longitude,
        contact_name=spec.contact_name,
        contact_phone=spec.contact_phone,
        for_enterprise=spec.for_enterprise,
        enterprise_name=spec.enterprise_name,
        enterprise_credit_code=spec.enterprise_credit_code,
        consent_publish=spec.consent_publish,
        language="zh-hans",
        source_details=spec.source_details,
        external_id=spec.external_id,
        received_at=spec.received_at,
        recorded_by=users[spec.recorded_by] if spec.recorded_by else None,
    )


def _run_steps(
    spec: Spec,
    case: Case,
    users: dict[str, User],
    units: dict[str, Unit],
    into: Case | None,
    event_times: dict[int, datetime],
) -> Case:
    """Drive the case through the services; remember when each new event should have been."""

    def actor(step: Step) -> User | None:
        return users[step.actor] if step.actor else None

    calls: dict[str, Callable[[Step, Case], Case]] = {
        "assign": lambda s, c: case_assign(
            case=c, unit=units[s.unit or ""], actor=actor(s), note=s.text
        ),
        "accept": lambda s, c: case_accept(case=c, actor=users[s.actor or ""], note=s.text),
        "answer": lambda s, c: case_answer(case=c, actor=users[s.actor or ""], text=s.text),
        "close": lambda s, c: case_close(case=c, actor=actor(s), note=s.text),
        "reopen": lambda s, c: case_reopen(case=c, actor=actor(s), reason=s.text),
        "return": lambda s, c: case_return(case=c, actor=users[s.actor or ""], reason=s.text),
        "escalate": lambda s, c: case_escalate(case=c, actor=actor(s), note=s.text),
    }
    for step in spec.steps:
        if step.action == "note":
            case_add_note(case=case, actor=users[step.actor or ""], text=step.text)
        elif step.action == "merge":
            if into is None:
                continue
            case = case_merge(case=case, into=into, actor=users[step.actor or ""], note=step.text)
            # case_merge also writes a note on the surviving case, at the same moment.
            note_id = (
                CaseEvent.objects.filter(case_id=into.pk)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            if note_id is not None and step.at is not None:
                event_times[note_id] = step.at
        else:
            case = calls[step.action](step, case)
    ids = list(
        CaseEvent.objects.filter(case_id=case.pk).order_by("id").values_list("id", flat=True)
    )
    # The first event is the 'create' one, already dated at received_at by case_open.
    done = [step for step in spec.steps if step.action != "merge" or into is not None]
    for event_id, step in zip(ids[1:], done, strict=True):
        if step.at is not None:
            event_times[event_id] = step.at
    return case


def _case_times(spec: Spec, case: Case) -> Case:
    """The case's own timestamps, matching the backdated timeline."""

    def last(*actions: str) -> datetime | None:
        times = [s.at for s in spec.steps if s.action in actions]
        return times[-1] if times else None

    first_response = next((s.at for s in spec.steps if s.action in {"accept", "answer"}), None)
    return Case(
        pk=case.pk,
        assigned_at=last("assign"),
        first_responded_at=first_response,
        answered_at=last("answer"),
        closed_at=last("close") if case.status == Status.CLOSED else None,
        escalated_at=last("escalate"),
    )


def _backdate(model: type[Model], fields: list[str], rows: list[tuple[int, list]]) -> None:
    """Set datetime columns row by row with one executemany.

    A raw UPDATE on purpose: CaseEvent.save() refuses to edit an event (the timeline is
    append-only for the application), and bulk_update's CASE expressions grow with the batch
    and were several times slower here.
    """
    if not rows:
        return
    ops = connection.ops
    assignments = ", ".join(
        f"{ops.quote_name(model._meta.get_field(name).column)} = %s" for name in fields
    )
    sql = (
        # Only names from the model's metadata are interpolated; values go in as parameters.
        f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {ops.quote_name(model._meta.pk.column)} = %s"
    )
    params = [
        [ops.adapt_datetimefield_value(value) for value in values] + [pk] for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@contextmanager
def _without_query_log() -> Iterator[None]:
    """Skip Django's debug query log while loading (``civicdesk demo`` runs with DEBUG on).

    In DEBUG every query is recorded and, on SQLite, its parameters are quoted by one more
    query; over the ~50,000 queries of the demo that was about a third of the load time. The
    override is on this connection object only and is removed afterwards.
    """
    if not connection.queries_logged or connection.force_debug_cursor:
        yield
        return
    connection.make_debug_cursor = connection.make_cursor  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.make_debug_cursor


def load_demo(
    *,
    seed: int = 2044,
    submissions: int = 2044,
    now: datetime | None = None,
    stdout: TextIO | None = None,
) -> DemoSummary:
    """Create (or complete) the demo district; a second run adds nothing it already has."""
    started = time.perf_counter()
    now = now or timezone.now()
    rng = random.Random(seed)
    summary = DemoSummary()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    with _without_query_log(), transaction.atomic():
        units, summary.units_created = _ensure_units()
        users, summary.users_created = _ensure_users(units)
        _ensure_categories(units)
        summary.templates_created = _ensure_templates(units)

        specs = _draw_specs(rng, now, submissions)
        _choose_statuses(rng, now, specs)
        unit_names = {code: name for code, name, _k, _p in v.UNITS}
        for spec in specs:
            _plan_steps(rng, now, spec, unit_names)

        channels = {channel.code: channel for channel in Channel.objects.all()}
        categories = {category.code: category for category in Category.objects.all()}
        existing = dict(
            Submission.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).values_list(
                "external_id", "case__id"
            )
        )
        say(
            f"Demo district {v.DISTRICT_NAME}: {len(units)} units, {len(users)} staff; "
            f"{len(specs) - len(existing.keys() & {s.external_id for s in specs})} new submissions"
        )
        cases: dict[int, Case] = {}
        event_times: dict[int, datetime] = {}
        case_updates: list[Case] = []
        for index, spec in enumerate(specs):
            if spec.external_id in existing:
                summary.submissions_skipped += 1
                cases[index] = Case(pk=existing[spec.external_id])
                continue
            _, case, _ = submission_create(data=_new_submission(spec, channels, categories, users))
            into = cases.get(spec.merge_into) if spec.merge_into is not None else None
            case = _run_steps(spec, case, users, units, into, event_times)
            cases[index] = case
            case_updates.append(_case_times(spec, case))
            summary.submissions_created += 1
            if summary.submissions_created % 500 == 0:
                say(f"  {summary.submissions_created} submissions…")

        _backdate(CaseEvent, ["created_at"], [(pk, [at]) for pk, at in event_times.items()])
        fields = ["assigned_at", "first_responded_at", "answered_at", "closed_at", "escalated_at"]
        _backdate(Case, fields, [(c.pk, [getattr(c, f) for f in fields]) for c in case_updates])
    summary.statuses = dict(
        Counter(
            Case.objects.filter(submission__external_id__startswith=EXTERNAL_ID_PREFIX).values_list(
                "status", flat=True
            )
        )
    )
    summary.seconds = time.perf_counter() - started
    say(
        f"Loaded in {summary.seconds:.1f} s: {summary.submissions_created} created, "
        f"{summary.submissions_skipped} already there."
    )
    return summary
