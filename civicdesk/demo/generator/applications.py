"""The online service hall in the demo district: four matters with their checklists and
processes (企业开办, 食品经营许可 in two versions, before and after its re-engineering, 施工许可
and 社保转移), and a few hundred applications over the last two months.

Every application goes through the hall's services with the clock set to the moment each
step happened (notifications are suppressed by the loader), so histories, step runs, visits
and figures are what the application writes. Some applications miss a material and get the
one-time notice, some are handed in at the window, a few wait far too long at one desk, one
agent files for many applicants and one window keeps refusing a material that the enterprise
desk accepts: the integrity signals have something to show. A second load adds nothing.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.accounts.models import Unit, User
from civicdesk.applications import services, steps, visits
from civicdesk.applications.messages import quiet
from civicdesk.applications.models import Application, MatterVersion
from civicdesk.applications.services import NewApplication
from civicdesk.applications.versions import MaterialRow, StepRow, version_publish
from civicdesk.catalogue.models import ServiceItem
from civicdesk.core.credit_code import make_credit_code

APPLICATIONS = 320
DAYS = 60
# (code, name, English name, responsible unit, legal days, promised days, online, max visits)
ITEMS = [
    ("food-license", "食品经营许可", "Food business licence", "market", 20, 10, "application", 0),
    (
        "construction-permit",
        "建筑工程施工许可",
        "Construction permit",
        "housing",
        20,
        15,
        "application",
        1,
    ),
    (
        "social-security-transfer",
        "社会保险关系转移",
        "Transferring social insurance",
        "hrss",
        15,
        10,
        "application",
        0,
    ),
]
ENTERPRISE_NAMES = [
    "杭州味道餐饮有限公司",
    "示范区鲜果汇超市",
    "城东面馆",
    "禾木烘焙工作室",
    "老街小吃店",
    "绿野农产品有限公司",
    "江南食府",
    "邻里便利店",
    "晨光早餐店",
    "和顺茶饮",
    "示范区建工集团",
    "宏达建设有限公司",
    "恒信置业有限公司",
    "锦绣家园开发公司",
    "新城科技有限公司",
    "云帆网络科技有限公司",
    "东方印务有限公司",
    "百川物流有限公司",
    "瑞丰贸易有限公司",
    "青禾教育咨询",
]
CITIZEN_NAMES = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周涛", "吴霞"]
REFUSAL = "法定代表人身份证明"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo material\n", content_type="application/pdf")


@contextmanager
def _at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _versions(
    users: dict[str, User], units: dict[str, Unit], now: datetime, *, days: int = DAYS
) -> dict:
    """The matters' versions, created once (a second load finds them), dated back `days`."""
    admin = users["admin"]
    for code, name, name_en, unit, legal, promised, online, visits_ in ITEMS:
        ServiceItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "responsible_unit": units[unit],
                "legal_days": legal,
                "promised_days": promised,
                "online": online,
                "max_visits": visits_,
            },
        )
    items = {
        item.code: item
        for item in ServiceItem.objects.filter(
            code__in=["enterprise-startup", *[row[0] for row in ITEMS]]
        )
    }
    if MatterVersion.objects.filter(item__in=items.values()).exists():
        return {
            version.item.code + (f"@{version.number}"): version
            for version in MatterVersion.objects.filter(item__in=items.values())
        }
    window, desk = units["service-center"], units["enterprise-desk"]
    food_materials = [
        MaterialRow("食品经营许可申请书", "required"),
        MaterialRow("营业执照", "required"),
        MaterialRow(REFUSAL, "required"),
        MaterialRow("食品安全管理制度", "required"),
        MaterialRow("从业人员健康证明", "deferrable", 5),
        MaterialRow("经营场所平面图", "optional"),
    ]
    published = {}
    with _at(now - timedelta(days=days + 5)):
        published["enterprise-startup@1"] = version_publish(
            actor=admin,
            item=items["enterprise-startup"],
            time_limit_days=1,
            note="一网通办，一日办结",
            materials=[
                MaterialRow("公司登记（备案）申请书", "required"),
                MaterialRow("公司章程", "required"),
                MaterialRow("股东主体资格证明", "required"),
                MaterialRow(REFUSAL, "required"),
                MaterialRow("住所使用证明", "optional"),
            ],
            steps=[
                StepRow("accept", "handler", desk, 0, True),
                StepRow("review", "handler", units["market"], 1, True),
                StepRow("issue", "handler", desk, 0, True, "电子营业执照发放"),
            ],
        )
        published["food-license@1"] = version_publish(
            actor=admin,
            item=items["food-license"],
            time_limit_days=15,
            note="首版流程",
            materials=food_materials,
            steps=[
                StepRow("accept", "clerk", window, 1, True),
                StepRow("review", "handler", units["market"], 6, True),
                StepRow("inspect", "handler", units["market"], 4, False),
                StepRow("approve", "handler", units["approval"], 3, True),
                StepRow("issue", "clerk", window, 1, True),
            ],
        )
        published["construction-permit@1"] = version_publish(
            actor=admin,
            item=items["construction-permit"],
            time_limit_days=15,
            materials=[
                MaterialRow("建筑工程施工许可申请表", "required"),
                MaterialRow("建设工程规划许可证", "required"),
                MaterialRow("施工图审查合格书", "required"),
                MaterialRow("中标通知书及施工合同", "required"),
                MaterialRow("安全生产条件证明", "deferrable", 10),
            ],
            steps=[
                StepRow("accept", "clerk", window, 1, True),
                StepRow("review", "handler", units["housing"], 6, True),
                StepRow("inspect", "handler", units["housing"], 4, False),
                StepRow("approve", "handler", units["approval"], 2, True),
                StepRow("issue", "clerk", window, 1, True),
            ],
        )
        published["social-security-transfer@1"] = version_publish(
            actor=admin,
            item=items["social-security-transfer"],
            time_limit_days=10,
            materials=[
                MaterialRow("社会保险关系转移申请表", "required"),
                MaterialRow("居民身份证", "required"),
                MaterialRow("参保缴费凭证", "required"),
            ],
            steps=[
                StepRow("accept", "clerk", window, 1, True),
                StepRow("review", "handler", units["hrss"], 7, True),
                StepRow("issue", "handler", units["hrss"], 1, True),
            ],
        )
    # The food licence re-engineered half-way: review and approval merged, inspection shorter.
    with _at(now - timedelta(days=days // 2)):
        published["food-license@2"] = version_publish(
            actor=admin,
            item=items["food-license"],
            time_limit_days=10,
            note="审批合一：审查与审批合并，现场核查压缩至3个工作日",
            materials=food_materials,
            steps=[
                StepRow("accept", "clerk", window, 1, True),
                StepRow("review", "handler", units["market"], 5, True, "审查与审批"),
                StepRow("inspect", "handler", units["market"], 3, False),
                StepRow("issue", "clerk", window, 1, True),
            ],
        )
    return published


@dataclass
class Plan:
    version: MatterVersion
    start: datetime
    window: bool = False
    missing: str | None = None
    late: bool = False
    refuse_material: bool = False
    agent: bool = False
    finish: str = "issue"  # issue, refuse, withdraw, open, stuck
    kiosk: bool = False
    speed: float = 1.0


def _actor(step, users: dict[str, User]) -> User:
    """The demo member of staff who works this step."""
    for user in users.values():
        if user.role == step.role and user.unit_id is not None and user.unit.path == step.unit.path:
            return user
    raise LookupError(step)


def _data(rng: random.Random, plan: Plan, index: int) -> NewApplication:
    citizen = plan.version.item.code == "social-security-transfer"
    phone = f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}"
    files = {
        m.pk: _pdf(f"{m.pk}.pdf")
        for m in plan.version.materials.all()
        if m.kind != "optional"
        and m.name != plan.missing
        and (m.kind == "required" or rng.random() < 0.7)
    }
    if citizen:
        return NewApplication(
            applicant_type="citizen",
            applicant_name=rng.choice(CITIZEN_NAMES),
            contact_phone=phone,
            files=files,
            language="zh-hans",
        )
    name = rng.choice(ENTERPRISE_NAMES)
    return NewApplication(
        applicant_type="enterprise",
        applicant_name=f"{name}{'' if index % 3 else '（分店）'}",
        credit_code=make_credit_code(f"913301{index:011d}"),
        contact_phone=phone,
        agent_name="张代办" if plan.agent else "",
        agent_phone="139 5555 0001" if plan.agent else "",
        files=files,
        language="zh-hans",
    )


def _hours(rng: random.Random, step, speed: float) -> float:
    """How long a step took: around a third of its time limit, sometimes much longer."""
    limit_hours = max(step.time_limit_days, 0.25) * 24
    return max(0.3, rng.lognormvariate(0, 0.6) * limit_hours * 0.3 * speed)


def _live(rng: random.Random, plan: Plan, index: int, users: dict[str, User], now: datetime):
    version = plan.version
    first = version.first_step
    clerk = _actor(first, users)
    at = plan.start
    with _at(at):
        application = services.application_submit(
            version=version,
            data=_data(rng, plan, index),
            actor=clerk if plan.window else None,
        )
    at += timedelta(hours=rng.uniform(0.3, 6))
    with _at(at):
        steps.step_take(application=application, actor=clerk)
        for line in application.materials.filter(state="provided").select_related("requirement"):
            refuse = plan.refuse_material and line.requirement.name == REFUSAL
            services.material_check(
                application=application,
                material=line,
                actor=clerk,
                accept=not refuse,
                problem="要求提供原件，复印件不予受理" if refuse else "",
            )
    missing = plan.missing is not None or plan.refuse_material
    if missing:
        with _at(at + timedelta(minutes=5)):
            services.notice_send(application=application, actor=clerk)
        at += timedelta(hours=rng.uniform(8, 72))
        if at >= now:
            return  # still waiting for the applicant
        if plan.finish == "withdraw":
            with _at(at):
                steps.application_withdraw(application=application, reason="暂不办理")
            return
        with _at(at):
            for line in application.materials.filter(state="requested"):
                services.material_supply(
                    application=application,
                    material=line,
                    upload=_pdf("补正.pdf"),
                    actor=clerk if plan.kiosk else None,
                )
            if plan.kiosk:
                visits.visit_record(application=application, actor=clerk, kind="kiosk")
        at += timedelta(hours=rng.uniform(0.5, 4))
        with _at(at):
            for line in application.materials.filter(state="provided"):
                services.material_check(
                    application=application, material=line, actor=clerk, accept=True
                )
    if plan.late:
        # A supervisor asks for a material that was not on the first notice.
        supervisor = users["supervisor"]
        line = (
            application.materials.exclude(on_first_notice=True)
            .filter(state="accepted", requirement__kind="required")
            .first()
        )
        if line is not None:
            with _at(at + timedelta(minutes=20)):
                services.material_check(
                    application=application,
                    material=line,
                    actor=clerk,
                    accept=False,
                    problem="签章不清晰",
                )
                services.notice_send(
                    application=application,
                    actor=supervisor,
                    reason="复核发现申请书签章不清晰，需重新提交",
                )
            at += timedelta(hours=rng.uniform(6, 30))
            if at >= now:
                return
            with _at(at):
                services.material_supply(
                    application=application, material=line, upload=_pdf("x.pdf")
                )
                services.material_check(
                    application=application, material=line, actor=clerk, accept=True
                )
    if plan.finish == "refuse" and not missing:
        with _at(at + timedelta(hours=1)):
            steps.application_refuse(
                application=application, actor=clerk, reason="经营场所不符合食品安全要求"
            )
        return
    at += timedelta(minutes=rng.uniform(5, 60))
    if at >= now:
        return
    with _at(at):
        application = steps.application_accept(application=application, actor=clerk)
    while application.status == "in_progress":
        step = application.step
        worker = _actor(step, users)
        queue = timedelta(hours=rng.uniform(0.2, 10) * plan.speed)
        handle = timedelta(hours=_hours(rng, step, plan.speed))
        if plan.finish == "stuck" and step.kind == "review":
            taken = now - timedelta(days=rng.uniform(9, 14))
            with _at(max(taken, at + timedelta(minutes=1))):
                steps.step_take(application=application, actor=worker)
            return
        if at + queue >= now:
            return
        with _at(at + queue):
            steps.step_take(application=application, actor=worker)
        at = at + queue + handle
        if at >= now:
            return
        for line in application.materials.filter(state="deferred"):
            with _at(at - timedelta(minutes=30)):
                services.material_supply(
                    application=application, material=line, upload=_pdf("d.pdf")
                )
                services.material_check(
                    application=application, material=line, actor=clerk, accept=True
                )
        with _at(at):
            application = steps.step_complete(application=application, actor=worker)
    if plan.window and application.status == "issued" and rng.random() < 0.5:
        # Picking the licence up at the window: a second trip unless it was the same day.
        with _at(min(now, at + timedelta(hours=rng.uniform(1, 48)))):
            visits.visit_record(application=application, actor=clerk, kind="window")


def _plans(rng: random.Random, versions: dict, now: datetime) -> list[Plan]:
    food_old, food_new = versions["food-license@1"], versions["food-license@2"]
    switch = food_new.created_at
    plans = []
    for index in range(APPLICATIONS):
        start = now - timedelta(days=DAYS * (1 - index / APPLICATIONS), hours=rng.uniform(0, 8))
        start = start.replace(hour=rng.randint(8, 16))
        matter = rng.choices(["food", "startup", "construction", "social"], [5, 3, 2, 2])[0]
        if matter == "food":
            version = food_new if start >= switch else food_old
        else:
            version = versions[
                {
                    "startup": "enterprise-startup@1",
                    "construction": "construction-permit@1",
                    "social": "social-security-transfer@1",
                }[matter]
            ]
        required = [m.name for m in version.materials.all() if m.kind == "required"]
        plan = Plan(version=version, start=start)
        plan.window = rng.random() < (0.35 if matter in {"construction", "social"} else 0.12)
        if rng.random() < 0.22:
            plan.missing = rng.choice(required[1:])
        plan.kiosk = plan.missing is not None and rng.random() < 0.25
        plan.speed = 1.5 if version is food_old else (0.6 if version is food_new else 1.0)
        roll = rng.random()
        if roll < 0.04:
            plan.finish = "refuse"
        elif roll < 0.07 and plan.missing:
            plan.finish = "withdraw"
        plans.append(plan)
    # The patterns the integrity signals look for.
    food_plans = [p for p in plans if p.version is food_new and p.finish == "issue"]
    for plan in food_plans[:5]:
        plan.agent = True
    for plan in food_plans[5:10]:
        plan.refuse_material = True
    for plan in food_plans[10:14]:
        plan.late = True
        plan.missing = "食品安全管理制度"
    recent = [p for p in plans if p.version is food_new and now - p.start < timedelta(days=20)]
    for plan in recent[-25:-22]:
        plan.finish = "stuck"
        plan.missing = None
    return plans


def ensure_applications(
    *, seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> int:
    """Create the hall's matters and applications once; returns how many were created."""
    versions = _versions(users, units, now)
    if Application.objects.filter(item__code__in=[row[0] for row in ITEMS]).exists():
        return 0
    rng = random.Random(seed + 18)
    created = 0
    with quiet():
        for index, plan in enumerate(_plans(rng, versions, now)):
            _live(rng, plan, index, users, now)
            created += 1
    return created
