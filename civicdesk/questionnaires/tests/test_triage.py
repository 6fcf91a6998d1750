"""A response's concerns go on as ONE submission (one case, one tracking code), praise opens
no case, answers the reading cannot place wait for staff, and allegations of misconduct are
filed as confidential reports; all in the response's transaction, and once."""

import re
from unittest import mock

import pytest

from civicdesk.cases.models import Case
from civicdesk.conftest import login
from civicdesk.intake import services as intake_services
from civicdesk.intake.models import Submission
from civicdesk.questionnaires.concerns import response_to_triage
from civicdesk.questionnaires.models import Audience, EventAction, Outcome, Response
from civicdesk.questionnaires.tests.conftest import (
    CODE_A,
    build_enterprise_questionnaire,
    field,
    questions_by_code,
    web_answers,
)
from civicdesk.reports.models import Report
from civicdesk.reports.workflow import Ledger

URL = "/q/yingshang/"
ADVICE = "去年申报的技改补贴至今没有到账，希望加快兑现。"
PRAISE = "企业开办一网通办很方便，半天就拿到执照，点赞。"
UNSURE = "园区那条路的事。"


def outcomes(response: Response) -> dict[str, str]:
    return {a.question.code: a.outcome for a in response.answers.select_related("question")}


def test_one_response_makes_one_submission_holding_all_its_concerns(citizen, survey):
    data = web_answers(
        survey,
        **{field(survey, "Q4"): "2", field(survey, "Q5"): "1", field(survey, "Q6"): ADVICE},
    )
    page = citizen.post(URL, data, follow=True)
    assert page.status_code == 200
    stored = Response.objects.get()
    submission = Submission.objects.select_related("channel", "case").get()
    assert Case.objects.count() == 1
    assert stored.submission == submission
    assert submission.external_id == f"q{stored.pk}"
    assert submission.channel.code == "enterprise_questionnaire"
    assert submission.for_enterprise and submission.enterprise_credit_code == CODE_A
    assert submission.enterprise_name == "示范区恒达机械制造有限公司"
    assert (submission.contact_name, submission.contact_phone) == ("张经理", "13800000001")
    assert submission.received_at == stored.created_at
    assert submission.source_details["questions"] == ["Q4", "Q5", "Q6"]
    assert submission.source_details["response"] == stored.pk
    text = submission.description
    assert "Low score 2 on a scale from 1 to 5 (非常不满意 … 非常满意)" in text
    assert "您对区政务服务的总体满意度" in text and "涉企检查是否规范" in text
    assert ADVICE in text and "营商环境企业问卷" in text
    assert outcomes(stored) | {"Q1": "", "Q2": "", "Q3": ""} == {
        "Q1": "", "Q2": "", "Q3": "", "Q4": Outcome.CASE, "Q5": Outcome.CASE, "Q6": Outcome.CASE,
    }  # fmt: skip
    # One tracking code for the respondent.
    assert page.content.decode().count(submission.case.tracking_code) == 1


def test_praise_opens_no_case(citizen, survey):
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): PRAISE}))
    stored = Response.objects.get()
    assert Submission.objects.count() == 0 and Case.objects.count() == 0
    assert outcomes(stored)["Q6"] == Outcome.PRAISE and stored.submission is None


def test_nothing_said_opens_no_case(citizen, survey):
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): "无"}))
    assert Submission.objects.count() == 0
    assert outcomes(Response.objects.get())["Q6"] == Outcome.NOTHING


def test_praise_next_to_a_low_score_stays_out_of_the_case(citizen, survey):
    citizen.post(
        URL, web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): PRAISE})
    )
    submission = Submission.objects.get()
    assert submission.source_details["questions"] == ["Q4"]
    assert PRAISE not in submission.description


def test_an_unplaced_answer_joins_the_case_of_a_response_with_concerns(citizen, survey):
    citizen.post(
        URL, web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): UNSURE})
    )
    assert Submission.objects.get().source_details["questions"] == ["Q4", "Q6"]
    assert outcomes(Response.objects.get())["Q6"] == Outcome.CASE


def test_staff_open_a_case_for_an_unplaced_answer(clerk, citizen, survey):
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): UNSURE}))
    stored = Response.objects.get()
    assert Submission.objects.count() == 0 and outcomes(stored)["Q6"] == Outcome.TO_CONFIRM
    staff = login(clerk)
    detail = staff.get(f"/staff/questionnaires/{survey.pk}/").content.decode()
    assert re.search(r'id="to-confirm-link"[^>]*>1 response to confirm<', detail)
    queue = staff.get(f"/staff/questionnaires/{survey.pk}/to-confirm/")
    assert queue.status_code == 200 and UNSURE in queue.content.decode()
    opened = staff.post(f"/staff/questionnaires/{survey.pk}/to-confirm/{stored.pk}/open-case/")
    assert opened.status_code == 302
    stored.refresh_from_db()
    submission = Submission.objects.get()
    assert stored.submission == submission and UNSURE in submission.description
    assert outcomes(stored)["Q6"] == Outcome.CASE
    event = survey.events.get(action=EventAction.CONFIRM_CASE)
    assert event.actor == clerk and event.data["case"] == submission.case.tracking_code
    queue = staff.get(f"/staff/questionnaires/{survey.pk}/to-confirm/").content.decode()
    assert 'id="nothing-to-confirm"' in queue
    # Deciding twice changes nothing.
    staff.post(f"/staff/questionnaires/{survey.pk}/to-confirm/{stored.pk}/open-case/")
    assert Submission.objects.count() == 1


