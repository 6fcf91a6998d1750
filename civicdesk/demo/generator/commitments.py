"""Prominent problems of the demo district and the measures promised for them.

Problems go through ``problem_save`` and every change of a measure through the commitments
services, each inside ``as_of`` the moment it is supposed to have happened: the services date
the rows they change (``done_at``, a milestone's ``done_at``, …) and the hash-chained events
alike, so the histories are exactly what the application would write and ``civicdesk
verify_chains`` passes, live rows included. Only a problem's ``created_at`` is moved into the
past afterwards.

A problem is keyed by its title: one that exists already is left alone with its measures.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from PIL import Image, ImageDraw

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Status as CaseStatus
from civicdesk.commitments import services as commitments
from civicdesk.commitments.models import Measure
from civicdesk.demo.generator.dates import as_of, at
from civicdesk.demo.generator.plan import EXTERNAL_ID_PREFIX
from civicdesk.problems.models import Campaign, Problem
from civicdesk.problems.services import problem_save

# What happens to a measure in the demo.
PLANNED = "planned"  # promised, not started
WORKING = "working"  # in progress, deadline ahead
OVERDUE = "overdue"  # deadline passed while still being worked on
OVERDUE_IDLE = "overdue_idle"  # deadline passed and never started
DONE = "done"  # reported done, waiting for the supervisor's sign-off
VERIFIED = "verified"  # signed off with evidence
CLOSED = "closed"  # signed off and closed
EXTENDED = "extended"  # deadline moved with an approved, public reason
ASKING = "asking"  # an extension waits for approval


@dataclass(frozen=True)
class MeasurePlan:
    title: str
    unit: str
    scenario: str
    description: str = ""
    weight: int = 1
    extension_reason: str = ""


@dataclass(frozen=True)
class ProblemPlan:
    title: str
    description: str
    category: str
    lead: str
    co: tuple[str, ...]
    official: str
    campaigns: tuple[str, ...]
    keywords: tuple[str, ...]
    measures: tuple[MeasurePlan, ...]


M = MeasurePlan

PROBLEMS: tuple[ProblemPlan, ...] = (
    # 民生领域
    ProblemPlan(
        "老旧小区加装电梯审批慢、补贴到位难",
        "多个2000年前建成的老旧小区居民反映，加装电梯从征求意见到审批要跑多个部门，"
        "财政补贴申请后长期没有下文，部分项目因此停工。",
        "housing",
        "housing",
        ("approval", "east-street"),
        "王建国（区委常委、常务副区长）",
        ("inaction",),
        ("电梯",),
        (
            M(
                "编制加装电梯“一件事”联办流程，审批时限压缩至15个工作日",
                "housing",
                CLOSED,
                weight=2,
            ),
            M("对已竣工未拨付补贴的项目逐一核对并兑付", "housing", OVERDUE, weight=2),
            M("东街道设立加装电梯协调专班，逐户上门做好沟通", "east-street", WORKING),
        ),
    ),
    ProblemPlan(
        "社区养老服务中心开放时间短、助餐服务时有时无",
        "南街道、西街道部分社区养老服务中心只在工作日上午开放，老年助餐点经常临时停供，"
        "高龄独居老人吃饭难。",
        "elderly-care",
        "health",
        ("south-street", "west-street"),
        "赵立新（副区长）",
        (),
        ("养老", "助餐", "老人"),
        (
            M("引入专业机构运营，养老服务中心全周开放", "health", WORKING, weight=2),
            M("南街道建成3个老年助餐点并实行每日供餐", "south-street", VERIFIED),
            M("西街道建立独居老人定期探访台账", "west-street", PLANNED),
        ),
    ),
    ProblemPlan(
        "社保业务办理材料多、医保异地报销周期长",
        "群众反映办理社保关系转移、医保异地报销需要反复提交证明材料，报销款到账慢。",
        "social-security",
        "hrss",
        ("service-center",),
        "赵立新（副区长）",
        ("inaction",),
        ("社保", "医保", "报销"),
        (
            M("清理社保业务证明材料，能共享的一律不再要求提交", "hrss", DONE),
            M("综合窗口开设社保医保专窗并公布办理时限", "service-center", WORKING),
            M(
                "医保异地报销全流程压缩至20个工作日内",
                "hrss",
                EXTENDED,
                extension_reason="需与市级医保平台完成系统对接，市平台升级计划推迟一个月，"
                "对接测试相应顺延。",
            ),
        ),
    ),
    # 城市建设管理
    ProblemPlan(
        "老旧小区路灯长期不亮",
        "东苑、朝阳、锦绣等片区的老旧小区和背街小巷路灯损坏后长期无人维修，"
        "夜间出行存在安全隐患，居民多次反映。",
        "street-lights",
        "urban",
        ("power", "east-street", "west-street"),
        "王建国（区委常委、常务副区长）",
        (),
        ("路灯",),
        (
            M("开展背街小巷路灯全面排查，建立故障台账", "urban", CLOSED),
            M("更换损坏灯杆、灯具并完成线路改造", "urban", OVERDUE, weight=3),
            M("供电公司完成老旧小区照明线路接电", "power", VERIFIED),
            M("建立路灯故障“随手拍”48小时修复机制", "urban", PLANNED),
        ),
    ),
    ProblemPlan(
        "夜间施工噪音扰民",
        "多个在建工地夜间违规施工，渣土车深夜进出，周边居民长期休息不好。",
        "noise",
        "ecology",
        ("urban", "housing"),
        "孙悦（区政府办公室主任）",
        ("inaction",),
        ("噪音", "施工", "渣土"),
        (
            M("对在建工地夜间施工许可逐一复核并公示", "ecology", DONE),
            M("重点工地安装噪声在线监测设备", "ecology", WORKING, weight=2),
            M("城管夜间巡查，查处违规渣土运输", "urban", OVERDUE_IDLE),
        ),
    ),
    ProblemPlan(
        "老旧小区雨天积水、供水管网老化",
        "每逢强降雨南苑、平安新村一带路面和地下车库积水，部分楼栋水压低、水质发黄。",
        "water-drainage",
        "water",
        ("housing", "urban"),
        "王建国（区委常委、常务副区长）",
        ("monopoly-utilities",),
        ("积水", "水压", "停水", "水管"),
        (
            M("更换南苑片区老化供水管网", "water", WORKING, weight=3),
            M("疏通雨水管网并增设排水口", "urban", VERIFIED),
            M(
                "汛期前完成地下车库挡水设施改造",
                "housing",
                ASKING,
                extension_reason="挡水板定制周期较长，需增加供货时间。",
            ),
        ),
    ),
    # 经济发展
    ProblemPlan(
        "企业技改补贴迟迟未兑现",
        "2023年度工业企业技术改造补贴经公示后，部分企业至今未收到资金，企业多次询问无明确答复。",
        "government-promises",
        "enterprise-desk",
        ("market", "approval"),
        "赵立新（副区长）",
        ("broken-promises",),
        ("补贴", "奖励", "兑现"),
        (
            M("梳理技改补贴未兑付清单并向企业书面说明", "enterprise-desk", CLOSED),
            M("分批兑付已公示的技改补贴资金", "enterprise-desk", OVERDUE, weight=3),
            M("建立涉企政策兑现“台账+销号”制度", "enterprise-desk", WORKING),
        ),
    ),
    ProblemPlan(
        "燃气报装周期长、收费不透明",
        "餐饮商户和新建小区反映燃气报装要等两三个月，安装费用标准不清，存在指定施工单位的情况。",
        "utilities",
        "gas",
        ("approval", "market"),
        "孙悦（区政府办公室主任）",
        ("monopoly-utilities",),
        ("燃气",),
        (
            M("公开燃气报装流程、时限和收费标准", "gas", VERIFIED),
            M("小型工商户燃气报装压缩至10个工作日", "gas", WORKING, weight=2),
            M("开展燃气工程收费专项检查", "market", PLANNED),
        ),
    ),
    ProblemPlan(
        "涉企案件执行周期长、胜诉难兑现",
        "中小企业反映合同纠纷胜诉后执行周期长，财产查控慢，回款难影响正常经营。",
        "judicial-enforcement",
        "enterprise-desk",
        ("market",),
        "王建国（区委常委、常务副区长）",
        ("judicial-environment",),
        ("执行", "法院", "案件"),
        (
            M("建立涉企积案清单，逐案明确责任人和办结时限", "enterprise-desk", DONE),
            M("每月召开涉企案件执行协调会", "enterprise-desk", OVERDUE),
        ),
    ),
    # 服务效能与干部作风
    ProblemPlan(
        "审批材料反复提交、一次性告知不到位",
        "企业和群众反映在政务服务中心办事时，材料被多次退回补正，每次只告知一部分问题，"
        "往返跑三四趟。",
        "approval-efficiency",
        "approval",
        ("service-center",),
        "孙悦（区政府办公室主任）",
        ("inaction",),
        ("材料", "审批", "补正", "跑了"),
        (
            M("制定并公开高频事项一次性告知清单", "approval", CLOSED),
            M("推行补正材料“一次告知、限时办结”承诺制", "service-center", VERIFIED),
            M("上线材料预审服务，线上预审通过后一次办结", "approval", WORKING, weight=2),
        ),
    ),
    ProblemPlan(
        "政务服务中心周边黑中介揽客、代办收费",
        "有群众反映在政务服务中心门口被人拦下推销“包过代办”，收取高额费用，"
        "个别中介声称与窗口人员熟悉。",
        "black-intermediaries",
        "market",
        ("service-center", "approval"),
        "孙悦（区政府办公室主任）",
        ("black-intermediaries",),
        ("中介", "代办"),
        (
            M("联合开展政务服务中心周边黑中介专项整治", "market", DONE),
            M("大厅设置免费帮办代办专区并公示", "service-center", WORKING),
            M("公布举报渠道，对窗口人员与中介往来开展排查", "approval", OVERDUE_IDLE),
        ),
    ),
    ProblemPlan(
        "窗口工作人员推诿扯皮、服务态度差",
        "部分窗口工作人员以“不归我们管”为由推诿，对群众咨询不耐烦，午休前提前停止取号。",
        "window-service",
        "service-center",
        ("approval",),
        "孙悦（区政府办公室主任）",
        ("inaction",),
        ("窗口", "态度", "推诿"),
        (
            M("落实首问负责和午间不间断服务", "service-center", VERIFIED),
            M("开展窗口服务“好差评”整改回访", "service-center", PLANNED),
        ),
    ),
)

MILESTONES = [
    ("完成现场摸排", "制定实施方案"),
    ("确定责任人和时间表", "完成主体工作"),
    ("召开协调会", "完成整改并自查"),
    ("公开办理标准", "组织群众回访"),
]

PROGRESS_NOTES = ["按计划推进中", "已完成阶段性工作", "本周集中推进", "协调会议后加快推进"]
VERIFY_NOTES = ["现场核查属实，同意销号", "经回访群众满意，同意销号"]
CLOSE_NOTES = ["整改成效已巩固，予以关闭", "纳入长效管理，予以关闭"]
EVIDENCE_NOTES = ["整改后现场照片", "完成情况照片"]


def _photo(rng: random.Random) -> bytes:
    """A small JPEG made here: a coloured scene with a few shapes, nobody's real photo."""
    image = Image.new("RGB", (240, 160), (rng.randrange(120, 200), 190, rng.randrange(150, 230)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 110, 240, 160), fill=(110, 110, 110))
    for x in range(20, 240, 60):
        height = rng.randrange(40, 90)
        draw.rectangle((x, 110 - height, x + 35, 110), fill=(rng.randrange(150, 220), 160, 140))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@dataclass
