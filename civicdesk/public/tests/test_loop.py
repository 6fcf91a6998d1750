"""The citizen's loop on the status page: the satisfaction question once the case is
answered, answered with the tracking code alone, and a disputed answer marked as such."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.cases.services import case_answer, case_assign, case_reopen
from civicdesk.cases.workflow import Action, Status
from civicdesk.evaluation.models import AnswerChannel, FollowUp, FollowUpStatus
from civicdesk.evaluation.services import followup_expire, followup_open

pytestmark = pytest.mark.django_db

ANSWER = "路灯已于今日修复，感谢反映。"


@pytest.fixture
def answered(make_case, units, supervisor, handler):
    def make(**fields) -> Case:
        case = case_assign(case=make_case(**fields), unit=units["urban"], actor=supervisor)
        return case_answer(case=case, actor=handler, text=ANSWER)

    return make


def status_of(client, case: Case) -> str:
    return client.get(f"/track/{case.tracking_code}/").content.decode()


def rate(client, case: Case, **data):
    return client.post(f"/track/{case.tracking_code}/satisfaction/", data)


# --- Satisfaction on the status page ----------------------------------------------------------


def test_the_status_page_asks_once_the_case_is_answered(citizen, make_case, answered):
    assert 'id="followup-form"' not in status_of(citizen, make_case())

    case = answered()
    body = status_of(citizen, case)

    assert 'id="followup-form"' in body
    assert f'action="/track/{case.tracking_code}/satisfaction/"' in body


def test_the_reporter_answers_with_the_tracking_code_alone(citizen, answered):
    case = answered()

    response = rate(citizen, case, solved="yes", satisfaction="5", comment="修得很快")

    assert response.status_code == 302
    followup = FollowUp.objects.get(case=case)
    assert followup.status == FollowUpStatus.ANSWERED
    assert followup.channel == AnswerChannel.WEB
    assert (followup.solved, followup.satisfaction, followup.comment) == (True, 5, "修得很快")
    assert followup.answer_of == case.answered_at
    body = status_of(citizen, case)
    assert 'id="followup-form"' not in body
    assert "You told us the problem was solved. Thank you." in body
    # Changing their mind later is still possible, with the dispute form.
    assert 'id="dispute-form"' in body


def test_the_answer_on_the_page_answers_the_follow_up_already_sent(citizen, answered):
    case = answered()
    sent = followup_open(case=case)

    rate(citizen, case, solved="yes", satisfaction="4")

    sent.refresh_from_db()
    assert (sent.status, sent.satisfaction) == (FollowUpStatus.ANSWERED, 4)
    assert FollowUp.objects.filter(case=case).count() == 1


def test_once_only(citizen, answered):
    case = answered()
    rate(citizen, case, solved="yes", satisfaction="5")

    again = rate(citizen, case, solved="no", satisfaction="1")

    assert again.status_code == 400
    assert "There is no answer to evaluate on this report now." in again.content.decode()
    assert FollowUp.objects.get(case=case).satisfaction == 5
    case.refresh_from_db()
    assert case.status == Status.ANSWERED


def test_not_solved_reopens_and_the_old_answer_no_longer_leads(citizen, answered):
    case = answered()

    rate(citizen, case, solved="no", satisfaction="1", comment="路灯还是不亮")

    case.refresh_from_db()
    assert case.status == Status.REOPENED
    body = status_of(citizen, case)
    assert 'id="official-answer"' not in body
    assert 'id="disputed"' in body
    assert "Answer disputed" in body
    assert "the answer was disputed: the problem is not solved" in body
    # The earlier answer stays readable, folded away under the dispute.
    disputed = body.index('id="disputed-answer"')
    assert body.index(ANSWER) > disputed
    assert body.index('id="disputed"') < body.index("Your report")


def test_the_new_answer_leads_and_says_it_replaces_a_disputed_one(citizen, answered, handler):
    case = answered()
    case_reopen(case=case, actor=None, reason="还是不亮")
    case_answer(case=case, actor=handler, text="已更换灯具，复查正常。")

    body = status_of(citizen, case)

    assert '<div id="official-answer" class="answer">已更换灯具，复查正常。</div>' in body
    assert 'id="replaces-disputed"' in body
    assert 'id="disputed"' not in body
    # A new answer, a new question.
    assert 'id="followup-form"' in body


def test_a_reopening_by_the_office_is_not_called_a_dispute(citizen, answered, supervisor):
    case = answered()
    case_reopen(case=case, actor=supervisor, reason="答复不完整")

    body = status_of(citizen, case)

    assert 'id="disputed"' in body
    assert "Answer disputed" not in body
    assert "the office reopened your report" in body


def test_bad_answers_are_refused_naming_what_is_missing(citizen, answered):
    case = answered()

    response = rate(citizen, case, solved="yes")

    assert response.status_code == 400
    assert response.context["satisfaction_form"].errors["satisfaction"]
    assert not FollowUp.objects.filter(case=case).exists()


def test_no_question_on_an_open_case_or_after_the_follow_up_closed(citizen, make_case, answered):
    open_case = make_case()
    response = rate(citizen, open_case, solved="yes", satisfaction="5")
    assert response.status_code == 400
    assert not FollowUp.objects.exists()

    case = answered()
    followup = followup_open(case=case)
    FollowUp.objects.filter(pk=followup.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    followup_expire(followup=followup)

    body = status_of(citizen, case)
    assert 'id="followup-form"' not in body
    assert 'id="dispute-form"' in body
    assert rate(citizen, case, solved="yes", satisfaction="5").status_code == 400


def test_an_old_answer_without_a_follow_up_is_not_asked_about(citizen, answered, settings):
    settings.CIVICDESK_FOLLOWUP_DAYS = 7
    case = answered()
    Case.objects.filter(pk=case.pk).update(answered_at=timezone.now() - timedelta(days=8))

    assert 'id="followup-form"' not in status_of(citizen, case)


def test_unknown_codes_are_404(citizen):
    assert rate(citizen, Case(tracking_code="XXXX-XXXX-XX"), solved="yes").status_code == 404


def test_the_timeline_records_the_reporters_answer(citizen, answered):
    case = answered()

    rate(citizen, case, solved="yes", satisfaction="5")

    data = [event.data for event in case.events.filter(action=Action.NOTE)]
    assert {"followup": "answer", "channel": "web", "solved": True, "satisfaction": 5} in data
