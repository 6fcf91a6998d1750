"""Extensions and suspensions (延期/挂起, issue 16, item 3): the unit asks with a reason and a
date, a supervisor approves or refuses; an approved extension is the new deadline (also for
the rates), a suspension stops the clock and its reason is public on the status page."""

from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from civicdesk.cases.clock import suspended_working_days
from civicdesk.cases.models import Case, ClockRequest
from civicdesk.cases.services import case_answer
from civicdesk.cases.tasks import escalate_overdue_cases, resume_due_suspensions
from civicdesk.cases.workflow import Action
from civicdesk.conftest import login
from civicdesk.core.deadlines import work_calendar
from civicdesk.evaluation import rates

from .conftest import case_url, errors_of, last_event, snapshot

pytestmark = pytest.mark.django_db


def local(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def ask_extension(client, case, new_date, reason="需协调供电公司更换线路"):
    return client.post(
        case_url(case, "request_extension"),
        {
            "request_extension-new_date": new_date.isoformat() if new_date else "",
            "request_extension-reason": reason,
        },
    )


def ask_suspension(client, case, new_date, reason="等待司法鉴定结论", ground="survey"):
    return client.post(
        case_url(case, "request_suspension"),
        {
            "request_suspension-ground": ground,
            "request_suspension-new_date": new_date.isoformat(),
            "request_suspension-reason": reason,
        },
    )


def decide(client, case, decision="approve", note=""):
    return client.post(
        case_url(case, "decide_request"),
        {"decide_request-decision": decision, "decide_request-note": note},
    )


# --- Extensions ---------------------------------------------------------------------------


def test_an_approved_extension_is_the_new_deadline_and_public(
    assigned, handler, supervisor, citizen
):
    case = assigned("urban")
    new_date = local(case.answer_due_at) + timedelta(days=7)

    asked = ask_extension(login(handler), case, new_date)
    page = login(supervisor).get(case_url(case))
    approved = decide(login(supervisor), case)

    assert asked.status_code == approved.status_code == 302
    assert "decide_request" in page.context["forms"]
    case.refresh_from_db()
    assert local(case.answer_due_at) == new_date
    assert timezone.localtime(case.answer_due_at).time() == time.max
    event = last_event(case)
    assert (event.action, event.is_public, event.note) == (
        Action.EXTEND,
        True,
        "需协调供电公司更换线路",
    )
    status = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Deadline extended" in status and "需协调供电公司更换线路" in status
    assert new_date.isoformat() in status
    # The request itself stays internal.
    assert "Extension requested" not in status


@pytest.mark.parametrize(
    "offset, message",
    [
        ("yesterday", "New date: it must be after today."),
        ("today", "New date: it must be after today."),
        ("before_deadline", "must be after the current answer deadline"),
        ("too_far", "an extension adds at most 15 working days"),
    ],
)
def test_bad_extension_dates_are_refused_naming_the_field(assigned, handler, offset, message):
    case = assigned("urban")
    today = timezone.localdate()
    due = local(case.answer_due_at)
    new_date = {
        "yesterday": today - timedelta(days=1),
        "today": today,
        "before_deadline": due - timedelta(days=1),
        "too_far": due + timedelta(days=40),
    }[offset]
    before = snapshot(case)

    response = ask_extension(login(handler), case, new_date)

    assert response.status_code == 400
    errors = response.context["forms"]["request_extension"].errors
    assert message in " ".join(errors["new_date"])
    assert snapshot(case) == before and not ClockRequest.objects.exists()


def test_the_maximum_is_a_setting(settings, assigned, handler):
    settings.CIVICDESK_EXTENSION_MAX_DAYS = 2
    case = assigned("urban")
    three_working_days_on = local(case.answer_due_at)
    for _ in range(3):
        three_working_days_on = work_calendar().next_working_day(three_working_days_on)

    response = ask_extension(login(handler), case, three_working_days_on)

    assert response.status_code == 400
    assert "at most 2 working days" in errors_of(response, "request_extension")


def test_an_extension_needs_a_reason(assigned, handler):
    case = assigned("urban")

    response = ask_extension(login(handler), case, local(case.answer_due_at) + timedelta(5), "")

    assert response.status_code == 400
    assert response.context["forms"]["request_extension"].errors["reason"]
    assert not ClockRequest.objects.exists()


def test_a_refusal_needs_a_note_and_keeps_the_deadline(assigned, handler, supervisor):
    case = assigned("urban")
    due = case.answer_due_at
    ask_extension(login(handler), case, local(due) + timedelta(days=5))

    silent = decide(login(supervisor), case, "refuse")
    refused = decide(login(supervisor), case, "refuse", "理由不充分，请按期办结")

    assert silent.status_code == 400
    assert "say why the request is refused" in errors_of(silent, "decide_request")
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.answer_due_at == due
    assert ClockRequest.objects.get().status == "refused"
    assert last_event(case).action == Action.REFUSE_REQUEST


def test_handlers_do_not_decide_and_ask_once_at_a_time(assigned, handler, supervisor):
    case = assigned("urban")
    new_date = local(case.answer_due_at) + timedelta(days=5)
    ask_extension(login(handler), case, new_date)

    page = login(handler).get(case_url(case))
    again = ask_extension(login(handler), case, new_date)
    own_decision = decide(login(handler), case)

    assert "request_extension" not in page.context["forms"]
    assert again.status_code == own_decision.status_code == 409
    assert ClockRequest.objects.count() == 1


def test_no_extension_once_the_deadline_has_passed(assigned, handler):
    case = assigned("urban")
    late = case.answer_due_at + timedelta(hours=1)

    with mock.patch("django.utils.timezone.now", return_value=late):
        response = ask_extension(login(handler), case, local(late) + timedelta(days=3))

    assert response.status_code == 409
    assert "already passed" in errors_of(response, "request_extension")


def test_the_rates_count_an_approved_extension_as_the_new_deadline(
    assigned, handler, supervisor, units
):
    """On-time closure: answered after the original deadline but before the extended one."""
    extended = assigned("urban")
    ask_extension(login(handler), extended, local(extended.answer_due_at) + timedelta(days=7))
    decide(login(supervisor), extended)
    late = assigned("urban")
    original = {c.pk: c.answer_due_at for c in (extended, late)}
    for case in (extended, late):
        answered_at = original[case.pk] + timedelta(days=2)
        with mock.patch("django.utils.timezone.now", return_value=answered_at):
            case_answer(case=Case.objects.get(pk=case.pk), actor=handler, text="已修复")

    start = timezone.now() - timedelta(days=1)
    end = timezone.now() + timedelta(days=60)
    figure = rates.unit_rates(units["urban"], start, end).figures[rates.ON_TIME]

    assert (figure.numerator, figure.denominator) == (1, 2)


# --- Suspensions --------------------------------------------------------------------------


def test_a_suspension_needs_a_reason_and_what_it_waits_for(assigned, handler):
    case = assigned("urban")
    resume_on = timezone.localdate() + timedelta(days=10)

    no_reason = ask_suspension(login(handler), case, resume_on, reason="  ")
    no_ground = ask_suspension(login(handler), case, resume_on, ground="")

    assert no_reason.status_code == no_ground.status_code == 400
    assert no_reason.context["forms"]["request_suspension"].errors["reason"]
    assert no_ground.context["forms"]["request_suspension"].errors["ground"]
    assert not ClockRequest.objects.exists()


def test_a_suspension_too_long_is_refused(settings, assigned, handler):
    settings.CIVICDESK_SUSPENSION_MAX_DAYS = 5
    case = assigned("urban")

    response = ask_suspension(login(handler), case, timezone.localdate() + timedelta(days=30))

    assert response.status_code == 400
    assert "lasts at most 5 working days" in errors_of(response, "request_suspension")


def test_a_suspended_case_is_not_overdue_and_resumes_later(assigned, handler, supervisor, citizen):
    case = assigned("urban")
    due = case.answer_due_at
    suspended_on = timezone.now()
    ask_suspension(login(handler), case, timezone.localdate() + timedelta(days=20))
    decide(login(supervisor), case)
    case.refresh_from_db()
    assert case.is_suspended
    # Meanwhile the deadline stands moved by the working days planned, for every reader.
    planned = ClockRequest.objects.get().planned_days
    assert planned > 0
    assert work_calendar().working_days_between(local(due), local(case.answer_due_at)) == planned

    # Past the old deadline, the suspended case is neither overdue nor escalated.
    later = due + timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not Case.objects.overdue().filter(pk=case.pk).exists()
        assert escalate_overdue_cases.call() == 0
        status = citizen.get(f"/track/{case.tracking_code}/").content.decode()
        assert "Suspended" in status and "等待司法鉴定结论" in status
        resumed = login(handler).post(case_url(case, "resume"), {"resume-note": "鉴定结论已出"})

    assert resumed.status_code == 302
    case.refresh_from_db()
    k = suspended_working_days(work_calendar(), [(local(suspended_on), local(later))])
    assert k > 0
    assert not case.is_suspended
    assert work_calendar().working_days_between(local(due), local(case.answer_due_at)) == k
    assert ClockRequest.objects.get().suspended_days == k
    assert last_event(case).action == Action.RESUME and last_event(case).is_public


def test_the_scheduled_job_resumes_on_the_approved_date_once(assigned, handler, supervisor):
    case = assigned("urban")
    resume_on = timezone.localdate() + timedelta(days=6)
    ask_suspension(login(handler), case, resume_on)
    decide(login(supervisor), case)

    on_the_day = timezone.make_aware(datetime.combine(resume_on, time(0, 10)))
    with mock.patch("django.utils.timezone.now", return_value=on_the_day - timedelta(days=1)):
        assert resume_due_suspensions.call() == 0
    with mock.patch("django.utils.timezone.now", return_value=on_the_day):
        assert resume_due_suspensions.call() == 1
        assert resume_due_suspensions.call() == 0

    case.refresh_from_db()
    assert not case.is_suspended
    assert case.events.filter(action=Action.RESUME).count() == 1


def test_answering_ends_a_suspension(assigned, handler, supervisor):
    case = assigned("urban")
    ask_suspension(login(handler), case, timezone.localdate() + timedelta(days=8))
    decide(login(supervisor), case)

    response = login(handler).post(case_url(case, "answer"), {"answer-text": "已修复"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.is_suspended
    assert ClockRequest.objects.get().resumed_at is not None


def test_a_pending_request_is_withdrawn_when_the_case_is_returned(assigned, handler):
    from civicdesk.cases.models import ReturnReason

    case = assigned("urban")
    ask_extension(login(handler), case, local(case.answer_due_at) + timedelta(days=3))

    login(handler).post(
        case_url(case, "return"),
        {"return-reason_choice": ReturnReason.objects.get(code="not-our-remit").pk},
    )

    assert ClockRequest.objects.get().status == "withdrawn"
    assert case.events.filter(action=Action.WITHDRAW_REQUEST).exists()


def test_supervisors_see_what_waits_for_them(assigned, handler, supervisor):
    case = assigned("urban")
    ask_extension(login(handler), case, local(case.answer_due_at) + timedelta(days=3))

    page = login(supervisor).get("/staff/work-orders/")

    assert [r.case_id for r in page.context["requests"]] == [case.pk]
