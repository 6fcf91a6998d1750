"""Satisfaction follow-ups: opened once, answered once, "not solved" reopens, silence expires."""

from datetime import timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from civicdesk.cases import services as case_services
from civicdesk.cases.models import CaseEvent
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import AnswerChannel, FollowUp, FollowUpStatus
from civicdesk.evaluation.tasks import expire_followups, open_followups
from civicdesk.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSMSSender:
    def send(self, to: str, text: str) -> None:
        SENT_SMS.append((to, text))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.CIVICDESK_SMS_SENDER = f"{__name__}.RecordingSMSSender"
    SENT_SMS.clear()


@pytest.fixture
def answer(units, supervisor, handler):
    def answered(case):
        case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)
        case = case_services.case_answer(case=case, actor=handler, text="路灯已修复。")
        # The "your report was answered" message goes out first (the notifications app tests
        # it); these tests look at the follow-up's own message.
        deliver_outbox.call()
        mail.outbox.clear()
        SENT_SMS.clear()
        return case

    return answered


@pytest.fixture
def opened(make_case, answer, django_capture_on_commit_callbacks):
    """An answered case of the urban unit with its follow-up opened (reporter gave an e-mail)."""
    case = answer(make_case(contact_email="li@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        assert open_followups.call() == 1
    return case, FollowUp.objects.get(case=case)


def _satisfaction(unit):
    """The unit's satisfaction figure over a period around now."""
    now = timezone.now()
    period = (now - timedelta(days=1), now + timedelta(days=1))
    return rates.unit_rates(unit, *period).figures[rates.SATISFACTION]


def test_open_followups_sends_the_link_once(opened, django_capture_on_commit_callbacks):
    case, followup = opened
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.org"]
    assert f"/evaluation/f/{followup.token}/" in mail.outbox[0].body
    assert followup.sent_via == "email" and followup.answer_of == case.answered_at
    assert len(followup.token) >= 40

    with django_capture_on_commit_callbacks(execute=True):
        assert open_followups.call() == 0
    assert FollowUp.objects.count() == 1 and len(mail.outbox) == 1


def test_phone_only_reporter_gets_an_sms(make_case, answer, django_capture_on_commit_callbacks):
    case = answer(make_case(contact_phone="13800138000"))
    with django_capture_on_commit_callbacks(execute=True):
        open_followups.call()
    followup = FollowUp.objects.get(case=case)
    assert followup.sent_via == "sms"
    assert len(SENT_SMS) == 1 and SENT_SMS[0][0] == "13800138000"
    assert followup.token in SENT_SMS[0][1]


def test_solved_answer_is_recorded_once(opened, citizen, units):
    case, followup = opened
    url = f"/evaluation/f/{followup.token}/"
    assert citizen.get(url).status_code == 200

    response = citizen.post(url, {"solved": "yes", "satisfaction": "5", "comment": "谢谢"})

    assert response.status_code == 302
    followup.refresh_from_db()
    assert (followup.status, followup.solved, followup.satisfaction) == ("answered", True, 5)
    assert followup.channel == AnswerChannel.WEB and followup.recorded_by is None
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert CaseEvent.objects.filter(case=case, data__followup="answer").count() == 1
    assert _satisfaction(units["urban"]) == rates.Figure(1, 1)

    second = citizen.post(url, {"solved": "no", "satisfaction": "1", "comment": "again"})

    assert second.status_code == 400
    assert "already answered" in second.content.decode()
    followup.refresh_from_db()
    assert (followup.solved, followup.satisfaction) == (True, 5)
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.reopen_count == 0
    assert _satisfaction(units["urban"]) == rates.Figure(1, 1)


def test_not_solved_reopens_the_case(opened, citizen):
    case, followup = opened

    response = citizen.post(
        f"/evaluation/f/{followup.token}/",
        {"solved": "no", "satisfaction": "2", "comment": "路灯还是不亮"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED and case.reopen_count == 1
    reopen = CaseEvent.objects.get(case=case, action=Action.REOPEN)
    assert reopen.note == "路灯还是不亮" and reopen.actor_kind == "reporter"


def test_not_solved_without_comment_gives_a_default_reason(opened, citizen):
    case, followup = opened
    citizen.post(f"/evaluation/f/{followup.token}/", {"solved": "no", "satisfaction": "3"})
    reopen = CaseEvent.objects.get(case=case, action=Action.REOPEN)
    assert reopen.note == "The reporter said the problem was not solved."


@pytest.mark.parametrize(
    "data",
    [{"solved": "yes", "satisfaction": "9"}, {"solved": "maybe", "satisfaction": "5"}, {}],
)
def test_bad_answers_are_refused(opened, citizen, data):
    _, followup = opened
    response = citizen.post(f"/evaluation/f/{followup.token}/", data)
    assert response.status_code == 400
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.PENDING


def test_forged_token_is_not_found(opened, citizen):
    assert citizen.get("/evaluation/f/forged-token/").status_code == 404
    post = citizen.post("/evaluation/f/forged-token/", {"solved": "yes", "satisfaction": "5"})
    assert post.status_code == 404


def test_guessed_tokens_are_refused_past_the_shared_limit(opened, settings):
    """Wrong follow-up links count in the budget of every token link; past it the client gets
    a translated 429 page with Retry-After, for the right link too, and answers nothing."""
    _, followup = opened
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "2/h"
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "1/h"  # not this link's setting
    guesser = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert guesser.get("/rate/guess/").status_code == 404  # another kind of token link
    assert guesser.get(f"/evaluation/f/{followup.token}/").status_code == 200  # not counted
    assert guesser.get("/evaluation/f/forged-token/").status_code == 404

    for response in (
        guesser.get("/evaluation/f/forged-again/"),
        guesser.get(f"/evaluation/f/{followup.token}/"),
        guesser.post(f"/evaluation/f/{followup.token}/", {"solved": "yes", "satisfaction": "5"}),
    ):
        assert response.status_code == 429
        assert response["Content-Language"] == "zh-hans"
        assert "无效链接尝试次数过多" in response.content.decode()
        assert 1 <= int(response["Retry-After"]) <= 3600
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.PENDING

    other = Client(REMOTE_ADDR="198.51.100.20")
    answer = other.post(f"/evaluation/f/{followup.token}/", {"solved": "yes", "satisfaction": "5"})
    assert answer.status_code == 302
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.ANSWERED


def test_unanswered_followup_expires_as_no_answer(opened, citizen, units, settings):
    case, followup = opened
    settings.CIVICDESK_FOLLOWUP_DAYS = 7
    assert expire_followups.call() == 0  # not yet due
    FollowUp.objects.filter(pk=followup.pk).update(due_at=timezone.now() - timedelta(minutes=1))

    assert expire_followups.call() == 1
    assert expire_followups.call() == 0

    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.NO_ANSWER
    assert followup.satisfaction is None and followup.solved is None
    assert CaseEvent.objects.filter(case=case, data__followup="no_answer").count() == 1
    assert _satisfaction(units["urban"]) == rates.Figure(0, 0)
    late = citizen.post(f"/evaluation/f/{followup.token}/", {"solved": "yes", "satisfaction": "5"})
    assert late.status_code == 400
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.NO_ANSWER


def test_anonymous_reporter_gets_no_message_but_answers_on_the_status_page(
    make_case, answer, citizen, django_capture_on_commit_callbacks
):
    case = answer(make_case())
    with django_capture_on_commit_callbacks(execute=True):
        open_followups.call()
    followup = FollowUp.objects.get(case=case)
    assert followup.sent_via == "" and mail.outbox == [] and SENT_SMS == []

    request = RequestFactory().get(f"/track/{case.tracking_code}/")
    html = Template("{% load evaluation %}{% followup_form case %}").render(
        Context({"case": case, "request": request, "csrf_token": "x"})
    )
    assert f'action="/evaluation/f/{followup.token}/"' in html

    response = citizen.post(
        f"/evaluation/f/{followup.token}/", {"solved": "yes", "satisfaction": "4"}
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.ANSWERED
    # Once answered, the status page shows no form any more.
    assert "followup-form" not in Template("{% load evaluation %}{% followup_form case %}").render(
        Context({"case": case})
    )


def test_handler_records_a_return_call(make_case, answer, handler, units):
    case = answer(make_case(contact_phone="13800138000"))  # the task has not run yet

    response = login(handler).post(
        f"/evaluation/cases/{case.pk}/call/",
        {"channel": "phone", "solved": "yes", "satisfaction": "4", "comment": "电话回访"},
    )

    assert response.status_code == 302
    followup = FollowUp.objects.get(case=case)
    assert followup.channel == AnswerChannel.PHONE and followup.recorded_by == handler
    assert (followup.solved, followup.satisfaction) == (True, 4)
    assert SENT_SMS == []  # a call needs no message
    assert _satisfaction(units["urban"]) == rates.Figure(1, 1)
    again = login(handler).post(
        f"/evaluation/cases/{case.pk}/call/",
        {"channel": "phone", "solved": "no", "satisfaction": "1"},
    )
    assert again.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.ANSWERED


def test_staff_verification_needs_no_level_and_is_not_in_satisfaction(
    make_case, answer, supervisor, units
):
    case = answer(make_case())
    client = login(supervisor)
    refused = client.post(
        f"/evaluation/cases/{case.pk}/call/",
        {"channel": "verified", "solved": "yes", "satisfaction": "5"},
    )
    assert refused.status_code == 400 and not FollowUp.objects.filter(status="answered").exists()

    ok = client.post(f"/evaluation/cases/{case.pk}/call/", {"channel": "verified", "solved": "yes"})

    assert ok.status_code == 302
    assert FollowUp.objects.get(case=case).channel == AnswerChannel.VERIFIED
    assert _satisfaction(units["urban"]) == rates.Figure(0, 0)


def test_calls_on_other_units_and_by_leaders_are_not_found(
    make_case, answer, other_handler, leader
):
    case = answer(make_case())
    data = {"channel": "phone", "solved": "yes", "satisfaction": "5"}
    assert login(other_handler).post(f"/evaluation/cases/{case.pk}/call/", data).status_code == 404
    assert login(leader).get(f"/evaluation/cases/{case.pk}/call/").status_code == 404
    assert not FollowUp.objects.exists()


def test_open_case_cannot_be_called_back(make_case, clerk):
    case = make_case()
    response = login(clerk).post(
        f"/evaluation/cases/{case.pk}/call/",
        {"channel": "phone", "solved": "yes", "satisfaction": "5"},
    )
    assert response.status_code == 400
    assert "Only answered cases" in response.content.decode()
    assert not FollowUp.objects.exists()
