"""Answering, closing and reopening on the staff case page, as its forms post them."""

import pytest

from civicdesk.cases.models import ReplyTemplate
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url, last_event, snapshot

pytestmark = pytest.mark.django_db


# --- Answer with a reply template -------------------------------------------------------------


def test_answer_with_reply_template(handler, assigned, units, citizen):
    template = ReplyTemplate.objects.create(
        unit=units["urban"], title="路灯", body="您反映的路灯问题已修复。"
    )
    case = assigned("urban")
    client = login(handler)

    filled = client.get("/staff/reply-template/", {"case": case.pk, "answer-template": template.pk})
    assert filled.status_code == 200
    assert 'name="answer-text"' in filled.content.decode()
    assert "您反映的路灯问题已修复。" in filled.content.decode()

    response = client.post(
        case_url(case, "answer"),
        {"answer-template": template.pk, "answer-text": "您反映的路灯问题已修复。 "},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answer == "您反映的路灯问题已修复。"
    assert case.answered_at is not None
    assert case.first_responded_at is not None
    event = last_event(case)
    assert (event.action, event.is_public, event.note) == (
        Action.ANSWER,
        True,
        "您反映的路灯问题已修复。",
    )
    public = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert "您反映的路灯问题已修复。" in public


def test_unknown_reply_template_is_404(handler, assigned):
    case = assigned("urban")

    response = login(handler).get(
        "/staff/reply-template/", {"case": case.pk, "answer-template": "999999"}
    )

    assert response.status_code == 404


def test_answer_with_a_template_of_another_unit_is_refused(handler, assigned, units):
    other = ReplyTemplate.objects.create(unit=units["market"], title="市场", body="市场答复")
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(
        case_url(case, "answer"), {"answer-template": other.pk, "answer-text": "我的答复"}
    )

    assert response.status_code == 400
    assert response.context["forms"]["answer"].errors["template"]
    assert "我的答复" in response.content.decode()
    assert snapshot(case) == before


def test_answer_needs_text(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "answer"), {"answer-text": "  "})

    assert response.status_code == 400
    assert response.context["forms"]["answer"].errors["text"]
    assert snapshot(case) == before


# --- Close and reopen -------------------------------------------------------------------------


def test_supervisor_closes(supervisor, answered):
    case = answered()

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "办结"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    assert (last_event(case).action, last_event(case).is_public) == (Action.CLOSE, True)


def test_handler_cannot_close(handler, answered):
    case = answered()
    before = snapshot(case)

    response = login(handler).post(case_url(case, "close"), {"close-note": ""})

    assert response.status_code == 409
    assert snapshot(case) == before


@pytest.mark.parametrize("close_first", [False, True])
def test_supervisor_reopens(supervisor, answered, close_first):
    case = answered()
    client = login(supervisor)
    if close_first:
        client.post(case_url(case, "close"), {"close-note": ""})

    response = client.post(case_url(case, "reopen"), {"reopen-reason": "回访不满意"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.reopen_count == 1
    assert case.closed_at is None
    event = last_event(case)
    assert (event.action, event.actor, event.note) == (Action.REOPEN, supervisor, "回访不满意")


def test_reopen_needs_a_reason(supervisor, answered):
    case = answered()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "reopen"), {"reopen-reason": ""})

    assert response.status_code == 400
    assert snapshot(case) == before


def test_reopened_case_is_answered_again(supervisor, handler, answered):
    case = answered()
    login(supervisor).post(case_url(case, "reopen"), {"reopen-reason": "没修好"})

    response = login(handler).post(case_url(case, "answer"), {"answer-text": "已再次维修"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.answer) == (Status.ANSWERED, "已再次维修")
