"""Service quality in the demo district: 百姓评 window ratings, satisfaction follow-ups of
answered cases and service records of the catalogue items.

Everything goes through the services (ratings, evaluation, catalogue), with notifications off,
so the rows are what the application would write; only their dates are moved into the past
afterwards, each case's timeline staying in the order it was written. A section whose rows
exist already is skipped, so a second load adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action
from civicdesk.cases.workflow import Status as CaseStatus
from civicdesk.catalogue import services as catalogue
from civicdesk.catalogue.models import (
    ApplicantType,
    OnlineAvailability,
    ServiceItem,
    ServiceRecord,
)
from civicdesk.catalogue.models import Channel as ServiceChannel
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.plan import EXTERNAL_ID_PREFIX
from civicdesk.evaluation import services as evaluation
from civicdesk.evaluation import visits
from civicdesk.evaluation.models import AnswerChannel, FollowUp
from civicdesk.ratings import services as ratings
from civicdesk.ratings.models import (
    BAD_LEVELS,
    EventAction,
    Level,
    Rating,
    RatingEvent,
    RatingInvitation,
)
from civicdesk.ratings.models import Reason as RatingReason

RATINGS = 150
FOLLOWUPS = 120
SERVICE_RECORDS = 300
DAYS = 60

# Rated windows: (unit code, staff usernames who issue links and serve there).
RATED_WINDOWS = {
    "service-center": ("handler-window", "clerk-window"),
    "enterprise-desk": ("handler-enterprise",),
}
SERVICES = {
    "service-center": [errand for errands in v.WINDOW_ERRANDS.values() for errand in errands],
    "enterprise-desk": v.WINDOW_ERRANDS["企业开办窗口"] + ["咨询惠企政策", "申报技改补贴"],
}
# Level weights: mostly good, about one in ten bad (which opens a rectification case).
LEVEL_WEIGHTS = [
    (Level.VERY_SATISFIED, 58),
    (Level.SATISFIED, 24),
    (Level.BASICALLY_SATISFIED, 8),
    (Level.DISSATISFIED, 6),
    (Level.VERY_DISSATISFIED, 4),
]
GOOD_COMMENTS = ["办事很快，一次办好", "工作人员很耐心", "", "", "", "指引清楚，不用跑第二趟"]
BAD_COMMENTS = {
    RatingReason.WAITED: "排队等了一个多小时，窗口只开了两个",
    RatingReason.COME_BACK: "材料不全让我下次再来，跑了两趟",
    RatingReason.UNCLEAR: "网上说的材料和窗口要求的不一样",
    RatingReason.UNFRIENDLY: "工作人员态度生硬，问两句就不耐烦",
    RatingReason.EXTRA_MATERIALS: "要求提供清单以外的证明材料",
    RatingReason.FEES: "收费项目没有公示，说不清楚",
}

# Satisfaction follow-ups: answered online mostly, a few by a return call, a handful "not
# solved" (each reopens its case), some run out without an answer.
FOLLOWUP_COMMENTS = ["问题已解决，谢谢", "处理及时", "", "", "还算满意", "希望以后多巡查"]
# Solved, yet the reporter is dissatisfied (level 2): the return-visit rule "every
# dissatisfied case" calls them back, while the case itself stays answered. A few of those
# whom the call centre may call (a phone, consent, answered within its window).
SOLVED_BUT_DISSATISFIED = 3
SOLVED_BUT_DISSATISFIED_COMMENTS = ["解决是解决了，但前后拖了很久", "来回打了好几次电话才有人管"]
NOT_SOLVED = 4
NO_ANSWER_SHARE = 0.15

# Responsible units of the starter catalogue items, and the window where each is handled.
ITEM_UNITS = {
    "pension-qualification": ("hrss", "service-center"),
    "sole-proprietor-registration": ("market", "enterprise-desk"),
    "residence-permit": ("approval", "service-center"),
    "real-estate-registration": ("housing", "service-center"),
    "construction-planning-permit": ("approval", "enterprise-desk"),
    "gas-connection": ("gas", "service-center"),
    "social-security-card-replacement": ("hrss", "service-center"),
    "enterprise-startup": ("market", "enterprise-desk"),
}


@dataclass
class ServiceQualitySummary:
    ratings: int = 0
    rectifications: int = 0
    followups: int = 0
    service_records: int = 0


def _moment(rng: random.Random, now: datetime, days: int = DAYS) -> datetime:
    """A time in office hours within the last ``days`` days, never after ``now``."""
    day = timezone.localtime(now).date() - timedelta(days=rng.randint(0, days - 1))
    at = timezone.make_aware(
        datetime.combine(day, datetime.min.time())
        + timedelta(hours=rng.randint(9, 16), minutes=rng.randint(0, 59))
    )
    return at if at <= now else now - timedelta(minutes=rng.randint(5, 120))


def _ratings(seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]) -> tuple:
    if Rating.objects.filter(window__code__in=RATED_WINDOWS).exists():
        return 0, 0
    rng = random.Random(f"{seed}-ratings")
    windows = list(RATED_WINDOWS)
    levels, weights = zip(*LEVEL_WEIGHTS, strict=True)
    moments = sorted(_moment(rng, now) for _ in range(RATINGS))
    made = bad = 0
    for at in moments:
        code = rng.choices(windows, weights=[3, 1])[0]
        window = units[code]
        issuer = users[rng.choice(RATED_WINDOWS[code])]
        invitation = ratings.invitation_create(
            window=window,
            actor=issuer,
            staff=issuer if rng.random() < 0.6 else None,
            service_name=rng.choice(SERVICES[code]),
        )
        issued = at - timedelta(minutes=rng.randint(2, 20))
        level = rng.choices(levels, weights=weights)[0]
        reasons: list[str] = []
        comment = rng.choice(GOOD_COMMENTS)
        contact = {}
        if level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED):
            reasons = rng.sample(list(BAD_COMMENTS), rng.randint(1, 2))
            comment = BAD_COMMENTS[reasons[0]]
            if rng.random() < 0.5:
                contact = {"contact_phone": f"139{rng.randrange(10**8):08d}"}
        with mock.patch.object(ratings, "_now", lambda at=at: at):
            rating = ratings.rating_submit(
                invitation=invitation, level=level, reasons=reasons, comment=comment, **contact
            )
        RatingInvitation.objects.filter(pk=invitation.pk).update(created_at=issued)
        events = RatingEvent.objects.filter(invitation=invitation)
        events.filter(action=EventAction.INVITE).update(created_at=issued)
        events.exclude(action=EventAction.INVITE).update(created_at=at)
        made += 1
        if rating.case_id:
            # The case was written now; it was assigned to the window a minute after the rating.
            assigned = min(at + timedelta(minutes=1), now)
            Case.objects.filter(pk=rating.case_id).update(assigned_at=assigned)
            CaseEvent.objects.filter(case_id=rating.case_id).exclude(action=Action.CREATE).update(
                created_at=assigned
            )
            bad += 1
    return made, bad


def _followup_times(rng: random.Random, base: datetime, now: datetime) -> tuple:
    """When the follow-up opened and when it was answered: after the case's last event."""
    span = now - base
    opened = base + min(timedelta(hours=rng.randint(2, 30)), span * 0.3)
    answered = opened + min(timedelta(hours=rng.randint(3, 120)), (now - opened) * 0.8)
    return opened, answered