class _People:
    users: dict[str, User]
    handlers: dict[str, User]

    def creator(self, rng: random.Random) -> User:
        return self.users[rng.choice(["clerk", "supervisor"])]

    def signer(self, rng: random.Random) -> User:
        return self.users[rng.choice(["supervisor", "supervisor-2"])]

    def worker(self, unit: Unit) -> User:
        return self.handlers.get(unit.code) or self.users["supervisor"]


def _dates(rng: random.Random, today: date, scenario: str) -> tuple[date, date]:
    if scenario == PLANNED:
        start = today + timedelta(days=rng.randint(3, 10))
        return start, start + timedelta(days=rng.randint(30, 60))
    if scenario in (OVERDUE, OVERDUE_IDLE):
        start = today - timedelta(days=rng.randint(45, 70))
        return start, today - timedelta(days=rng.randint(4, 20))
    if scenario in (DONE, VERIFIED, CLOSED):
        start = today - timedelta(days=rng.randint(50, 75))
        return start, today - timedelta(days=rng.randint(-15, 10))
    if scenario == EXTENDED:
        start = today - timedelta(days=rng.randint(45, 60))
        return start, today - timedelta(days=rng.randint(2, 6))
    start = today - timedelta(days=rng.randint(15, 45))
    return start, today + timedelta(days=rng.randint(10, 45))


