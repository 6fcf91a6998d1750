"""Supervision letters (督办单, issue 16, item 4): a supervisor tells a unit what to do and
report by a date about a case, problem or measure; the unit replies; it is reminded before
the deadline and escalated to its leaders after it (scheduled, once each); every step is a
chained event that `verify_chains` checks, the letter's row included."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from civicdesk.accounts.models import Role, User
from civicdesk.cases.workflow import Action
from civicdesk.conftest import PASSWORD, login
from civicdesk.core.chain import ChainHead, verify
from civicdesk.core.deadlines import work_calendar
from civicdesk.supervision.models import LetterStatus, SupervisionEvent, SupervisionLetter
from civicdesk.supervision.tasks import (
    escalate_late_supervision_letters,
    remind_supervision_letters,
)

from .conftest import in_days

pytestmark = pytest.mark.django_db


def issue(client, kind: str, subject, **fields):
    data = {"requirement": "三日内修复并书面报告整改情况", "deadline": in_days(5)} | fields
    return client.post(f"/staff/supervision/letters/new/{kind}/{subject.pk}/", data)


def at_end_of(day, plus: timedelta = timedelta(0)) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max)) + plus


@pytest.fixture
def letter(case, supervisor, units) -> SupervisionLetter:
    response = issue(login(supervisor), "case", case, unit=units["urban"].pk)
    assert response.status_code == 302, response.content
    return SupervisionLetter.objects.get()


def test_a_supervisor_issues_a_letter_about_a_case(letter, case, supervisor, handler, units):
    assert (letter.unit, letter.case, letter.status) == (units["urban"], case, LetterStatus.OPEN)
    assert letter.number.startswith("督办〔")
    assert [e.action for e in letter.events.all()] == ["issue"]
    # On the case: its timeline (internal) and the panel on top of its page.
    event = case.events.get(action=Action.SUPERVISE)
    assert (event.is_public, event.data["letter"]) == (False, letter.number)
    page = login(handler).get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="supervision-panel"' in page and letter.number in page
    inbox = login(handler).get("/staff/", follow=True).content.decode()
    assert 'id="unit-supervision"' in inbox and letter.number in inbox


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"deadline": in_days(0)}, "deadline", "the date must be after today"),
        ({"deadline": in_days(-3)}, "deadline", "the date must be after today"),
        ({"deadline": ""}, "deadline", "This field is required."),
        ({"requirement": "   "}, "requirement", "This field is required."),
    ],
)
def test_bad_letters_are_refused_naming_the_field(case, supervisor, fields, field, message):
    response = issue(login(supervisor), "case", case, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not SupervisionLetter.objects.exists()
    assert not ChainHead.objects.filter(model="supervision.SupervisionEvent").exists()


def test_a_letter_goes_only_to_a_unit_that_has_a_part(case, supervisor, units):
    response = issue(login(supervisor), "case", case, unit=units["market"].pk)

    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert not SupervisionLetter.objects.exists()


def test_letters_about_a_problem_and_a_measure_show_on_their_pages(
    problem, measure, supervisor, units
):
    issue(login(supervisor), "problem", problem, unit=units["east-street"].pk)
    issue(login(supervisor), "measure", measure)

    on_problem, on_measure = SupervisionLetter.objects.order_by("id")
    assert (on_problem.problem, on_problem.unit) == (problem, units["east-street"])
    assert (on_measure.measure, on_measure.unit) == (measure, units["east-street"])
    problem_page = login(supervisor).get(f"/commitments/staff/problems/{problem.pk}/")
    measure_page = login(supervisor).get(f"/commitments/staff/measures/{measure.pk}/")
    assert on_problem.number in problem_page.content.decode()
    assert on_measure.number in measure_page.content.decode()


def test_who_may_issue(case, handler, leader, clerk):
    for user in (handler, leader, clerk):
        assert issue(login(user), "case", case).status_code == 404
    assert not SupervisionLetter.objects.exists()


def test_the_unit_replies_and_the_supervisor_closes(letter, handler, supervisor):
    empty = login(handler).post(
        f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": ""}
    )
    replied = login(handler).post(
        f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "已更换灯具，附照片"}
    )
    closed = login(supervisor).post(f"/staff/supervision/letters/{letter.pk}/close/", {})

    assert empty.status_code == 400
    assert replied.status_code == closed.status_code == 302
    letter.refresh_from_db()
    assert (letter.status, letter.reply, letter.answered_late) == (
        LetterStatus.CLOSED,
        "已更换灯具，附照片",
        False,
    )
    assert [e.action for e in letter.events.all()] == ["issue", "reply", "close"]


def test_only_the_unit_addressed_sees_and_replies(letter, other_handler, supervisor):
    assert login(other_handler).get(f"/staff/supervision/letters/{letter.pk}/").status_code == 404
    response = login(other_handler).post(
        f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "我们回复"}
    )
    assert response.status_code == 404
    # A supervisor does not reply for the unit.
    page = login(supervisor).get(f"/staff/supervision/letters/{letter.pk}/")
    assert "reply" not in page.context["forms"]


def test_a_reply_sent_back_must_come_again(letter, handler, supervisor):
    login(handler).post(f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "已处理"})

    silent = login(supervisor).post(
        f"/staff/supervision/letters/{letter.pk}/send_back/", {"send_back-note": ""}
    )
    back = login(supervisor).post(
        f"/staff/supervision/letters/{letter.pk}/send_back/",
        {"send_back-note": "未说明整改时限"},
    )

    assert silent.status_code == 400
    assert back.status_code == 302
    letter.refresh_from_db()
    assert (letter.status, letter.replied_at) == (LetterStatus.OPEN, None)


def test_a_reply_after_the_deadline_is_answered_late(letter, handler):
    late = at_end_of(letter.deadline, timedelta(hours=10))

    with mock.patch("django.utils.timezone.now", return_value=late):
        login(handler).post(
            f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "迟复"}
        )

    letter.refresh_from_db()
    assert letter.status == LetterStatus.REPLIED and letter.answered_late


def test_the_unit_is_reminded_once_before_the_deadline(case, supervisor):
    next_working_day = work_calendar().next_working_day(timezone.localdate())
    issue(login(supervisor), "case", case, deadline=next_working_day.isoformat())
    letter = SupervisionLetter.objects.get()
    a_month_before = timezone.now() - timedelta(days=30)

    with mock.patch("django.utils.timezone.now", return_value=a_month_before):
        assert remind_supervision_letters.call() == 0
    # Within CIVICDESK_SUPERVISION_REMIND_DAYS (2) working days: once, never twice.
    assert remind_supervision_letters.call() == 1
    assert remind_supervision_letters.call() == 0

    letter.refresh_from_db()
    assert letter.reminded_at is not None
    assert letter.events.filter(action="remind").count() == 1


def test_a_late_letter_is_escalated_once_to_the_units_leaders(letter, units, leader, handler):
    unit_leader = User.objects.create_user(
        username="urban-leader",
        password=PASSWORD,
        role=Role.LEADER,
        unit=units["urban"],
        display_name="城管局长",
    )
    late = at_end_of(letter.deadline, timedelta(hours=1))

    with mock.patch("django.utils.timezone.now", return_value=late):
        assert escalate_late_supervision_letters.call() == 1
        assert escalate_late_supervision_letters.call() == 0
        queue = login(unit_leader).get("/staff/supervision/")
        handler_view = login(handler).get(f"/staff/supervision/letters/{letter.pk}/")

    letter.refresh_from_db()
    assert letter.escalated_at is not None
    event = letter.events.get(action="escalate")
    # The nearest leaders up the unit's path: the unit's own, not the district's.
    assert event.note.rsplit(":", 1)[-1].strip() == "城管局长."
    assert letter in queue.context["escalated"]["rows"]
    assert "late" in handler_view.content.decode()


def test_a_replied_letter_is_not_escalated(letter, handler):
    login(handler).post(f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "已办"})

    with mock.patch(
        "django.utils.timezone.now", return_value=at_end_of(letter.deadline, timedelta(days=2))
    ):
        assert escalate_late_supervision_letters.call() == 0


def test_verify_chains_finds_a_letter_edited_behind_the_services(letter):
    assert verify(SupervisionEvent) == []

    SupervisionLetter.objects.filter(pk=letter.pk).update(
        deadline=letter.deadline + timedelta(days=30)
    )

    breaks = [str(b) for b in verify(SupervisionEvent)]
    assert len(breaks) == 1
    assert f"supervision.supervisionletter:{letter.pk}" in breaks[0] and "deadline" in breaks[0]
