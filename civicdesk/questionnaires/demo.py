"""The demo district's enterprise business-environment questionnaire (营商环境企业问卷).

Built and answered through the services, so the rows are what the application writes; the
web and paper answers are then dated over the weeks before `now`. A second call adds nothing.
Every enterprise here is invented.
"""

import random
from datetime import datetime, timedelta

from civicdesk.accounts.models import Unit, User
from civicdesk.core.credit_code import CREDIT_CODE_ALPHABET, make_credit_code
from civicdesk.demo.vocabulary import ENTERPRISE_PREFIXES, ENTERPRISE_TRADES
from civicdesk.questionnaires import services
from civicdesk.questionnaires.access import may_build
from civicdesk.questionnaires.models import (
    Audience,
    QuestionKind,
    Questionnaire,
    QuestionnaireEvent,
    QuestionnaireVersion,
    ResponseChannel,
)
from civicdesk.questionnaires.responses import AnswerValue, response_create, version_questions

SLUG = "yingshang-2025"
RESPONSES = 38  # every fifth one typed in from a paper form
DAYS = 35

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]

# (section, [(kind, text, required, options or (min, max, min label, max label))])
STRUCTURE = [
    ("一、企业基本情况", [
        (QuestionKind.ENTERPRISE, "企业信息", True, None),
        (QuestionKind.SINGLE, "企业类型", True, ["国有企业", "民营企业", "外资企业", "个体工商户"]),
        (QuestionKind.SINGLE, "企业规模", True, ["大型", "中型", "小型", "微型"]),
        (QuestionKind.SINGLE, "所属行业", False,
         ["制造业", "批发和零售业", "信息技术服务业", "建筑业", "住宿和餐饮业", "其他"]),
    ]),
    ("二、政务服务评价", [
        (QuestionKind.MULTIPLE, "近一年在我区办理过哪些事项", False,
         ["企业开办", "工程建设项目审批", "不动产登记", "纳税申报", "社保医保", "用水用电用气报装",
          "惠企政策兑现"]),
        (QuestionKind.SCALE, "您对我区政务服务的总体满意度", True,
         (1, 5, "非常不满意", "非常满意")),
        (QuestionKind.SCALE, "办事是否做到“最多跑一次”", True, (1, 5, "完全没有", "完全做到")),
        (QuestionKind.SCALE, "涉企检查是否规范、不扰企", False, (1, 5, "很不规范", "非常规范")),
        (QuestionKind.SCALE, "惠企政策兑现是否及时", False, (1, 5, "很不及时", "非常及时")),
    ]),
    ("三、困难与建议", [
        (QuestionKind.MULTIPLE, "生产经营中遇到的主要困难", False,
         ["融资难融资贵", "招工难", "用地难", "政策不了解", "审批慢", "被拖欠账款", "其他"]),
        (QuestionKind.TEXT, "您对优化营商环境的具体意见和建议", False, None),
    ]),
]  # fmt: skip

ADVICE = [
    "希望进一步压缩工程建设项目审批时间，目前从立项到拿到施工许可仍要三个多月。",
    "去年申报的技改补贴至今没有到账，希望加快兑现。",
    "同一个月内市场监管、消防、环保先后来检查，能否合并成一次“综合查一次”。",
    "园区周边公交线路少，员工上下班不方便。",
    "希望多开展惠企政策宣讲，很多政策企业根本不知道。",
    "办理不动产登记需要的材料，网上公布的和窗口要求的不一致，多跑了一趟。",
    "小微企业贷款门槛高，希望政府帮助对接银行。",
    "用电报装从申请到通电用了一个多月，希望简化流程。",
    "企业开办一网通办很方便，半天就拿到执照，点赞。",
    "招商时承诺的厂房租金优惠一直没有落实。",
]
# Score weights 1…5: mostly content, about one in eight at or below the threshold.
SCORE_WEIGHTS = [4, 8, 16, 38, 34]


def _credit_code(rng: random.Random) -> str:
    body = "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return make_credit_code("91330106" + body)


def _builder(users: dict[str, User]) -> User:
    for name in ("clerk", "admin", "supervisor"):
        if name in users and may_build(users[name]):
            return users[name]
    return next(user for user in users.values() if may_build(user))