def _play(
    rng: random.Random,
    today: date,
    measure: Measure,
    plan: MeasurePlan,
    people: _People,
    created: datetime,
) -> None:
    """Drive one measure through the services to its demo state, each step recorded at the
    moment it is supposed to have happened, then date its bookkeeping to match."""
    worker = people.worker(measure.unit)
    signer = people.signer(rng)
    scenario = plan.scenario
    first, second = rng.choice(MILESTONES)
    span = (measure.deadline - measure.start_date).days
    with as_of(created):
        milestones = [
            commitments.milestone_add(
                measure=measure,
                title=title,
                due_date=measure.start_date + timedelta(days=span * share // 100),
                actor=worker,
            )
            for title, share in ((first, 40), (second, 90))
        ]
    if scenario in (PLANNED, OVERDUE_IDLE):
        return
    finished = scenario in (DONE, VERIFIED, CLOSED)
    progress = {
        WORKING: rng.randrange(20, 75, 5),
        OVERDUE: rng.randrange(30, 70, 5),
        EXTENDED: rng.randrange(55, 80, 5),
        ASKING: rng.randrange(40, 70, 5),
    }.get(scenario, rng.randrange(60, 90, 5))
    # Finished work was finished by its last day; the rest stops short of yesterday.
    done_on = (
        min(measure.deadline - timedelta(days=rng.randint(0, 5)), today - timedelta(days=8))
        if finished
        else today - timedelta(days=1)
    )
    reported_on = max(created.date(), min(measure.start_date + timedelta(days=span // 3), done_on))
    with as_of(max(created, at(reported_on, 14))):
        commitments.measure_update_progress(
            measure=measure, progress=progress, actor=worker, note=rng.choice(PROGRESS_NOTES)
        )
    reached = milestones if finished else milestones[:1]
    for milestone in reached:
        done_at = max(created, at(max(reported_on, min(milestone.due_date, done_on)), 16))
        with as_of(done_at):
            commitments.milestone_complete(milestone=milestone, actor=worker)
    if scenario in (EXTENDED, ASKING):
        old_deadline = measure.deadline
        new_deadline = max(old_deadline, today) + timedelta(days=rng.randint(20, 35))
        asked = max(at(old_deadline - timedelta(days=3), 11), done_at + timedelta(hours=1))
        with as_of(asked):
            commitments.measure_request_extension(
                measure=measure,
                reason=plan.extension_reason,
                new_deadline=new_deadline,
                actor=worker,
            )
        if scenario == EXTENDED:
            approved = asked + timedelta(days=1, hours=4)
            with as_of(approved):
                commitments.measure_approve_extension(
                    measure=measure, actor=signer, note="同意延期"
                )
        return
    if not finished:
        return
    # Done needs every milestone reached (above) and evidence, uploaded before it.
    upload = SimpleUploadedFile("现场照片.jpg", _photo(rng), content_type="image/jpeg")
    with as_of(at(done_on, 16) + timedelta(minutes=30)):
        commitments.evidence_add(
            measure=measure, upload=upload, actor=worker, note=rng.choice(EVIDENCE_NOTES)
        )
    with as_of(at(done_on, 17)):
        commitments.measure_mark_done(measure=measure, actor=worker, note="已按承诺完成")
    if scenario in (VERIFIED, CLOSED):
        with as_of(at(done_on + timedelta(days=rng.randint(2, 4)), 10)):
            commitments.measure_verify(measure=measure, actor=signer, note=rng.choice(VERIFY_NOTES))
    if scenario == CLOSED:
        with as_of(at(done_on + timedelta(days=rng.randint(5, 7)), 10)):
            commitments.measure_close(measure=measure, actor=signer, note=rng.choice(CLOSE_NOTES))


def _linked_cases(rng: random.Random, plan: ProblemPlan) -> list[Case]:
    """A handful of the demo's cases about this problem: its category or its words."""
    match = Q(category__code=plan.category)
    for word in plan.keywords:
        match |= Q(submission__description__contains=word)
    candidates = list(
        Case.objects.filter(submission__external_id__startswith=EXTERNAL_ID_PREFIX)
        .exclude(status=CaseStatus.MERGED)
        .filter(match)
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(3, 7))))
    return list(Case.objects.filter(pk__in=chosen))


def ensure_problems(
    *, seed: int, today: date, users: dict[str, User], units: dict[str, Unit]
) -> tuple[int, int]:
    """Create the demo's prominent problems and their measures; returns how many of each."""
    existing = set(
        Problem.objects.filter(title__in=[p.title for p in PROBLEMS]).values_list(
            "title", flat=True
        )
    )
    handlers: dict[str, User] = {}
    for user in users.values():
        if user.role == Role.HANDLER and user.unit is not None:
            handlers.setdefault(user.unit.code, user)
    people = _People(users, handlers)
    campaigns = {c.code: c for c in Campaign.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    problems = measures = 0
    for index, plan in enumerate(PROBLEMS):
        # One generator per problem, so a problem that exists already shifts none of the rest.
        problem_rng = random.Random(f"{seed}-problem-{index}")
        if plan.title in existing:
            continue
        # The measures' dates first: the problem was listed five days before the earliest.
        dates = [_dates(problem_rng, today, m.scenario) for m in plan.measures]
        listed = at(min([today] + [start for start, _deadline in dates]) - timedelta(days=5), 9)
        with as_of(listed):
            problem = problem_save(
                problem=None,
                actor=people.creator(problem_rng),
                title=plan.title,
                description=plan.description,
                category=categories.get(plan.category),
                lead_unit=units[plan.lead],
                co_units=[units[code] for code in plan.co],
                responsible_official=plan.official,
                campaigns=[campaigns[code] for code in plan.campaigns if code in campaigns],
                cases=_linked_cases(problem_rng, plan),
            )
        problems += 1
        # In the order they were promised, so that each history reads forwards.
        planned = sorted(zip(plan.measures, dates, strict=True), key=lambda pair: pair[1][0])
        for measure_plan, (start, deadline) in planned:
            created = max(listed, at(min(start, today) - timedelta(days=2), 9))
            with as_of(created):
                measure = commitments.measure_create(
                    problem=problem,
                    data=commitments.NewMeasure(
                        title=measure_plan.title,
                        unit=units[measure_plan.unit],
                        start_date=start,
                        deadline=deadline,
                        description=measure_plan.description,
                        weight=measure_plan.weight,
                    ),
                    actor=people.creator(problem_rng),
                )
            _play(problem_rng, today, measure, measure_plan, people, created)
            measures += 1
        Problem.objects.filter(pk=problem.pk).update(created_at=listed)
    return problems, measures
