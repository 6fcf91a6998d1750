"""The campaign ledgers and a few confidential reports of the demo district.

Everything goes through ``civicdesk.ledgers.services`` and ``civicdesk.reports.services``, so
each row has its hash-chained history. Rows are keyed so a second load adds nothing:
enterprises by credit code, promises by enterprise and text, backlog cases by case number,
utilities by name, reports by a fixed form token.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from civicdesk.accounts.models import Unit, User
from civicdesk.core.credit_code import make_credit_code
from civicdesk.demo.generator.dates import as_of, at
from civicdesk.ledgers import services as ledgers
from civicdesk.ledgers.models import (
    BacklogCase,
    Disclosure,
    PromiseItem,
    Stage,
    Utility,
    UtilityKind,
)
from civicdesk.reports import services as reports
from civicdesk.reports.models import Report, Setting
from civicdesk.reports.workflow import Action, Ledger

# (name, the 9 characters after the region code; with "91330106" they make 17)
ENTERPRISES = [
    ("示范区恒达精密机械有限公司", "MA2H3K7L0"),
    ("示范区绿源食品科技有限公司", "MA2J8N4P1"),
    ("示范区新航电子元件有限公司", "MA2K5Q2R3"),
    ("示范区顺丰园林工程有限公司", "MA2L1T6U5"),
    ("示范区鑫诚建材贸易有限公司", "MA2M7W9X2"),
    ("示范区康宁医疗器械有限公司", "MA2N4Y3A8"),
    ("示范区锦程物流有限公司", "MA2P9B5C6"),
    ("示范区智联软件有限公司", "MA2Q2D8E4"),
]


def _code(index: int) -> str:
    return make_credit_code("91330106" + ENTERPRISES[index][1])


@dataclass(frozen=True)
class PromisePlan:
    enterprise: int
    promise: str
    unit: str
    promised_days_ago: int
    deadline_days: int  # after the promise
    document: str = ""
    amount: str | None = None
    resolution: str = ""  # resolved when set
    confirmed: bool = False


PROMISES = [
    PromisePlan(0, "兑现2023年度工业企业技术改造补贴", "enterprise-desk", 300, 120,
                "示经信〔2023〕18号", "860000.00"),
    PromisePlan(0, "协调解决新厂房用地规划指标调整", "approval", 420, 180,
                "区长办公会议纪要〔2023〕7号", resolution="规划调整已批复，企业已取得规划许可",
                confirmed=True),
    PromisePlan(1, "兑现招商引资协议约定的设备购置奖励", "enterprise-desk", 380, 90,
                "招商引资协议（2022年）", "450000.00", resolution="奖励资金已全额拨付",
                confirmed=True),
    PromisePlan(1, "协调食品生产许可证延续审查提速", "market", 60, 30,
                resolution="许可证已完成延续审查并换发"),
    PromisePlan(2, "退还多缴的项目履约保证金", "housing", 250, 60, "施工合同补充协议",
                "1280000.00"),
    PromisePlan(2, "协调解决厂区门前道路断头路问题", "enterprise-desk", 200, 240,
                "企业座谈会议纪要"),
    PromisePlan(3, "支付区属公园绿化养护工程尾款", "housing", 520, 90, "绿化养护合同",
                "2360000.00"),
    PromisePlan(3, "结算道路绿化提升工程进度款", "housing", 160, 60, "工程结算审核报告",
                "930000.00", resolution="已支付第一、二期进度款"),
    PromisePlan(4, "兑现“专精特新”企业认定奖励", "enterprise-desk", 150, 60,
                "示经信〔2024〕5号", "300000.00"),
    PromisePlan(5, "协调医疗器械经营许可变更一次办结", "approval", 90, 20,
                resolution="已通过容缺受理办结变更", confirmed=True),
    PromisePlan(5, "落实稳岗返还资金", "hrss", 70, 45, "示人社〔2024〕12号", "68000.00"),
    PromisePlan(6, "协调物流园区临时用电增容", "enterprise-desk", 110, 30,
                "企业服务专员工作记录", resolution="供电公司已完成增容改造", confirmed=True),
    PromisePlan(6, "解决货车通行证办理难问题", "enterprise-desk", 40, 60),
    PromisePlan(7, "兑现软件企业人才公寓配租承诺", "housing", 230, 90, "人才引进协议"),
    PromisePlan(7, "支付政务信息化项目合同款", "approval", 330, 120, "政府采购合同",
                "1750000.00", resolution="合同款已支付", confirmed=True),
]  # fmt: skip

COURTS = ["示范区人民法院", "市中级人民法院", "示范区劳动人事争议仲裁委员会"]

# (case number, court index, enterprise index or None with a name, filed days ago, stage)
BACKLOG = [
    ("（2021）示0106执1523号", 0, 0, None, 1050, Stage.ENFORCEMENT),
    ("（2022）示0106民初2876号", 0, 2, None, 720, Stage.JUDGMENT),
    ("（2023）示01民终1102号", 1, 3, None, 480, Stage.HEARING),
    ("（2023）示0106执3390号", 0, None, "示范区宏远纺织有限公司", 400, Stage.ENFORCEMENT),
    ("（2024）示0106民初981号", 0, 4, None, 300, Stage.HEARING),
    ("示劳人仲案字〔2024〕第156号", 2, 6, None, 220, Stage.HEARING),
    ("（2024）示0106执1877号", 0, 1, None, 160, Stage.ENFORCEMENT),
    ("（2024）示0106民初3345号", 0, None, "示范区佳美装饰工程有限公司", 120, Stage.FILED),
    ("（2024）示0106民初4012号", 0, 7, None, 60, Stage.FILED),
    ("（2024）示01民初233号", 1, 5, None, 35, Stage.FILED),
    ("（2023）示0106民初1460号", 0, 1, None, 540, Stage.CLOSED),
]


@dataclass(frozen=True)
class UtilityPlan:
    name: str
    kind: str
    unit: str
    versions: list[dict[str, str]] = field(default_factory=list)


UTILITIES = [
    UtilityPlan(
        "示范区供电公司",
        UtilityKind.ELECTRICITY,
        "power",
        [
            {
                "service_standards": "居民用电报装不超过5个工作日，低压小微企业不超过15个工作日；"
                "故障抢修城区45分钟内到达现场；计划停电提前7天公告。",
                "procedures": "1. 线上或营业厅提交申请（身份证明、产权证明）；2. 现场勘查；"
                "3. 答复供电方案；4. 装表接电。",
                "fees": "居民及低压小微企业报装不收取任何费用；电价执行省发展改革部门核定标准。",
                "legal_conditions": "依据《电力法》《电力供应与使用条例》《供电营业规则》。"
                "不得指定设计、施工和设备材料供应单位。",
            },
            {
                "service_standards": "居民用电报装不超过3个工作日，低压小微企业不超过10个工作日；"
                "故障抢修城区45分钟内到达现场；计划停电提前7天公告，临时停电提前24小时短信通知。",
                "procedures": "1. 线上“一证办电”提交申请；2. 现场勘查与方案答复合并办理；"
                "3. 装表接电。",
                "fees": "居民及160千瓦以下小微企业报装“零投资”，不收取任何费用。",
                "legal_conditions": "依据《电力法》《电力供应与使用条例》《供电营业规则》。"
                "不得指定设计、施工和设备材料供应单位；违者可向12398热线投诉。",
            },
        ],
    ),
    UtilityPlan(
        "示范区燃气公司",
        UtilityKind.GAS,
        "gas",
        [
            {
                "service_standards": "居民燃气报装具备条件的15个工作日内通气，"
                "小型工商户20个工作日；"
                "燃气泄漏抢险30分钟内到达现场；每年入户安全检查一次。",
                "procedures": "1. 提交报装申请及产权证明；2. 现场踏勘与设计；"
                "3. 签订供用气合同并施工；4. 验收通气。",
                "fees": "居民燃气工程安装费按物价部门核定标准执行，户内部分每户不超过2800元；"
                "气价执行政府定价。",
                "legal_conditions": "依据《城镇燃气管理条例》。用户可自主选择具备资质的施工单位，"
                "燃气企业不得强制指定。",
            },
        ],
    ),
    UtilityPlan(
        "示范区自来水公司",
        UtilityKind.WATER,
        "water",
        [
            {
                "service_standards": "居民用水报装7个工作日内接水；管网抢修2小时内到达现场；"
                "计划停水提前24小时公告；水质每月公开一次。",
                "procedures": "1. 提交申请和产权证明；2. 现场勘查；3. 设计施工；4. 验收装表通水。",
                "fees": "居民生活用水实行阶梯水价，第一阶梯每立方米按核定标准收取；"
                "接水工程费按核定标准执行。",
                "legal_conditions": "依据《城市供水条例》。供水水质须符合《生活饮用水卫生标准》。",
            },
            {
                "service_standards": "居民用水报装5个工作日内接水；管网抢修1.5小时内到达现场；"
                "计划停水提前48小时公告并短信通知；水质每月在门户网站公开。",
                "procedures": "1. 线上或窗口提交申请；2. 勘查与设计一次完成；"
                "3. 施工、验收装表通水。",
                "fees": "居民生活用水实行阶梯水价；小微企业接水工程费减半收取。",
                "legal_conditions": "依据《城市供水条例》。供水水质须符合《生活饮用水卫生标准》；"
                "对服务有异议的可在本页提交“与公开标准不符”的反映。",
            },
        ],
    ),
]


@dataclass
class LedgerCounts:
    promises: int = 0
    backlog: int = 0
    utilities: int = 0
    disclosures: int = 0
    reports: int = 0


def ensure_ledgers(
    *, seed: int, today: date, users: dict[str, User], units: dict[str, Unit]
) -> LedgerCounts:
    rng = random.Random(f"{seed}-ledgers")
    counts = LedgerCounts()
    desk = users["handler-enterprise"]
    clerk = users["clerk"]

    known_promises = set(PromiseItem.objects.values_list("enterprise__credit_code", "promise"))
    for plan in PROMISES:
        name, _suffix = ENTERPRISES[plan.enterprise]
        code = _code(plan.enterprise)
        if (code, plan.promise) in known_promises:
            continue
        promised_on = today - timedelta(days=plan.promised_days_ago)
        with as_of(at(promised_on, 9)):
            item = ledgers.promise_create(
                enterprise_name=name,
                credit_code=code,
                promise=plan.promise,
                promised_on=promised_on,
                document=plan.document,
                amount_owed=Decimal(plan.amount) if plan.amount else None,
                unit=units[plan.unit],
                deadline=promised_on + timedelta(days=plan.deadline_days),
                actor=clerk,
            )
        counts.promises += 1
        if plan.resolution:
            resolved_on = min(item.deadline, today) - timedelta(days=rng.randint(1, 10))
            resolved_on = max(resolved_on, promised_on)
            with as_of(at(resolved_on, 15)):
                ledgers.promise_resolve(
                    item=item, resolution=plan.resolution, resolved_on=resolved_on, actor=desk
                )
            if plan.confirmed:
                confirmed_on = min(today, resolved_on + timedelta(days=rng.randint(2, 7)))
                with as_of(at(confirmed_on, 11)):
                    ledgers.promise_confirm(item=item, confirmed_on=confirmed_on, actor=desk)
        PromiseItem.objects.filter(pk=item.pk).update(created_at=at(promised_on, 9))

    known_cases = set(BacklogCase.objects.values_list("case_number", flat=True))
    for number, court, enterprise, other_name, days_ago, stage in BACKLOG:
        if number in known_cases:
            continue
        filed_on = today - timedelta(days=days_ago)
        closed_on = today - timedelta(days=rng.randint(10, 40)) if stage == Stage.CLOSED else None
        # Entered in the ledger when it closed, or else a week after it was filed.
        entered = closed_on or min(today, filed_on + timedelta(days=7))
        with as_of(at(entered, 10)):
            ledgers.backlog_create(
                case_number=number,
                court_or_agency=COURTS[court],
                enterprise_name=ENTERPRISES[enterprise][0]
                if enterprise is not None
                else other_name,
                credit_code=_code(enterprise) if enterprise is not None else "",
                filed_on=filed_on,
                stage=stage,
                target_close_on=filed_on + timedelta(days=rng.choice([180, 270, 365])),
                closed_on=closed_on,
                unit=units["enterprise-desk"],
                actor=desk,
            )
        counts.backlog += 1

    known_utilities = set(Utility.objects.values_list("name", flat=True))
    for plan in UTILITIES:
        if plan.name in known_utilities or plan.unit not in units:
            continue
        published = [
            at(today - timedelta(days=40 * (len(plan.versions) - number) + rng.randint(0, 10)), 15)
            for number in range(len(plan.versions))
        ]
        with as_of(published[0] - timedelta(hours=1)):
            utility = ledgers.utility_create(
                name=plan.name, kind=plan.kind, unit=units[plan.unit], actor=users["admin"]
            )
        counts.utilities += 1
        for version, published_at in zip(plan.versions, published, strict=True):
            with as_of(published_at):
                disclosure = ledgers.disclosure_publish(
                    utility=utility, actor=users[f"handler-{plan.unit}"], **version
                )
            Disclosure.objects.filter(pk=disclosure.pk).update(published_at=published_at)
            counts.disclosures += 1

    counts.reports = _ensure_reports(rng, today, users, units)
    return counts


@dataclass(frozen=True)
class ReportPlan:
    key: str
    ledger: str
    data: reports.NewReport
    days_ago: int
    filed_by: str | None = None
    steps: tuple[tuple[str, str], ...] = ()


def _report_plans(today: date, units: dict[str, Unit]) -> list[ReportPlan]:
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    return [
        ReportPlan(
            "inaction-1",
            Ledger.INACTION,
            reports.NewReport(
                description="我家楼下化粪池外溢两个多月，先后五次到社区和街道城建科反映，"
                "每次都说“已经上报”，至今没有人来处理，工作人员还说“这事不归我们管”。",
                reported_unit=units["south-street"],
                official_position="街道城建科工作人员",
                occurred_on=day(35),
                place="南苑小区7幢",
                evidence="有五次反映的时间记录和现场照片",
                contact_name="许先生",
                contact_phone="13957112046",
            ),
            33,
            steps=(
                (Action.INVESTIGATE, ""),
                (Action.NOTE, "已约谈街道城建科负责人，要求一周内处置"),
            ),
        ),
        ReportPlan(
            "inaction-2",
            Ledger.INACTION,
            reports.NewReport(
                description="办理不动产登记时，窗口人员以系统故障为由拒绝受理，"
                "但同一时间其他群众可以正常办理，怀疑故意刁难。",
                reported_unit=units["service-center"],
                official_name="某窗口工作人员（工号尾号27）",
                official_position="综合窗口受理员",
                occurred_on=day(12),
                place="政务服务中心二楼",
            ),
            11,
            filed_by="clerk",
        ),
        ReportPlan(
            "intermediary-1",
            Ledger.INTERMEDIARY,
            reports.NewReport(
                description="在政务服务中心门口被一名男子拦下，称可以“包过”食品经营许可，"
                "收费3000元，还说跟里面窗口的人很熟，材料交给他三天就能拿证。",
                setting=Setting.SERVICE_HALL,
                intermediary="自称“老周”的男子，在中心东门停车场附近活动",
                occurred_on=day(20),
                place="政务服务中心东门",
                evidence="有对方名片和微信聊天截图",
            ),
            19,
            steps=(
                (Action.INVESTIGATE, ""),
                (Action.REPLY, "您反映的情况已收悉，我们正在核查，感谢您的监督。"),
            ),
        ),
        ReportPlan(
            "intermediary-2",
            Ledger.INTERMEDIARY,
            reports.NewReport(
                description="消防验收时验收人员暗示找指定的“技术服务公司”整改，"
                "费用比市场价高出一倍，不找他们就一直说不合格。",
                reported_unit=units["housing"],
                setting=Setting.ACCEPTANCE,
                intermediary="某建筑技术服务公司",
                occurred_on=day(45),
                place="锦绣路某商铺",
                contact_name="郑女士",
                contact_email="zheng.demo@example.com",
            ),
            44,
        ),
    ]


def _ensure_reports(
    rng: random.Random, today: date, users: dict[str, User], units: dict[str, Unit]
) -> int:
    created = 0
    for plan in _report_plans(today, units):
        token = uuid.uuid5(uuid.NAMESPACE_URL, f"civicdesk-demo-report:{plan.key}")
        if Report.objects.filter(form_token=token).exists():
            continue
        received = today - timedelta(days=plan.days_ago)
        received_at = at(received, rng.randint(8, 20))
        with as_of(received_at):
            report, _code = reports.report_file(
                ledger=plan.ledger,
                data=plan.data,
                filed_by=users[plan.filed_by] if plan.filed_by else None,
                form_token=token,
            )
        handler = users["supervisor"] if plan.ledger == Ledger.INACTION else users["discipline"]
        # The steps spread evenly between the report's arrival and today.
        gap = timedelta(days=plan.days_ago) / (len(plan.steps) + 1)
        for step, (action, text) in enumerate(plan.steps, start=1):
            with as_of(received_at + step * gap + timedelta(minutes=step)):
                if action == Action.NOTE:
                    reports.report_add_note(report=report, actor=handler, text=text)
                elif action == Action.REPLY:
                    reports.report_reply(report=report, actor=handler, text=text)
                else:
                    reports.report_transition(
                        report=report, action=action, actor=handler, note=text
                    )
        Report.objects.filter(pk=report.pk).update(received_at=received_at)
        created += 1
    return created
