"""Routing actions of the staff case page: assign, reassign, accept and return."""

import pytest

from civicdesk.cases.services import case_accept
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url, errors_of, last_event, other_reason, snapshot

pytestmark = pytest.mark.django_db


# --- Assign and reassign ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "clerk"])
def test_assign(request, role, make_case, units):
    user = request.getfixturevalue(role)
    case = make_case()

    response = login(user).post(
        case_url(case, "assign"), {"assign-unit": units["urban"].pk, "assign-note": "请城管处理"}
    )

    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["urban"]
    assert case.assigned_at is not None
    event = last_event(case)
    assert (event.action, event.actor, event.unit) == (Action.ASSIGN, user, units["urban"])
    assert (event.from_status, event.to_status) == (Status.RECEIVED, Status.ASSIGNED)
    assert event.note == "请城管处理"
    assert event.is_public


def test_assign_success_message_is_shown(supervisor, make_case, units):
    case = make_case()

    response = login(supervisor).post(
        case_url(case, "assign"), {"assign-unit": units["urban"].pk}, follow=True
    )

    assert "Assigned to 城市管理局." in response.content.decode()


def test_assign_to_an_inactive_unit_is_refused(supervisor, make_case, units):
    units["market"].is_active = False
    units["market"].save()
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "assign"), {"assign-unit": units["market"].pk})

    assert response.status_code == 400
    assert response.context["forms"]["assign"].errors["unit"]
    assert snapshot(case) == before


def test_supervisor_reassigns(supervisor, assigned, units):
    case = assigned("urban")

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["market"].pk, "reassign-note": "改派"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["market"]
    event = last_event(case)
    assert (event.action, event.from_status, event.note) == (
        Action.REASSIGN,
        Status.ASSIGNED,
        "改派",
    )


def test_reassign_of_a_case_in_progress(supervisor, handler, assigned, units):
    case = case_accept(case=assigned("urban"), actor=handler)

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["market"].pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit) == (Status.ASSIGNED, units["market"])


def test_reassign_to_the_same_unit_is_409_with_message(supervisor, assigned, units):
    case = assigned("urban")
    before = snapshot(case)

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["urban"].pk}
    )

    assert response.status_code == 409
    assert "already with this unit" in errors_of(response, "reassign")
    assert "already with this unit" in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.parametrize("action", ["reassign", "assign"])
def test_clerk_cannot_reassign(clerk, assigned, units, action):
    case = assigned("urban")
    before = snapshot(case)

    response = login(clerk).post(case_url(case, action), {f"{action}-unit": units["market"].pk})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_clerk_sees_no_reassign_form(clerk, assigned):
    response = login(clerk).get(case_url(assigned("urban")))

    assert "reassign" not in response.context["forms"]
    assert 'id="reassign-form"' not in response.content.decode()


# --- Accept and return ------------------------------------------------------------------------


def test_handler_accepts(handler, assigned):
    case = assigned("urban-window")

    response = login(handler).post(case_url(case, "accept"), {"accept-note": "已收到，正在处理"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.first_responded_at is not None
    event = last_event(case)
    assert (event.action, event.actor, event.note, event.is_public) == (
        Action.ACCEPT,
        handler,
        "已收到，正在处理",
        True,
    )


def test_accepting_twice_is_409_and_keeps_the_first_response_time(handler, assigned):
    case = assigned("urban")
    client = login(handler)
    client.post(case_url(case, "accept"), {"accept-note": ""})
    before = snapshot(case)

    response = client.post(case_url(case, "accept"), {"accept-note": ""})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_handler_returns_a_case(handler, assigned, units):
    case = assigned("urban")

    response = login(handler).post(
        case_url(case, "return"),
        {"return-reason_choice": other_reason(), "return-reason": "属于市场监管"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    assert case.unit is None
    event = last_event(case)
    assert (event.action, event.note, event.unit) == (Action.RETURN, "属于市场监管", units["urban"])
    # The case has left the handler's reach.
    assert login(handler).get(case_url(case)).status_code == 404


def test_supervisor_returning_stays_on_the_case(supervisor, assigned):
    case = assigned("urban")

    response = login(supervisor).post(
        case_url(case, "return"),
        {"return-reason_choice": other_reason(), "return-reason": "派错了"},
    )

    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == Status.RETURNED


def test_returned_case_can_be_assigned_again(supervisor, handler, assigned, units):
    case = assigned("urban")
    login(handler).post(
        case_url(case, "return"),
        {"return-reason_choice": other_reason(), "return-reason": "不是我们的"},
    )

    response = login(supervisor).post(case_url(case, "assign"), {"assign-unit": units["market"].pk})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit) == (Status.ASSIGNED, units["market"])


def test_return_needs_a_reason(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    # "Other" needs words; no reason chosen at all is refused too.
    other = login(handler).post(
        case_url(case, "return"), {"return-reason_choice": other_reason(), "return-reason": "   "}
    )
    none = login(handler).post(case_url(case, "return"), {"return-reason": "不是我们的"})

    assert other.status_code == 400
    assert (
        "Say why the case is not for your unit."
        in other.context["forms"]["return"].errors["reason"]
    )
    assert none.status_code == 400
    assert none.context["forms"]["return"].errors["reason_choice"]
    assert snapshot(case) == before