def _build(actor: User) -> Questionnaire:
    questionnaire = services.questionnaire_create(
        title="营商环境企业问卷",
        description=(
            "为持续优化我区营商环境，了解企业办事体验和诉求，特开展本次问卷调查。问卷约需5分钟，"
            "所填信息仅用于改进工作。您写下的意见和打出的低分，将转给责任单位办理并答复。"
        ),
        audience=Audience.ENTERPRISES,
        one_response_per_enterprise=True,
        low_score_threshold=2,
        slug=SLUG,
        actor=actor,
    )
    version = questionnaire.draft_version()
    first = version.sections.get()
    for index, (title, questions) in enumerate(STRUCTURE):
        section = services.section_save(
            version=version, section=first if index == 0 else None, title=title, actor=actor
        )
        for kind, text, required, extra in questions:
            fields = {}
            if kind == QuestionKind.SCALE:
                low, high, low_label, high_label = extra
                fields = {
                    "scale_min": low,
                    "scale_max": high,
                    "scale_min_label": low_label,
                    "scale_max_label": high_label,
                }
            elif extra:
                fields = {"options": extra}
            services.question_save(
                section=section, kind=kind, text=text, required=required, actor=actor, **fields
            )
    services.questionnaire_publish(questionnaire=questionnaire, actor=actor)
    questionnaire.refresh_from_db()
    return questionnaire


def _answers(rng: random.Random, questions, name: str, code: str) -> dict[int, AnswerValue]:
    answers = {}
    for question in questions:
        options = list(question.options.all())
        if question.kind == QuestionKind.ENTERPRISE:
            answers[question.pk] = AnswerValue(enterprise_name=name, credit_code=code)
        elif question.kind == QuestionKind.SINGLE:
            if question.required or rng.random() < 0.8:
                weights = [1, 6, 1, 2][: len(options)] + [1] * max(0, len(options) - 4)
                answers[question.pk] = AnswerValue(options=rng.choices(options, weights)[:1])
        elif question.kind == QuestionKind.MULTIPLE:
            if rng.random() < 0.85:
                answers[question.pk] = AnswerValue(options=rng.sample(options, rng.randint(1, 3)))
        elif question.kind == QuestionKind.SCALE:
            if question.required or rng.random() < 0.9:
                score = rng.choices(question.scale_values(), SCORE_WEIGHTS)[0]
                answers[question.pk] = AnswerValue(number=score)
        elif rng.random() < 0.35:
            answers[question.pk] = AnswerValue(text=rng.choice(ADVICE))
    return answers


def ensure_demo_questionnaire(
    *, seed: int, now: datetime, users: dict[str, User], units: dict[str, Unit]
) -> int:
    """Create the questionnaire with a few dozen web and paper responses (and the cases their
    written opinions and low scores open); returns the number of responses created, 0 when
    the questionnaire exists already. `units` is unused: responses reach units by triage."""
    if Questionnaire.objects.filter(slug=SLUG).exists():
        return 0
    rng = random.Random(f"{seed}-questionnaire")
    actor = _builder(users)
    questionnaire = _build(actor)
    version = questionnaire.current_version
    questions = version_questions(version)
    names = rng.sample(
        [f"示范区{p}{t}有限公司" for p in ENTERPRISE_PREFIXES for t in ENTERPRISE_TRADES], RESPONSES
    )
    moments = sorted(now - timedelta(days=rng.uniform(0.5, DAYS - 1)) for _ in names)
    codes: set[str] = set()
    for index, (name, at) in enumerate(zip(names, moments, strict=True)):
        code = _credit_code(rng)
        while code in codes:
            code = _credit_code(rng)
        codes.add(code)
        contact = rng.random() < 0.6
        paper = index % 5 == 4
        response_create(
            version=version,
            answers=_answers(rng, questions, name, code),
            channel=ResponseChannel.PAPER if paper else ResponseChannel.WEB,
            contact_name=f"{rng.choice(SURNAMES)}经理" if contact else "",
            contact_phone=f"139{rng.randint(0, 99_999_999):08d}" if contact else "",
            entered_by=actor if paper else None,
            paper_number=f"YS-2025-{index + 1:03d}" if paper else "",
            filled_on=at.date() if paper else None,
            source_file="营商环境纸质问卷.xlsx" if paper else "",
            at=at,
            questions=questions,
            language="zh-hans",
        )
    # Published before the first answer, as it would have been.
    opened = now - timedelta(days=DAYS)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(created_at=opened)
    QuestionnaireVersion.objects.filter(questionnaire=questionnaire).update(
        created_at=opened, published_at=opened
    )
    QuestionnaireEvent.objects.filter(questionnaire=questionnaire).update(created_at=opened)
    return len(names)
