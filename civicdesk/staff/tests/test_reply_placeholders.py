"""A reply template's blanks ("……", "XX", "{姓名}"…) left in an answer: refused by the answering
service, so the staff page and the API both refuse it, naming the blank; nothing is saved."""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.models import ReplyTemplate
from civicdesk.cases.replies import placeholders_in, unfilled_placeholders
from civicdesk.cases.services import CaseActionError, case_answer
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login

from .conftest import case_url, errors_of, snapshot

pytestmark = pytest.mark.django_db

TEMPLATE = "您好！您反映的问题已收悉。经有关单位核实处理，……。感谢您对我们工作的支持！"


@pytest.fixture
def template(units):
    return ReplyTemplate.objects.create(unit=None, title="办结答复", body=TEMPLATE)


def test_the_staff_page_refuses_a_template_sent_unchanged(handler, assigned, template, citizen):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(
        case_url(case, "answer"), {"answer-template": template.pk, "answer-text": TEMPLATE}
    )

    assert response.status_code == 409
    assert "placeholder “……”" in errors_of(response, "answer")
    assert "placeholder “……”" in response.content.decode()
    assert snapshot(case) == before  # no answer, no event, no message
    assert TEMPLATE not in citizen.get(f"/track/{case.tracking_code}/").content.decode()


def test_the_api_refuses_it_too(handler, assigned, template):
    case = assigned("urban")
    _, raw = ApiToken.issue(user=handler, name="test")

    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        f"/api/v1/cases/{case.pk}/reply", {"text": TEMPLATE}, content_type="application/json"
    )

    assert response.status_code == 409
    assert "“……”" in response.json()["detail"]
    case.refresh_from_db()
    assert (case.status, case.answer) == (Status.ASSIGNED, "")


def test_the_refusal_is_translated(handler, assigned, template, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    case = assigned("urban")

    response = login(handler).post(
        case_url(case, "answer"),
        {"answer-text": TEMPLATE},
        headers={"Accept-Language": "zh-Hans"},
    )

    assert response.status_code == 409
    assert "占位符“……”" in errors_of(response, "answer")


def test_a_filled_in_template_is_published(handler, assigned, template):
    case = assigned("urban")
    filled = TEMPLATE.replace("……", "已于3月5日更换损坏灯具")

    response = login(handler).post(case_url(case, "answer"), {"answer-text": filled})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.answer) == (Status.ANSWERED, filled)


def test_every_blank_of_any_template_is_named(handler, assigned, template, units):
    ReplyTemplate.objects.create(
        unit=units["market"], title="约谈", body="XX街道已于____约谈{商户名称}。", is_active=False
    )
    case = assigned("urban")

    with pytest.raises(CaseActionError) as refused:
        case_answer(case=case, actor=handler, text="XX街道已约谈{商户名称}，____前整改……")

    assert "“XX” “{商户名称}” “____” “……”" in str(refused.value)


def test_marks_that_no_template_uses_as_a_blank_stay_allowed(handler, assigned):
    ReplyTemplate.objects.create(title="已收悉", body="您好！您反映的问题已收悉。")
    case = assigned("urban")
    quoted = "根据《条例》规定：“……农村村民一户只能拥有一处宅基地”，贺XX老师的申请不予受理。"

    answered = case_answer(case=case, actor=handler, text=quoted)

    assert answered.answer == quoted


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (TEMPLATE, ["……"]),
        ("XX街道XX社区已处理", ["XX"]),
        ("××同志：……", ["××", "……"]),
        ("于____前完成，负责人：＿＿", ["____", "＿＿"]),
        ("尊敬的{姓名}，您于{{ date }}反映的", ["{姓名}", "{{ date }}"]),
        ("【请填写处理结果】。○○社区", ["【请填写处理结果】", "○○"]),
        ("您好...谢谢", ["..."]),
        ("【温馨提示】Linux XXL 3.5 ＊ 您好！", []),
    ],
)
def test_placeholders_in_a_template(body, found):
    assert placeholders_in(body) == found


def test_unfilled_placeholders_names_each_mark_as_the_answer_has_it():
    assert unfilled_placeholders("已处理………", ["经核实，……。"]) == ["………"]
    assert unfilled_placeholders("已处理…，XXX", ["经核实，……。XX路"]) == ["XXX"]
    assert unfilled_placeholders("尊敬的{姓名}", ["尊敬的{name}"]) == []
    assert unfilled_placeholders("已处理", ["……"]) == []
    assert unfilled_placeholders("……", []) == []