def test_staff_confirm_no_case_and_leaders_may_only_look(clerk, leader, citizen, survey):
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): UNSURE}))
    stored = Response.objects.get()
    url = f"/staff/questionnaires/{survey.pk}/to-confirm/{stored.pk}/no-case/"
    assert login(leader).get(f"/staff/questionnaires/{survey.pk}/to-confirm/").status_code == 200
    assert login(leader).post(url).status_code == 404
    assert outcomes(stored)["Q6"] == Outcome.TO_CONFIRM
    assert login(clerk).post(url).status_code == 302
    assert outcomes(stored)["Q6"] == Outcome.NO_CASE and Submission.objects.count() == 0
    assert survey.events.get(action=EventAction.CONFIRM_NO_CASE).data["questions"] == ["Q6"]


def test_an_allegation_is_a_confidential_report_and_the_rest_one_case(citizen, clerk, survey):
    allegation = "审批窗口工作人员让我去找门口的中介代办，说不找中介办不成。"
    data = web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): allegation})
    page = citizen.post(URL, data)
    assert page.status_code == 201  # the follow-up code is on this page only
    report = Report.objects.get()
    assert report.ledger == Ledger.INTERMEDIARY and report.channel == "enterprise_questionnaire"
    assert allegation in report.description
    body = page.content.decode()
    assert 'id="followup-codes"' in body and page["Cache-Control"] == "no-store, private"
    # The low score is an ordinary case; the allegation is not in it.
    submission = Submission.objects.get()
    assert submission.source_details["questions"] == ["Q4"]
    assert allegation not in submission.description
    stored = Response.objects.get()
    assert outcomes(stored)["Q6"] == Outcome.CONFIDENTIAL
    # Questionnaire staff do not read it in the results.
    results = login(clerk).get(f"/staff/questionnaires/{survey.pk}/results/").content.decode()
    assert allegation not in results


def test_not_twice(citizen, survey):
    data = web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): ADVICE})
    citizen.post(URL, data)
    assert response_to_triage(response=Response.objects.get()).case is None
    assert Submission.objects.count() == 1 and Case.objects.count() == 1


def test_the_threshold_is_per_questionnaire(clerk, citizen):
    survey = build_enterprise_questionnaire(clerk, low_score_threshold=3)
    citizen.post(URL, web_answers(survey, **{field(survey, "Q4"): "3", field(survey, "Q5"): "4"}))
    assert Submission.objects.get().source_details["questions"] == ["Q4"]


def test_citizen_questionnaires_have_their_own_channel(clerk, citizen):
    survey = build_enterprise_questionnaire(
        clerk, audience=Audience.CITIZENS, one_response_per_enterprise=False
    )
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): "小区门口路灯不亮"}))
    assert Submission.objects.get().channel.code == "citizen_questionnaire"


def test_response_and_its_case_are_all_or_nothing(citizen, survey):
    data = web_answers(survey, **{field(survey, "Q4"): "1", field(survey, "Q6"): ADVICE})
    target = "civicdesk.questionnaires.concerns.receive"
    with (
        mock.patch(target, side_effect=RuntimeError("database went away")),
        pytest.raises(RuntimeError),
    ):
        citizen.post(URL, data)
    assert Response.objects.count() == 0
    assert Submission.objects.count() == 0 and Case.objects.count() == 0


def test_questions_are_named_in_the_case(citizen, survey):
    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): ADVICE}))
    q = questions_by_code(survey)
    assert f"Q6 {q['Q6'].text}" in Submission.objects.get().description
    assert intake_services.Received  # the one entry point the questionnaire goes through


def test_the_api_lists_and_decides_answers_waiting_for_staff(clerk, leader, citizen, survey):
    from civicdesk.accounts.models import ApiToken

    def api(user):
        raw = ApiToken.issue(user=user, name="test")[1]
        return {"headers": {"Authorization": f"Bearer {raw}"}}

    def act(url, user):
        return citizen.post(url, {}, content_type="application/json", **api(user))

    citizen.post(URL, web_answers(survey, **{field(survey, "Q6"): UNSURE}))
    stored = Response.objects.get()
    base = f"/api/v1/questionnaires/{survey.pk}/to-confirm"
    listed = citizen.get(base, **api(leader))
    assert listed.status_code == 200
    [waiting] = listed.json()
    assert waiting["response_id"] == stored.pk
    assert waiting["answers"] == [
        {"question_code": "Q6", "question": questions_by_code(survey)["Q6"].text,
         "text": UNSURE, "outcome": "to_confirm"}
    ]  # fmt: skip
    assert act(f"{base}/{stored.pk}/open-case", leader).status_code == 403
    opened = act(f"{base}/{stored.pk}/open-case", clerk)
    assert opened.status_code == 200
    assert opened.json()["tracking_code"] == Submission.objects.get().case.tracking_code
    again = act(f"{base}/{stored.pk}/no-case", clerk)
    assert again.status_code == 409
    assert citizen.get(base, **api(clerk)).json() == []
