"""Merge, note, escalate, recategorize and refused actions on the staff case page."""

import pytest
from django.utils import timezone

from civicdesk.cases.models import Category
from civicdesk.cases.services import case_assign, case_merge
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url, errors_of, last_event, snapshot

pytestmark = pytest.mark.django_db


# --- Merge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [str, str.lower, lambda code: code.replace("-", "")])
def test_merge_into_another_case(clerk, make_case, spelling):
    survivor, duplicate = make_case(), make_case()

    response = login(clerk).post(
        case_url(duplicate, "merge"),
        {"merge-into": spelling(survivor.tracking_code), "merge-note": "同一路灯"},
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == survivor
    event = last_event(duplicate)
    assert (event.action, event.data, event.is_public) == (
        Action.MERGE,
        {"into": survivor.tracking_code},
        True,
    )
    note = last_event(survivor)
    assert (note.action, note.is_public) == (Action.NOTE, False)
    assert duplicate.tracking_code in note.note


def test_merged_case_offers_no_actions(supervisor, clerk, make_case):
    survivor, duplicate = make_case(), make_case()
    case_merge(case=duplicate, into=survivor, actor=clerk)

    response = login(supervisor).get(case_url(duplicate))

    assert response.context["forms"] == {}
    assert survivor.tracking_code in response.content.decode()


def test_merge_into_itself_is_409_with_message(clerk, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(clerk).post(case_url(case, "merge"), {"merge-into": case.tracking_code})

    assert response.status_code == 409
    assert "cannot be merged into itself" in errors_of(response, "merge")
    assert "cannot be merged into itself" in response.content.decode()
    assert snapshot(case) == before


def test_merge_into_a_merged_case_is_409_with_message(clerk, make_case):
    survivor, merged, case = make_case(), make_case(), make_case()
    case_merge(case=merged, into=survivor, actor=clerk)
    before = snapshot(case)

    response = login(clerk).post(case_url(case, "merge"), {"merge-into": merged.tracking_code})

    assert response.status_code == 409
    assert f"Case {merged.tracking_code} is itself merged" in errors_of(response, "merge")
    assert snapshot(case) == before


@pytest.mark.parametrize("code", ["2345-6789-AB", "nonsense"])
def test_merge_into_an_unknown_code_is_400(clerk, make_case, code):
    case = make_case()
    before = snapshot(case)

    response = login(clerk).post(
        case_url(case, "merge"), {"merge-into": code, "merge-note": "我写的备注"}
    )

    assert response.status_code == 400
    assert response.context["forms"]["merge"].errors["into"] == ["No case has this tracking code."]
    assert "我写的备注" in response.content.decode()
    assert snapshot(case) == before


def test_duplicates_follow_their_case_when_it_is_merged(clerk, make_case):
    first, second, survivor = make_case(), make_case(), make_case()
    case_merge(case=first, into=second, actor=clerk)

    login(clerk).post(case_url(second, "merge"), {"merge-into": survivor.tracking_code})

    first.refresh_from_db()
    assert first.merged_into == survivor


# --- Note, escalate, recategorize -------------------------------------------------------------


def test_internal_note(handler, assigned, citizen):
    case = assigned("urban")

    response = login(handler).post(case_url(case, "note"), {"note-text": "已电话联系，对方不在家"})

    assert response.status_code == 302
    event = last_event(case)
    assert (event.action, event.is_public, event.actor) == (Action.NOTE, False, handler)
    assert event.note == "已电话联系，对方不在家"
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert "已电话联系" in login(handler).get(case_url(case)).content.decode()
    assert "已电话联系" not in citizen.get(f"/track/{case.tracking_code}/").content.decode()


def test_note_needs_text(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "note"), {"note-text": ""})

    assert response.status_code == 400
    assert snapshot(case) == before


def test_supervisor_escalates(supervisor, assigned):
    case = assigned("urban")

    response = login(supervisor).post(case_url(case, "escalate"), {"escalate-note": "超期未办"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert case.status == Status.ASSIGNED
    event = last_event(case)
    assert (event.action, event.note, event.is_public) == (Action.ESCALATE, "超期未办", False)
    assert "escalated" in login(supervisor).get("/staff/", follow=True).content.decode()


def test_handler_cannot_escalate(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "escalate"), {"escalate-note": "x"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_escalating_a_closed_case_is_409_with_message(supervisor, answered):
    case = answered()
    login(supervisor).post(case_url(case, "close"), {"close-note": ""})
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "escalate"), {"escalate-note": "再催"})

    assert response.status_code == 409
    assert "Only open cases can be escalated." in errors_of(response, "escalate")
    assert snapshot(case) == before


def test_recategorize(handler, assigned):
    lights = Category.objects.get(code="street-lights")
    noise = Category.objects.get(code="noise")
    case = assigned("urban", category=lights)

    response = login(handler).post(
        case_url(case, "recategorize"), {"recategorize-category": noise.pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category == noise
    event = last_event(case)
    assert (event.action, event.data) == (
        Action.RECATEGORIZE,
        {"from": "路灯照明", "to": "噪音扰民"},
    )


def test_recategorize_to_none(supervisor, make_case):
    case = make_case(category=Category.objects.get(code="street-lights"))

    response = login(supervisor).post(case_url(case, "recategorize"), {"recategorize-category": ""})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category is None


# --- Refusals ---------------------------------------------------------------------------------


def test_invalid_transition_is_409_and_changes_nothing(supervisor, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "直接办结"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_invalid_transition_tells_why(supervisor, make_case):
    case = make_case()

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "直接办结"})

    assert response.status_code == 409
    assert "This action is not possible on this case now." in response.content.decode()


def test_empty_required_field_keeps_the_other_fields(supervisor, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(
        case_url(case, "assign"), {"assign-unit": "", "assign-note": "请尽快派人查看"}
    )

    assert response.status_code == 400
    form = response.context["forms"]["assign"]
    assert form.errors["unit"]
    body = response.content.decode()
    assert "请尽快派人查看</textarea>" in body
    assert snapshot(case) == before


def test_stale_form_after_someone_else_acted(supervisor, handler, assigned):
    """Two people on one case: the second post finds the case moved on and changes nothing."""
    case = assigned("urban")
    login(handler).post(case_url(case, "answer"), {"answer-text": "已修复"})
    before = snapshot(case)

    response = login(handler).post(case_url(case, "accept"), {"accept-note": "收到"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_actions_need_post(supervisor, make_case):
    response = login(supervisor).get(case_url(make_case(), "assign"))

    assert response.status_code == 405


def test_deadlines_shown_on_the_case_page(supervisor, units, make_case):
    case = make_case()

    body = login(supervisor).get(case_url(case)).content.decode()

    local = timezone.localtime(case.answer_due_at)
    assert local.strftime("%Y-%m-%d %H:%M") in body
    assign_due = timezone.localtime(case.assign_due_at).strftime("%Y-%m-%d %H:%M")
    assert f"{assign_due}</dd>" in body  # not assigned yet: no tick

    case = case_assign(case=case, unit=units["urban"], actor=supervisor)
    body = login(supervisor).get(case_url(case)).content.decode()
    assigned = timezone.localtime(case.assigned_at).strftime("%Y-%m-%d %H:%M")
    assert f"{assign_due} ✓ {assigned}</dd>" in body
