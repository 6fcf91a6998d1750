"""Text answers and low scores become submissions, once, in the response's transaction."""

from unittest import mock

import pytest

from civicdesk.cases.models import Case
from civicdesk.intake import services as intake_services
from civicdesk.intake.models import Submission
from civicdesk.questionnaires.models import Audience, Response
from civicdesk.questionnaires.responses import response_to_triage
from civicdesk.questionnaires.tests.conftest import (
    CODE_A,
    build_enterprise_questionnaire,
    field,
    questions_by_code,
    web_answers,
)

URL = "/q/yingshang/"
ADVICE = "去年申报的技改补贴至今没有到账，希望加快兑现。"


def test_text_and_low_scores_become_submissions_with_the_enterprise(citizen, survey):
    data = web_answers(
        survey,
        **{field(survey, "Q4"): "2", field(survey, "Q5"): "3", field(survey, "Q6"): ADVICE},
    )
    response = citizen.post(URL, data, follow=True)
    assert response.status_code == 200
    stored = Response.objects.get()
    q = questions_by_code(survey)
    submissions = Submission.objects.select_related("channel", "case").order_by("external_id")
    # Q4 at the threshold (2) and the text; Q5 (3) is above it.
    assert [s.external_id for s in submissions] == sorted(
        [f"q{stored.pk}-{q['Q4'].pk}", f"q{stored.pk}-{q['Q6'].pk}"]
    )
    for submission in submissions:
        assert submission.channel.code == "enterprise_questionnaire"
        assert submission.for_enterprise
        assert submission.enterprise_name == "示范区恒达机械制造有限公司"
        assert submission.enterprise_credit_code == CODE_A
        assert (submission.contact_name, submission.contact_phone) == ("张经理", "13800000001")
        assert submission.received_at == stored.created_at
        assert submission.source_details["questionnaire"] == survey.pk
        assert submission.source_details["response"] == stored.pk
        assert submission.case.status == "received"
    text = submissions.get(source_details__question=q["Q6"].pk)
    assert text.description.startswith(ADVICE)
    assert "营商环境企业问卷" in text.description and "Q6" in text.description
    score = submissions.get(source_details__question=q["Q4"].pk)
    assert "Low score 2 on a scale from 1 to 5 (非常不满意 … 非常满意)" in score.description
    assert "您对区政务服务的总体满意度" in score.description
    # The thank-you page gives the tracking codes to follow them.
    page = response.content.decode()
    assert all(s.case.tracking_code in page for s in submissions)


def test_not_twice(citizen, survey):
    data = web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): ADVICE})
    citizen.post(URL, data)
    assert Submission.objects.count() == 2
    assert response_to_triage(response=Response.objects.get()) == []
    assert Submission.objects.count() == 2 and Case.objects.count() == 2


def test_the_threshold_is_per_questionnaire(clerk, citizen):
    survey = build_enterprise_questionnaire(clerk, low_score_threshold=3)
    citizen.post(URL, web_answers(survey, **{field(survey, "Q4"): "3", field(survey, "Q5"): "4"}))
    assert [s.source_details["question_code"] for s in Submission.objects.all()] == ["Q4"]


def test_citizen_questionnaires_have_their_own_channel(clerk, citizen):
    survey = build_enterprise_questionnaire(
        clerk, audience=Audience.CITIZENS, one_response_per_enterprise=False
    )
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): "小区门口路灯不亮"}))
    assert Submission.objects.get().channel.code == "citizen_questionnaire"


def test_response_and_submissions_are_all_or_nothing(citizen, survey):
    data = web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): ADVICE})
    real = intake_services.submission_create
    calls = []

    def fail_on_second(*, data):
        calls.append(data)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(data=data)

    target = "civicdesk.questionnaires.responses.submission_create"
    with mock.patch(target, side_effect=fail_on_second), pytest.raises(RuntimeError):
        citizen.post(URL, data)
    assert len(calls) == 2
    assert Response.objects.count() == 0
    assert Submission.objects.count() == 0 and Case.objects.count() == 0
