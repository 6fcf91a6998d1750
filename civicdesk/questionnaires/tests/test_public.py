"""The public answer page: validation naming the question, one response per enterprise, login,
double clicks, rate limits and CSRF."""

from django.test import Client

from civicdesk.conftest import login
from civicdesk.intake.models import Submission
from civicdesk.questionnaires.models import Answer, Response, ResponseChannel
from civicdesk.questionnaires.tests.conftest import (
    BAD_CODE,
    CODE_A,
    CODE_B,
    build_enterprise_questionnaire,
    field,
    questions_by_code,
    web_answers,
)

URL = "/q/yingshang/"


def test_a_complete_answer_is_stored_with_every_answer(citizen, survey):
    page = citizen.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "营商环境企业问卷" in body and "非常不满意" in body and 'name="form_token"' in body
    response = citizen.post(URL, web_answers(survey))
    assert response.status_code == 302 and response["Location"] == "/q/yingshang/thanks/"
    stored = Response.objects.get()
    assert stored.version == survey.current_version and stored.channel == ResponseChannel.WEB
    assert (stored.enterprise_name, stored.enterprise_credit_code, stored.enterprise_key) == (
        "示范区恒达机械制造有限公司", CODE_A, CODE_A,
    )  # fmt: skip
    assert (stored.contact_name, stored.contact_phone) == ("张经理", "13800000001")
    assert stored.respondent is None and stored.entered_by is None
    q = questions_by_code(survey)
    answers = Answer.objects.filter(response=stored)
    assert answers.get(question=q["Q2"]).option.label == "民营企业"
    assert sorted(a.option.label for a in answers.filter(question=q["Q3"])) == ["开办企业", "纳税"]
    assert answers.get(question=q["Q4"]).number == 4
    assert not answers.filter(question=q["Q6"]).exists()  # empty text: no answer row
    assert "Thank you" in citizen.get(response["Location"]).content.decode()
    # Scores 4 and 5 and no text: nothing for triage.
    assert Submission.objects.count() == 0


def test_missing_required_answers_are_named(citizen, survey):
    data = web_answers(survey, **{field(survey, "Q2"): None, field(survey, "Q4"): None})
    response = citizen.post(URL, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Q2 “企业类型” needs an answer." in body
    assert "Q4 “您对区政务服务的总体满意度” needs an answer." in body
    assert "Q5" not in body.split('id="answer-errors"')[1].split("</div>")[0]  # optional
    assert Response.objects.count() == 0


def test_invalid_choices_and_scores_are_refused(citizen, survey):
    other_option = questions_by_code(survey)["Q3"].options.first().pk
    for overrides, message in [
        ({field(survey, "Q2"): str(other_option)}, "Q2 “企业类型”: choose from its options."),
        ({field(survey, "Q2"): "999999"}, "Q2 “企业类型”: choose from its options."),
        ({field(survey, "Q3"): ["abc"]}, "Q3 “近一年办理过哪些事项”: choose from its options."),
        (
            {field(survey, "Q4"): "9"},
            "Q4 “您对区政务服务的总体满意度”: choose a score from 1 to 5.",
        ),
        (
            {field(survey, "Q6"): "长" * 5001},
            "Q6 “您对优化营商环境的意见和建议”: write at most 5000",
        ),
    ]:
        response = citizen.post(URL, web_answers(survey, **overrides))
        assert response.status_code == 400, overrides
        assert message in response.content.decode(), message
    assert Response.objects.count() == 0 and Submission.objects.count() == 0


def test_bad_credit_code_is_refused(citizen, survey):
    for code, message in [
        (BAD_CODE, "its last character does not match"),
        ("91330106MA2H0U7E", "has 18 characters; this one has 16"),
        ("91330106MA2H0U7EIO", "digits and capital letters except I, O, S, V and Z"),
    ]:
        data = web_answers(survey, **{field(survey, "Q1", "code"): code})
        response = citizen.post(URL, data)
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body and "Q1 “企业信息”" in body
    data = web_answers(survey, **{field(survey, "Q1", "name"): ""})
    assert (
        "Q1 “企业信息”: give the enterprise&#x27;s name."
        in citizen.post(URL, data).content.decode()
    )
    assert Response.objects.count() == 0


def test_one_response_per_enterprise(citizen, survey):
    assert citizen.post(URL, web_answers(survey)).status_code == 302
    # The same enterprise again, its code typed in lower case, from another browser.
    again = web_answers(survey, **{field(survey, "Q1", "code"): f" {CODE_A.lower()} "})
    response = Client().post(URL, again)
    assert response.status_code == 400
    assert f"An answer from the enterprise with the code {CODE_A} was already received" in (
        response.content.decode()
    )
    other = web_answers(survey, **{field(survey, "Q1", "code"): CODE_B})
    assert Client().post(URL, other).status_code == 302
    assert Response.objects.count() == 2


def test_several_responses_per_enterprise_where_allowed(clerk, citizen):
    survey = build_enterprise_questionnaire(clerk, one_response_per_enterprise=False)
    assert citizen.post(URL, web_answers(survey)).status_code == 302
    assert Client().post(URL, web_answers(survey)).status_code == 302
    assert Response.objects.filter(enterprise_credit_code=CODE_A).count() == 2
    assert set(Response.objects.values_list("enterprise_key", flat=True)) == {""}


def test_a_double_click_stores_one_response(citizen, survey):
    page = citizen.get(URL).content.decode()
    token = page.split('name="form_token" value="')[1].split('"')[0]
    data = web_answers(survey, form_token=token)
    assert citizen.post(URL, data).status_code == 302
    second = citizen.post(URL, data, follow=True)
    assert "already received" in second.content.decode()
    assert Response.objects.count() == 1


def test_login_required(clerk, citizen):
    survey = build_enterprise_questionnaire(clerk, login_required=True)
    response = citizen.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"
    assert citizen.post(URL, web_answers(survey)).status_code == 302
    assert Response.objects.count() == 0
    client = login(clerk)
    assert client.post(URL, web_answers(survey)).status_code == 302
    assert Response.objects.get().respondent == clerk


def test_rate_limited_like_the_other_public_forms(citizen, survey, settings):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "2/h"
    codes = [CODE_A, CODE_B]
    for code in codes:
        data = web_answers(survey, **{field(survey, "Q1", "code"): code})
        assert citizen.post(URL, data).status_code == 302
    response = citizen.post(URL, web_answers(survey))
    assert response.status_code == 429
    assert "Too many answers were sent from your connection" in response.content.decode()
    assert Response.objects.count() == 2


def test_csrf_is_required(survey):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, web_answers(survey)).status_code == 403
    assert Response.objects.count() == 0


def test_unknown_and_draft_questionnaires_are_not_found(citizen, clerk):
    assert citizen.get("/q/nothing-here/").status_code == 404
    build_enterprise_questionnaire(clerk, publish=False)
    assert citizen.get(URL).status_code == 404
    assert citizen.post(URL, {}).status_code == 404
