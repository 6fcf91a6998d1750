"""Return visits, praise, the knowledge base, training records and the appraisal scheme in the
demo district (issue 16, items 5-8).

Everything goes through the services (visits, praise, knowledge, training, schemes), so the
rows are what the application writes; afterwards the moments are moved into the past with
plain UPDATEs, each timeline keeping its order. Each section is skipped when its rows exist,
so a second load adds nothing. All draws come from ``random.Random`` seeded from the demo's
seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from civicdesk.accounts.models import Unit, User
from civicdesk.appraisal.models import Scheme
from civicdesk.appraisal.schemes import scheme_create, scheme_rows
from civicdesk.cases.models import Case, CaseEvent, Category
from civicdesk.catalogue.models import ServiceItem
from civicdesk.demo.generator.plan import EXTERNAL_ID_PREFIX
from civicdesk.evaluation import visits
from civicdesk.evaluation.models import FollowUp, Praise, PraiseSource, ReturnVisit, VisitEvent
from civicdesk.evaluation.visit_workflow import VisitAction, VisitStatus
from civicdesk.knowledge.models import Entry, EntryUse
from civicdesk.knowledge.services import EntryFields, entry_save
from civicdesk.training import services as training
from civicdesk.training.models import (
    AttendanceSource,
    Contest,
    Session,
    SessionKind,
    StudyAssignment,
)

# (title, catalogue item code or "", category code or "", answer, place, fees, legal basis)
KNOWLEDGE = [
    (
        "居住证办理一次性告知",
        "residence-permit",
        "housing",
        "在本区居住半年以上、有合法稳定就业、住所或连续就读的，可申领居住证。"
        "可在“浙里办”网上申请，也可到户籍窗口现场办理，材料齐全的10个工作日内办结。",
        "区政务服务中心一楼户籍窗口（工作日9:00-12:00，13:30-17:00），或居住地派出所",
        "首次申领免费；遗失补领按规定收取工本费",
        "《居住证暂行条例》第九条、第十条",
    ),
    (
        "个体工商户开业登记须知",
        "sole-proprietor-registration",
        "business-environment",
        "个体工商户设立登记可全程网上办理，材料齐全、符合法定形式的，当场或3个工作日内核发营业执照。",
        "区政务服务中心二楼市场主体登记窗口，或登录企业开办“一网通办”平台",
        "免费",
        "《促进个体工商户发展条例》《市场主体登记管理条例》第十九条",
    ),
    (
        "企业开办“一件事”",
        "enterprise-startup",
        "enterprise-services",
        "企业设立登记、公章刻制、发票申领、社保登记和银行开户预约一次提交，一个工作日内办结。"
        "首套公章免费刻制，营业执照可邮寄到家。",
        "区政务服务中心二楼企业开办专区，或网上一网通办",
        "免费（首套公章由政府买单）",
        "《优化营商环境条例》第十九条",
    ),
    (
        "社会保障卡补办",
        "social-security-card-replacement",
        "social-security",
        "社保卡遗失请先拨打热线或在手机上挂失，再到任一合作银行网点或社保窗口补办，"
        "现场制卡的可当场领取。",
        "区政务服务中心三楼人社窗口，或各合作银行网点",
        "补卡工本费按银行公示标准收取，首次申领免费",
        "《社会保障卡管理办法》",
    ),
    (
        "燃气报装流程",
        "gas-connection",
        "utilities",
        "居民燃气报装可网上申请，燃气公司5个工作日内上门勘察，具备条件的7个工作日内通气。"
        "报装费用以燃气公司公示价格为准，不得另行收费。",
        "燃气公司营业厅（区政务服务中心一楼水电气联办窗口）",
        "按物价部门核定的安装收费标准执行",
        "《城镇燃气管理条例》第十七条",
    ),
    (
        "夜间施工噪音投诉须知",
        "",
        "noise",
        "夜间（22时至次日6时）施工须取得夜间施工许可并公示。未取得许可的，"
        "我们将转城管执法部门现场核查处理；已取得许可但噪声超标的，由生态环境部门监测处理。",
        "可拨打12345或在网上留言，请说明施工地点和时间",
        "",
        "《中华人民共和国噪声污染防治法》第四十三条",
    ),
    (
        "小区停车收费政策咨询",
        "",
        "parking",
        "住宅小区停车收费标准由业主大会与物业服务企业协商确定，并在小区显著位置公示。"
        "物业擅自提高收费标准的，可向所在街道或住建部门反映。",
        "所在街道社区服务中心或区住建局物业科",
        "",
        "《物业管理条例》第四十条",
    ),
    (
        "物业维修资金申请使用",
        "",
        "property-management",
        "电梯、屋面防水等共用部位维修，可由业主委员会或物业提出方案，"
        "经相关业主表决同意后向区住建局申请使用维修资金，紧急情况可走应急使用程序。",
        "区住建局物业科（区政务服务中心四楼）",
        "免费",
        "《住宅专项维修资金管理办法》第二十二条",
    ),
    (
        "灵活就业人员参保",
        "",
        "employment",
        "灵活就业人员可在网上或社保窗口办理职工养老和医疗保险参保登记，"
        "缴费基数在规定范围内自行选择，按月或按年缴费。",
        "区政务服务中心三楼人社窗口",
        "按选择的缴费基数和费率缴纳社保费",
        "《社会保险法》第十条",
    ),
]

LECTURES = [
    ("哈南大讲堂：接诉即办的法治思维", "区委党校 刘教授", "2.5"),
    ("哈南大讲堂：优化营商环境政策解读", "区发改局 王局长", "2"),
    ("哈南大讲堂：群众工作方法与沟通技巧", "市12345热线 张主任", "2"),
]
SEMINARS = [
    ("工单办理质量研讨：从退单看分办", "区政务服务管理局", "1.5"),
    ("作风建设专题研讨", "区纪委监委", "1.5"),
]
READINGS = [
    ("《12345政务服务便民热线服务规范》", "国家标准", "3"),
    ("《优化营商环境条例》", "国务院", "4"),
]
REFLECTIONS = [
    "答复要一次说清楚，材料、地点、时限都要讲到，群众少跑腿。",
    "对照规范检查了本单位的答复用语，发现有的答复太笼统，以后要具体到人到事。",
    "办理时限按工作日计算，延期要提前申请并说明理由，不能等超期了再补。",
    "营商环境的核心是信用和法治，对企业的承诺必须兑现。",
    "回访中听到的意见要及时反馈，不满意件要重新研判，避免简单结案。",
]
VISIT_COMMENTS_GOOD = ["问题已经解决了，谢谢", "处理得很及时", "工作人员态度很好", ""]
VISIT_COMMENTS_BAD = [
    "还没有解决，灯还是不亮",
    "只是电话解释了一下，没有实际处理",
    "处理结果不满意",
]


@dataclass
class VisitsTrainingSummary:
    entries: int = 0
    entry_uses: int = 0
    visits: int = 0
    visits_closed: int = 0
    rehandled: int = 0
    praise: int = 0
    sessions: int = 0
    attendances: int = 0
    study_records: int = 0
    contest_entries: int = 0
    schemes: int = 0


def _demo_cases():
    return Case.objects.filter(submission__external_id__startswith=EXTERNAL_ID_PREFIX)


# --- Knowledge base ------------------------------------------------------------------------


def _knowledge(seed: int, now: datetime, users: dict[str, User], summary) -> None:
    if Entry.objects.exists():
        return
    editor = users.get("clerk")
    items = {item.code: item for item in ServiceItem.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    for title, item, category, answer, place, fees, basis in KNOWLEDGE:
        if not items.get(item) and not categories.get(category):
            continue
        entry_save(
            actor=editor,
            fields=EntryFields(
                title=title,
                summary=answer,
                service_item=items.get(item),
                category=categories.get(category),
                place=place,
                fees=fees,
                legal_basis=basis,
            ),
        )
        summary.entries += 1
    Entry.objects.update(updated_at=now - timedelta(days=50))
    # Cases answered straight away (their first reply was the answer) in a category with an
    # entry: most were answered from it, the entry inserted a few minutes before the answer.
    rng = random.Random(f"{seed}-knowledge")
    by_category = {e.category_id: e for e in Entry.objects.filter(category__isnull=False)}
    answered_at_once = (
        _demo_cases()
        .filter(
            category_id__in=by_category,
            answered_at__isnull=False,
            first_responded_at=F("answered_at"),
        )
        .order_by("pk")
    )
    answerers = {}
    for case_id, actor_id in (
        CaseEvent.objects.filter(case__in=answered_at_once, action="answer")
        .order_by("created_at")
        .values_list("case_id", "actor_id")
    ):
        answerers.setdefault(case_id, actor_id)
    uses = []
    for case in answered_at_once:
        if rng.random() < 0.7:
            uses.append(
                EntryUse(
                    entry=by_category[case.category_id],
                    case=case,
                    used_by_id=answerers.get(case.pk),
                    used_at=case.answered_at - timedelta(minutes=rng.randint(2, 15)),
                )
            )
    EntryUse.objects.bulk_create(uses)
    summary.entry_uses = len(uses)


# --- Return visits and praise --------------------------------------------------------------


def _visits(seed: int, now: datetime, users: dict[str, User], summary) -> None:
    if ReturnVisit.objects.exists():
        return
    rng = random.Random(f"{seed}-visits")
    summary.visits = visits.build_queue(now=now).queued
    agents = [users[name] for name in ("clerk", "clerk-window") if name in users]
    waiting = list(ReturnVisit.objects.waiting().select_related("case").order_by("answer_of", "pk"))
    # The demo opened follow-ups for a sample of the answers only (service_quality.py); in a
    # running office every recent answer has one. Calls are made about those.
    followed = set(FollowUp.objects.values_list("case_id", "answer_of"))
    closings = [
        [VisitAction.NOT_REACHED] * visits.max_attempts(),
        [VisitAction.NOT_REACHED, VisitAction.REFUSE],
    ]
    for visit in waiting:
        # The freshest answers still wait for their call; the others were called 1-3 days on.
        if (
            (visit.case_id, visit.answer_of) not in followed
            or visit.answer_of > now - timedelta(days=2)
            or rng.random() < 0.15
        ):
            continue
        agent = rng.choice(agents)
        last_event = CaseEvent.objects.filter(case=visit.case).order_by("-pk").first()
        last_pk = last_event.pk if last_event else 0
        # Calls come after everything already on the case's timeline.
        after = max(visit.answer_of, last_event.created_at if last_event else visit.answer_of)
        calls = []
        draw = rng.random()
        if closings:
            # The first calls show each way a visit closes unanswered, whatever the draws.
            outcomes = closings[0]
        elif draw < 0.12:
            outcomes = [VisitAction.NOT_REACHED] * visits.max_attempts()
        elif draw < 0.2:
            outcomes = [VisitAction.NOT_REACHED, VisitAction.REFUSE]
        elif draw < 0.3:
            outcomes = [VisitAction.NOT_REACHED]  # still waiting for the next try
        else:
            outcomes = [VisitAction.NOT_REACHED] * (rng.random() < 0.2) + [VisitAction.REACH]
        for outcome in outcomes:
            kwargs: dict = {}
            if outcome == VisitAction.REACH:
                unhappy = visit.reason == "dissatisfied" or rng.random() < 0.12
                solved = not (unhappy and rng.random() < 0.6)
                level = rng.choice([1, 2, 3]) if unhappy else rng.choice([5, 5, 5, 4, 4, 3])
                kwargs = {
                    "solved": solved,
                    "satisfaction": level,
                    "praised": level == 5 and rng.random() < 0.2,
                    "comment": rng.choice(
                        VISIT_COMMENTS_BAD if not solved else VISIT_COMMENTS_GOOD
                    ),
                }
            try:
                visits.visit_record(visit=visit, actor=agent, outcome=outcome, **kwargs)
            except visits.VisitError:
                break
            calls.append(outcome)
        if closings and outcomes is closings[0] and calls == outcomes:
            closings.pop(0)
        if not calls:
            continue
        # The calls happened 1-3 days after the answer, a few hours apart; the rows were
        # written now.
        start = max(
            visit.answer_of + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5)),
            after + timedelta(hours=1),
        )
        moments = [start + timedelta(hours=4 * i) for i in range(len(calls))]
        if moments[-1] > now:
            # Too recent for hours apart: minutes apart, just before now (and after the rest).
            moments = [
                max(after, now - timedelta(minutes=5 * (len(calls) - i))) for i in range(len(calls))
            ]
        events = list(
            VisitEvent.objects.filter(visit=visit).exclude(action=VisitAction.QUEUE).order_by("pk")
        )
        for event, moment in zip(events, moments, strict=False):
            VisitEvent.objects.filter(pk=event.pk).update(created_at=moment)
        VisitEvent.objects.filter(visit=visit, action=VisitAction.QUEUE).update(
            created_at=visit.answer_of + timedelta(minutes=10)
        )
        done = ReturnVisit.objects.get(pk=visit.pk)
        ReturnVisit.objects.filter(pk=visit.pk).update(
            created_at=visit.answer_of + timedelta(minutes=10),
            last_attempt_at=moments[-1],
            closed_at=moments[-1] if done.status != VisitStatus.WAITING else None,
        )
        CaseEvent.objects.filter(case=visit.case, pk__gt=last_pk).update(created_at=moments[-1])
        FollowUp.objects.filter(case=visit.case, answer_of=visit.answer_of, channel="visit").update(
            responded_at=moments[-1]
        )
        Praise.objects.filter(visit=visit).update(received_at=moments[-1], created_at=moments[-1])
        summary.visits_closed += done.status != VisitStatus.WAITING
        summary.rehandled += done.reopened
    # Waiting visits were queued ten minutes after their answer.
    for visit in ReturnVisit.objects.filter(attempts=0):
        ReturnVisit.objects.filter(pk=visit.pk).update(
            created_at=visit.answer_of + timedelta(minutes=10)
        )
        VisitEvent.objects.filter(visit=visit).update(
            created_at=visit.answer_of + timedelta(minutes=10)
        )
    _praise(rng, now, users, summary)


def _praise(rng: random.Random, now: datetime, users: dict[str, User], summary) -> None:
    """Letters and banners for a few well-handled cases, besides the praise heard on visits."""
    solved = list(
        _demo_cases()
        .filter(followups__solved=True, followups__satisfaction=5, unit__isnull=False)
        .order_by("pk")
        .distinct()
    )
    clerk = users.get("clerk")
    for case in rng.sample(solved, min(8, len(solved))):
        received = min(case.answered_at + timedelta(days=rng.randint(2, 12)), now)
        visits.praise_record(
            case=case,
            actor=clerk,
            source=rng.choice([PraiseSource.LETTER, PraiseSource.BANNER, PraiseSource.HOTLINE]),
            received_at=received,
            note=rng.choice(["感谢为民办实事", "送来锦旗“为民解忧 情系百姓”", "来电表扬处理及时"]),
        )
    summary.praise = Praise.objects.count()


# --- Training ------------------------------------------------------------------------------


def _training(seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit], summary):
    if Session.objects.exists():
        return
    rng = random.Random(f"{seed}-training")
    today = timezone.localdate(now)
    district = units["district"]
    organiser = users.get("supervisor")
    staff = sorted(users.values(), key=lambda u: u.username)
    staff = [u for u in staff if u.role and u.role != "discipline"]
    sessions = []
    for index, (topic, speaker, hours) in enumerate(LECTURES):
        sessions.append(
            (SessionKind.LECTURE, today - timedelta(days=55 - 25 * index), topic, speaker, hours)
        )
    for index, (topic, speaker, hours) in enumerate(SEMINARS):
        sessions.append(
            (SessionKind.SEMINAR, today - timedelta(days=40 - 20 * index), topic, speaker, hours)
        )
    for kind, day, topic, speaker, hours in sorted(sessions, key=lambda s: s[1]):
        session = Session.objects.create(
            kind=kind,
            date=day,
            topic=topic,
            speaker=speaker,
            hours=Decimal(hours),
            unit=district,
            place="区行政中心报告厅" if kind == SessionKind.LECTURE else "区政务服务中心会议室",
            created_by=organiser,
        )
        attendees = [
            u for u in staff if rng.random() < (0.75 if kind == SessionKind.LECTURE else 0.4)
        ]
        # The lecture hall's sign-in sheets are imported; seminars are entered by hand.
        source = AttendanceSource.IMPORT if kind == SessionKind.LECTURE else AttendanceSource.FORM
        added, _already = training.attendance_add(
            session=session, people=attendees, actor=organiser, source=source
        )
        summary.sessions += 1
        summary.attendances += added
    for index, (title, source, hours) in enumerate(READINGS):
        assigned = today - timedelta(days=50 - 20 * index)
        reading = StudyAssignment.objects.create(
            title=title,
            source=source,
            assigned_on=assigned,
            due_on=assigned + timedelta(days=30),
            hours=Decimal(hours),
            unit=district,
            created_by=organiser,
        )
        for person in staff:
            if rng.random() < 0.5:
                finished = min(assigned + timedelta(days=rng.randint(3, 25)), today)
                training.study_record(
                    assignment=reading,
                    person=person,
                    reflection=rng.choice(REFLECTIONS),
                    finished_on=finished,
                )
                summary.study_records += 1
    contest = Contest.objects.create(
        title="接诉即办业务技能大比武（知识竞赛）",
        date=today - timedelta(days=12),
        hours=Decimal("3"),
        max_score=Decimal(100),
        unit=district,
        created_by=organiser,
    )
    for person in staff:
        if person.role == "handler" and rng.random() < 0.8:
            score = Decimal(rng.randint(120, 198)) / 2
            training.contest_score(contest=contest, person=person, score=score)
            summary.contest_entries += 1


# --- Appraisal scheme ----------------------------------------------------------------------


def _schemes(now: datetime, users: dict[str, User], summary) -> None:
    """A second version of the seeded scheme from this month on, with the bonus for training
    hours per person: last month is scored by the first version, this one by the second."""
    if Scheme.objects.filter(name__contains="（2）").exists():
        return
    first = Scheme.objects.order_by("valid_from", "id").first()
    rows = [*scheme_rows(first), {"kind": "training_hours", "points": "0.5", "cap": "2"}]
    this_month = timezone.localdate(now).replace(day=1)
    scheme_create(
        name=f"{first.name if first else '接诉即办考核方案'}（2）",
        valid_from=this_month,
        rows=rows,
        actor=users.get("supervisor"),
        note="增设培训学时加分项：人均每学时加0.5分，最多加2分。",
    )
    summary.schemes += 1


def ensure_visits_training(
    *, seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> VisitsTrainingSummary:
    summary = VisitsTrainingSummary()
    _knowledge(seed, now, users, summary)
    _visits(seed, now, users, summary)
    _training(seed, now, users, units, summary)
    _schemes(now, users, summary)
    return summary
