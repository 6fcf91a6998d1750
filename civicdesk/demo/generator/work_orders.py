"""Work orders and supervision in the demo district (issue 16, items 1-4).

Areas and grids of the three streets, dispatch rules (each department's categories, and the
neighbourhood categories by street), then a handful of new reports that run through every
rule on the way, all through the services:

- the journey of the issue's "done when": an enterprise's report dispatched automatically,
  co-handled by the power company, extended with a public reason, supervised by a letter,
  answered by the lead unit and reopened by a return visit (晨光物流, 东苑路);
- a case waiting for a co-handling unit's part, one given to a grid and extended, one
  suspended while a court decides, one whose extension waits for a supervisor, one returned
  twice and waiting for arbitration, one arbitrated;
- supervision letters on older cases (one escalated unanswered, one answered late), on a
  problem and on a measure, and leaders' instructions;
- a version of the appraisal scheme that deducts points per letter answered late and per
  material the online hall asked for after the first notice.

Keyed by the areas' codes and the reports' external ids, so a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.applications.appraisal_lines import CODE as LATE_MATERIAL_LINE
from civicdesk.appraisal.models import Scheme
from civicdesk.appraisal.schemes import scheme_create, scheme_rows
from civicdesk.cases import dispatch, extensions, returns, services
from civicdesk.cases.models import Area, Case, Category, Grid, ReturnReason
from civicdesk.cases.workflow import Status
from civicdesk.commitments.models import Measure
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.dates import as_of, at
from civicdesk.evaluation import visits
from civicdesk.evaluation.visit_models import ReturnVisit
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create
from civicdesk.problems.models import Problem
from civicdesk.supervision import services as supervision
from civicdesk.supervision.appraisal_lines import CODE as LATE_LETTER_LINE

EXTERNAL_PREFIX = "work-order-demo-"
STREETS = {"east-street": "east", "west-street": "west", "south-street": "south"}


@dataclass
class WorkOrderSummary:
    rules: int = 0
    cases: int = 0
    letters: int = 0
    instructions: int = 0


def _areas_grids(units: dict[str, Unit], users: dict[str, User]) -> dict[str, Area]:
    areas = {}
    for street, short in STREETS.items():
        communities = [code for code, _name, _kind, parent in v.UNITS if parent == street]
        places = [place for code in communities for place in v.PLACES[code][0]]
        areas[street] = Area.objects.create(
            code=f"demo-{short}",
            name=f"{units[street].name}辖区",
            places="\n".join(places),
        )
        for code in communities:
            worker = next(
                (
                    u
                    for u in users.values()
                    if u.role == Role.HANDLER and u.unit_id == units[code].pk
                ),
                None,
            )
            Grid.objects.create(
                unit=units[street],
                code=f"grid-{code}",
                name=f"{units[code].name}网格",
                places="\n".join(v.PLACES[code][0]),
                worker=worker,
            )
    return areas


def _rules(units: dict[str, Unit], areas: dict[str, Area], actor: User) -> int:
    categories = {c.code: c for c in Category.objects.all()}
    count = 0
    for code, unit in v.CATEGORY_UNITS.items():
        if unit == "district" or code in v.NEIGHBOURHOOD_CATEGORIES or code not in categories:
            continue
        dispatch.rule_create(category=categories[code], area=None, unit=units[unit], actor=actor)
        count += 1
    for code in sorted(v.NEIGHBOURHOOD_CATEGORIES):
        for street, area in areas.items():
            dispatch.rule_create(
                category=categories[code], area=area, unit=units[street], actor=actor, priority=50
            )
            count += 1
    return count


def _report(number: int, description: str, address: str, **fields) -> Case:
    data = NewSubmission(
        channel=Channel.objects.get(code=fields.pop("channel", "mobile_app")),
        description=description,
        address=address,
        language="zh-hans",
        consent_publish=True,
        external_id=f"{EXTERNAL_PREFIX}{number}",
        **fields,
    )
    _submission, case, _created = submission_create(data=data)
    return case


def _category(code: str) -> Category:
    return Category.objects.get(code=code)


def _journey(users, units) -> Case:
    """The issue's "done when": dispatch → co-handling part → extension → letter → answer →
    a return visit that reopens it."""
    case = _report(
        1,
        "东苑路园区门口的路灯坏了一个多月，晚上货车进出，工人下班都摸黑，很不安全。",
        "东苑路88号晨光物流园区门口",
        category=_category("street-lights"),
        contact_name="周经理",
        contact_phone="13905710088",
        for_enterprise=True,
        enterprise_name="晨光物流有限公司",
        enterprise_credit_code="91350100M000100Y43",
    )
    supervisor, urban = users["supervisor"], users["handler-urban"]
    dispatch.add_co_unit(case=case, unit=units["power"], actor=supervisor)
    dispatch.give_part(
        case=case,
        actor=users["handler-power"],
        unit=units["power"],
        text="经查，该路段供电线路老化，已安排检修班组更换电缆，预计一周内完成。",
    )
    case = services.case_accept(case=case, actor=urban, note="已受理，正在协调供电公司。")
    due = timezone.localtime(case.answer_due_at).date()
    extensions.request_extension(
        case=case,
        actor=urban,
        reason="更换电缆需供电公司停电施工，须提前三日公告，申请延期五个工作日。",
        new_date=due + timedelta(days=7),
    )
    extensions.decide_request(case=case, actor=supervisor, approve=True)
    supervision.letter_issue(
        subject=case,
        actor=supervisor,
        requirement="请城市管理局会同供电公司加快电缆更换，修复后书面报告并附现场照片。",
        deadline=timezone.localdate() + timedelta(days=3),
    )
    supervision.instruction_give(
        subject=case,
        actor=users["leader"],
        text="企业反映的问题要当作自己的事来办。请城管局会同供电公司尽快修复，并举一反三排查园区周边路灯。",
    )
    services.case_answer(
        case=case,
        actor=urban,
        text=(
            "您好！您反映的问题已收悉。经城市管理局会同供电公司现场核查，该路段供电电缆老化，"
            "现已更换电缆和灯具，路灯恢复照明。如仍有问题，可凭查询码继续反映。"
        ),
    )
    # The call centre calls back: one lamp is still out, so the case is handled again.
    visits.build_queue()
    visit = ReturnVisit.objects.filter(case=case).first()
    if visit is not None:
        visits.visit_record(
            visit=visit,
            actor=users["clerk"],
            outcome="reach",
            solved=False,
            satisfaction=3,
            comment="企业反映园区东侧仍有一盏路灯不亮。",
        )
    return case


# (number, report, address, first return, second return, arbitrated)
RETURNED = [
    (
        6,
        "桂花里旁边的小河沟漂满垃圾，夏天发臭。",
        "桂花里",
        ("outside-area", "河道保洁属街道属地管理。"),
        ("not-our-remit", "河道管理属水务部门职责。"),
        False,
    ),
    (
        7,
        "南环路桥下堆放大量建筑垃圾，无人清运。",
        "南环路桥下",
        ("outside-area", "桥下区域属南街道属地。"),
        ("not-our-remit", "建筑垃圾清运属城管执法职责。"),
        True,
    ),
]


def _scenarios(users, units) -> int:
    supervisor, clerk = users["supervisor"], users["clerk"]
    today = timezone.localdate()
    # Co-handled, one part in and one missing: the lead unit cannot answer yet.
    night_market = _report(
        2,
        "锦绣路夜市每晚油烟和噪音扰民到凌晨，还占道经营。",
        "锦绣路夜市",
        category=_category("noise"),
    )
    dispatch.add_co_unit(case=night_market, unit=units["market"], actor=supervisor)
    dispatch.add_co_unit(case=night_market, unit=units["ecology"], actor=supervisor)
    dispatch.give_part(
        case=night_market,
        actor=users["handler-ecology"],
        unit=units["ecology"],
        text="已对夜市油烟进行检测，三家摊位超标，已责令安装净化设备。",
    )
    # Given to a grid and its worker, then extended with a public reason.
    lift = _report(
        3,
        "朝阳新村5幢电梯停运半个月，老人上下楼困难。",
        "朝阳新村5幢",
        category=_category("property-management"),
    )
    grid = Grid.objects.get(code="grid-east-chaoyang")
    dispatch.give(case=lift, actor=users["handler-east"], assignee=grid.worker, grid=grid)
    lift = services.case_accept(case=lift, actor=users["handler-east"])
    extensions.request_extension(
        case=lift,
        actor=users["handler-east"],
        reason="更换电梯主板须经业主大会表决动用专项维修资金，表决需十个工作日。",
        new_date=timezone.localtime(lift.answer_due_at).date() + timedelta(days=10),
    )
    extensions.decide_request(case=lift, actor=supervisor, approve=True)
    # Suspended while a court decides.
    shed = _report(
        4,
        "幸福里小区12幢一楼住户私搭违建，占用消防通道。",
        "幸福里小区12幢",
        category=_category("illegal-construction"),
    )
    shed = services.case_accept(case=shed, actor=users["handler-south"])
    extensions.request_suspension(
        case=shed,
        actor=users["handler-south"],
        ground="court",
        reason="当事人已就违建认定提起行政诉讼，须待法院判决后依法处置。",
        new_date=today + timedelta(days=30),
    )
    extensions.decide_request(case=shed, actor=supervisor, approve=True)
    # An extension waiting for a supervisor.
    crossing = _report(
        5,
        "西湖小学门口上下学时段车辆乱停，孩子过马路很危险。",
        "西湖小学门口",
        category=_category("roads-traffic"),
    )
    crossing = services.case_accept(case=crossing, actor=users["handler-urban-2"])
    extensions.request_extension(
        case=crossing,
        actor=users["handler-urban-2"],
        reason="需会同交警部门和学校制定接送车辆停放方案。",
        new_date=timezone.localtime(crossing.answer_due_at).date() + timedelta(days=5),
    )
    # Returned twice: waits for arbitration. Returned twice and arbitrated: bound.
    reasons = {r.code: r for r in ReturnReason.objects.all()}
    for number, description, address, first, second, arbitrate in RETURNED:
        case = _report(number, description, address)
        if case.status != Status.RECEIVED:  # a sure triage suggestion dispatched it
            case = dispatch.undo_dispatch(case=case, actor=clerk)
        for unit, handler, (reason, words) in (
            ("urban", "handler-urban", first),
            ("south-street", "handler-south", second),
        ):
            case = services.case_assign(case=case, unit=units[unit], actor=clerk)
            case = services.case_return(
                case=case, actor=users[handler], reason_choice=reasons[reason], reason=words
            )
        if arbitrate:
            returns.case_arbitrate(
                case=case,
                unit=units["urban"],
                actor=supervisor,
                reason="建筑垃圾清运属城市管理局职责（见区政府“三定”方案）。",
            )
    return 6


def _issue_day(case: Case, today: date, days_ago: int) -> date:
    """`days_ago` days before today, or the day after the case's last event if that is later
    (`case` is annotated with `last_event_at`)."""
    day_after = timezone.localdate(case.last_event_at) + timedelta(days=1)
    return max(today - timedelta(days=days_ago), day_after)


def _letters(users: dict[str, User], units: dict[str, Unit], now: datetime) -> tuple[int, int]:
    supervisor = users["supervisor"]
    today = timezone.localdate(now)
    # A letter is dated after everything else on its case's timeline (the timeline is read in
    # the order it was written), so the candidates are those quiet for a few days.
    old_cases = (
        Case.objects.filter(
            unit=units["urban"], submission__external_id__startswith="demo-", received_at__lt=now
        )
        .annotate(last_event_at=Max("events__created_at"))
        .order_by("received_at")
    )
    letters = instructions = 0
    # Escalated: issued three weeks ago (or the day after the case's last event, where that
    # is later), due a week later, never answered.
    unanswered = old_cases.filter(
        status__in=["assigned", "in_progress"], last_event_at__lt=at(today - timedelta(days=3), 0)
    ).first()
    if unanswered is not None:
        issued = _issue_day(unanswered, today, 21)
        with as_of(at(issued, 9)):
            letter = supervision.letter_issue(
                subject=unanswered,
                actor=supervisor,
                requirement="该件已超期，请于限期内办结并书面说明超期原因。",
                deadline=issued + timedelta(days=min(7, (today - issued).days - 1)),
            )
        supervision.letter_escalate(letter=letter)
        letters += 1
    # Answered late: issued 20 days ago (or later, as above), due five days later, replied two
    # days after it, closed.
    answered = old_cases.filter(
        status__in=["answered", "closed"], last_event_at__lt=at(today - timedelta(days=4), 0)
    ).first()
    if answered is not None:
        issued = _issue_day(answered, today, 20)
        deadline = issued + timedelta(days=min(5, (today - issued).days - 2))
        with as_of(at(issued, 9)):
            letter = supervision.letter_issue(
                subject=answered,
                actor=supervisor,
                requirement="群众多次反映，请核实处理情况并报告。",
                deadline=deadline,
            )
        replied = min(deadline + timedelta(days=2), today - timedelta(days=1))
        with as_of(at(replied, 16)):
            supervision.letter_reply(
                letter=letter, actor=users["handler-urban"], text="已核实并答复群众，详见答复意见。"
            )
        closed = (
            at(replied + timedelta(days=1), 10)
            if replied < today - timedelta(days=1)
            else at(replied, 17)
        )
        with as_of(closed):
            supervision.letter_close(letter=letter, actor=supervisor)
        letters += 1
    problem = Problem.objects.exclude(lead_unit=None).order_by("id").first()
    if problem is not None:
        supervision.letter_issue(
            subject=problem,
            actor=supervisor,
            requirement="请报送该问题整改措施的推进计划和责任人。",
            deadline=today + timedelta(days=5),
        )
        supervision.instruction_give(
            subject=problem,
            actor=users["leader-2"],
            text="此事群众关注度高，请牵头单位每周报告进展。",
        )
        letters += 1
        instructions += 1
    measure = Measure.objects.overdue().order_by("deadline").first()
    if measure is not None:
        supervision.letter_issue(
            subject=measure,
            actor=supervisor,
            requirement="该项措施已逾期，请说明原因并提出补救措施。",
            deadline=today + timedelta(days=2),
        )
        letters += 1
    return letters, instructions + 1  # the journey's instruction


def _scheme(users: dict[str, User], now: datetime) -> None:
    """The scheme in force this month, with the deductions per letter answered late and per
    material asked for after the first notice (the online hall's 一次性告知 broken)."""
    month = timezone.localdate(now).replace(day=1)
    current = Scheme.objects.in_force(month)
    if current is not None and current.lines.filter(kind=LATE_LETTER_LINE).exists():
        return
    rows = [
        *scheme_rows(current),
        {"kind": LATE_LETTER_LINE, "points": "1", "cap": "5"},
        {"kind": LATE_MATERIAL_LINE, "points": "0.5", "cap": "5"},
    ]
    scheme_create(
        name=f"{current.name if current else '接诉即办考核方案'}（含督办）",
        valid_from=month,
        rows=rows,
        actor=users["supervisor"],
        note=(
            "增设督办件逾期回复扣分项：每件扣1分，最多扣5分；"
            "增设一次性告知后补要材料扣分项：每件扣0.5分，最多扣5分。"
        ),
    )


def ensure_work_orders(
    *, seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> WorkOrderSummary:
    summary = WorkOrderSummary()
    if Area.objects.filter(code__startswith="demo-").exists():
        return summary
    areas = _areas_grids(units, users)
    summary.rules = _rules(units, areas, users["admin"])
    _journey(users, units)
    summary.cases = 1 + _scenarios(users, units)
    summary.letters, summary.instructions = _letters(users, units, now)
    summary.letters += 1  # the journey's letter
    _scheme(users, now)
    return summary