def _may_be_called(case: Case, now: datetime) -> bool:
    """Whether the call centre's queue builder may pick this answer."""
    since = now - timedelta(days=visits.window_days())
    return visits.reachable_answers(since).filter(pk=case.pk).exists()


def _followups(seed: int, now: datetime, users: dict[str, User]) -> int:
    demo_cases = Case.objects.filter(submission__external_id__startswith=EXTERNAL_ID_PREFIX)
    if FollowUp.objects.filter(case__in=demo_cases).exists():
        return 0
    rng = random.Random(f"{seed}-followups")
    candidates = list(
        demo_cases.filter(
            status__in=evaluation.ANSWERED_STATUSES, answered_at__isnull=False
        ).order_by("id")
    )
    chosen = sorted(rng.sample(candidates, min(FOLLOWUPS, len(candidates))), key=lambda c: c.pk)
    last_events = {}
    for case_id, at, pk in (
        CaseEvent.objects.filter(case__in=chosen)
        .order_by("created_at", "id")
        .values_list("case_id", "created_at", "id")
    ):
        last_events[case_id] = (at, pk)
    callers = [users[name] for name in ("clerk", "clerk-window") if name in users]
    not_solved = 0
    dissatisfied = 0
    made = 0
    for case in chosen:
        base, last_pk = last_events[case.pk]
        opened, answered = _followup_times(rng, base, now)
        followup = evaluation.followup_open(case=case, notify=False)
        if followup is None:
            continue
        due = opened + timedelta(days=evaluation.followup_days())
        FollowUp.objects.filter(pk=followup.pk).update(created_at=opened, due_at=due)
        events = CaseEvent.objects.filter(case=case, pk__gt=last_pk)
        events.update(created_at=opened)
        last_pk = events.order_by("-pk").values_list("pk", flat=True).first() or last_pk
        made += 1
        draw = rng.random()
        if due <= now and draw < NO_ANSWER_SHARE:
            FollowUp.objects.filter(pk=followup.pk).update(due_at=min(due, timezone.now()))
            evaluation.followup_expire(followup=followup)
            CaseEvent.objects.filter(case=case, pk__gt=last_pk).update(created_at=due)
            continue
        if due > now and draw < 0.5:
            continue  # Still waiting for the reporter.
        solved = True
        if not_solved < NOT_SOLVED and case.status == CaseStatus.ANSWERED and draw > 0.93:
            solved = False
        phone = rng.random() < 0.15 and callers
        satisfaction = (
            rng.choices([5, 4, 3], weights=[60, 30, 10])[0] if solved else rng.choice([1, 2])
        )
        if (
            solved
            and dissatisfied < SOLVED_BUT_DISSATISFIED
            and draw > 0.8
            and _may_be_called(case, now)
        ):
            satisfaction = Level.DISSATISFIED
            dissatisfied += 1
        if not solved:
            comment = "问题还是没有解决"
        elif satisfaction in BAD_LEVELS:
            comment = rng.choice(SOLVED_BUT_DISSATISFIED_COMMENTS)
        else:
            comment = rng.choice(FOLLOWUP_COMMENTS)
        try:
            evaluation.followup_answer(
                followup=followup,
                solved=solved,
                satisfaction=satisfaction,
                comment=comment,
                channel=AnswerChannel.PHONE if phone else AnswerChannel.WEB,
                actor=rng.choice(callers) if phone else None,
            )
        except evaluation.FollowUpError:
            continue
        not_solved += not solved
        FollowUp.objects.filter(pk=followup.pk).update(responded_at=answered)
        CaseEvent.objects.filter(case=case, pk__gt=last_pk).update(created_at=answered)
    return made


