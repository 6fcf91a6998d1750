"""A published enterprise questionnaire like the district's 营商环境 survey, built through the
services, with helpers to answer it and to build workbooks in memory."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.core.credit_code import make_credit_code
from civicdesk.questionnaires import services
from civicdesk.questionnaires.models import QuestionKind, Questionnaire

CODE_A = make_credit_code("91330106MA2H0U7E1")
CODE_B = make_credit_code("91330106MA2H0U7E2")
CODE_C = make_credit_code("92330106MA2H0U7E3")
CODE_D = make_credit_code("91330106MA2H0U7E4")
# CODE_A with its check character changed: a typo.
BAD_CODE = CODE_A[:-1] + ("1" if CODE_A[-1] != "1" else "2")

KINDS = ["国有企业", "民营企业", "外资企业", "个体工商户"]
MATTERS = ["开办企业", "工程建设项目审批", "纳税", "获得信贷", "跨境贸易"]


def build_enterprise_questionnaire(actor, *, publish: bool = True, **settings) -> Questionnaire:
    options = {"one_response_per_enterprise": True, "low_score_threshold": 2} | settings
    questionnaire = services.questionnaire_create(
        title="营商环境企业问卷",
        description="为持续优化营商环境，请贵企业如实填写。",
        slug="yingshang",
        actor=actor,
        **options,
    )
    version = questionnaire.draft_version()
    basics = version.sections.get()
    services.section_save(version=version, section=basics, title="企业基本情况", actor=actor)
    rating = services.section_save(version=version, title="满意度评价", actor=actor)
    advice = services.section_save(version=version, title="意见建议", actor=actor)
    add = services.question_save
    add(section=basics, kind=QuestionKind.ENTERPRISE, text="企业信息", required=True, actor=actor)
    add(section=basics, kind=QuestionKind.SINGLE, text="企业类型", required=True, options=KINDS,
        actor=actor)  # fmt: skip
    add(section=basics, kind=QuestionKind.MULTIPLE, text="近一年办理过哪些事项", options=MATTERS,
        actor=actor)  # fmt: skip
    add(section=rating, kind=QuestionKind.SCALE, text="您对区政务服务的总体满意度",
        required=True, scale_min=1, scale_max=5, scale_min_label="非常不满意",
        scale_max_label="非常满意", actor=actor)  # fmt: skip
    add(section=rating, kind=QuestionKind.SCALE, text="涉企检查是否规范", scale_min=1,
        scale_max=5, actor=actor)  # fmt: skip
    add(section=advice, kind=QuestionKind.TEXT, text="您对优化营商环境的意见和建议",
        actor=actor)  # fmt: skip
    if publish:
        services.questionnaire_publish(questionnaire=questionnaire, actor=actor)
    questionnaire.refresh_from_db()
    return questionnaire


@pytest.fixture
def survey(clerk) -> Questionnaire:
    return build_enterprise_questionnaire(clerk)


def questions_by_code(questionnaire: Questionnaire) -> dict:
    questionnaire.refresh_from_db()
    version = questionnaire.current_version
    return {q.code: q for q in version.ordered_questions()}


def web_answers(questionnaire: Questionnaire, **overrides) -> dict:
    """POST data of a complete, valid web answer; overrides by field name (None drops one)."""
    q = questions_by_code(questionnaire)
    option = {o.label: str(o.pk) for code in ("Q2", "Q3") for o in q[code].options.all()}
    data = {
        f"q{q['Q1'].pk}_name": "示范区恒达机械制造有限公司",
        f"q{q['Q1'].pk}_code": CODE_A,
        f"q{q['Q2'].pk}": option["民营企业"],
        f"q{q['Q3'].pk}": [option["开办企业"], option["纳税"]],
        f"q{q['Q4'].pk}": "4",
        f"q{q['Q5'].pk}": "5",
        f"q{q['Q6'].pk}": "",
        "contact_name": "张经理",
        "contact_phone": "13800000001",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def field(questionnaire: Questionnaire, code: str, part: str = "") -> str:
    q = questions_by_code(questionnaire)[code]
    return f"q{q.pk}{'_' + part if part else ''}"


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "纸质问卷.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def read_xlsx(content: bytes, sheet: int = 0) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]