def _service_records(
    seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> int:
    if ServiceRecord.objects.exists():
        return 0
    rng = random.Random(f"{seed}-service-records")
    editor = users["supervisor"]
    items = list(ServiceItem.objects.active().order_by("code"))
    for item in items:
        if item.responsible_unit_id is None:
            unit_code = ITEM_UNITS.get(item.code, ("approval", ""))[0]
            catalogue.service_item_save(
                actor=editor,
                item=item,
                code=item.code,
                name=item.name,
                name_en=item.name_en,
                responsible_unit=units[unit_code],
                materials=item.materials,
                legal_days=item.legal_days,
                promised_days=item.promised_days,
                online=item.online,
                max_visits=item.max_visits,
                is_active=item.is_active,
            )
    if not items:
        return 0
    recorders = {code: [users[name] for name in names] for code, names in RATED_WINDOWS.items()}
    latest = min(now, timezone.now())
    made = 0
    for at in sorted(_moment(rng, latest) for _ in range(SERVICE_RECORDS)):
        item = rng.choice(items)
        window = ITEM_UNITS.get(item.code, ("", "service-center"))[1]
        online = item.online != OnlineAvailability.NOT_ONLINE and rng.random() < (
            0.7 if item.online == OnlineAvailability.FULL else 0.35
        )
        if online:
            visits, on_spot = 0, False
        else:
            allowed = max(item.max_visits, 1)
            visits = allowed if rng.random() < 0.85 else allowed + rng.randint(1, 2)
            on_spot = item.promised_days <= 1 and visits == 1 and rng.random() < 0.8
        catalogue.service_record_create(
            actor=rng.choice(recorders[window]),
            item=item,
            unit=units[window],
            channel=ServiceChannel.ONLINE if online else ServiceChannel.WINDOW,
            visits=visits,
            completed_on_spot=on_spot,
            applicant_type=ApplicantType.ENTERPRISE
            if window == "enterprise-desk"
            else rng.choice([ApplicantType.CITIZEN] * 4 + [ApplicantType.ENTERPRISE]),
            recorded_at=at,
        )
        made += 1
    return made


def ensure_service_quality(
    *, seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> ServiceQualitySummary:
    """Ratings, follow-ups and service records for the demo; each section only once."""
    summary = ServiceQualitySummary()
    summary.ratings, summary.rectifications = _ratings(seed, now, users, units)
    summary.followups = _followups(seed, now, users)
    summary.service_records = _service_records(seed, now, users, units)
    return summary
