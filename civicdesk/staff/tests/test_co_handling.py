"""Lead and co-handling units (主办/协办, issue 16, item 1): each co-handling unit gives its
part; the lead unit gives the official answer once every part is in, or after a supervisor
waived a missing part with a reason."""

import pytest

from civicdesk.cases.models import CoUnit
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url, errors_of, last_event, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def co_handled(assigned, units, supervisor):
    """A case led by urban with market co-handling it, added through the case page."""
    case = assigned("urban")
    response = login(supervisor).post(
        case_url(case, "add_co_unit"), {"add_co_unit-unit": units["market"].pk}
    )
    assert response.status_code == 302
    return case


def test_a_supervisor_adds_a_co_handling_unit(co_handled, units, supervisor):
    event = last_event(co_handled)
    assert (event.action, event.unit, event.is_public) == (
        Action.ADD_CO_UNIT,
        units["market"],
        True,
    )
    page = login(supervisor).get(case_url(co_handled)).content.decode()
    assert 'id="co-unit-market"' in page and "part missing" in page


def test_the_lead_unit_cannot_be_a_co_handling_unit(assigned, units, supervisor):
    case = assigned("urban")
    before = snapshot(case)

    response = login(supervisor).post(
        case_url(case, "add_co_unit"), {"add_co_unit-unit": units["urban"].pk}
    )

    assert response.status_code == 400
    assert "城市管理局 is the lead unit of this case" in errors_of(response, "add_co_unit")
    assert "unit" in response.context["forms"]["add_co_unit"].errors
    assert snapshot(case) == before and not CoUnit.objects.exists()


def test_a_unit_co_handles_a_case_once(co_handled, units, supervisor):
    response = login(supervisor).post(
        case_url(co_handled, "add_co_unit"), {"add_co_unit-unit": units["market"].pk}
    )

    assert response.status_code == 400
    assert "already co-handles" in errors_of(response, "add_co_unit")
    assert CoUnit.objects.count() == 1


def test_the_co_handling_unit_sees_the_case_and_gives_its_part(co_handled, other_handler):
    # The co-handling unit finds it where its handlers land: their open cases.
    inbox = login(other_handler).get("/staff/", follow=True).content.decode()
    page = login(other_handler).get(case_url(co_handled))

    assert co_handled.tracking_code in inbox
    assert page.status_code == 200
    # Its only action is its part: the lead unit's actions are not its own.
    assert list(page.context["forms"]) == [Action.PART]

    response = login(other_handler).post(
        case_url(co_handled, "part"),
        {"part-unit": co_handled.co_units.get().unit_id, "part-text": "已检查该商铺，证照齐全"},
    )

    assert response.status_code == 302
    part = co_handled.co_units.get()
    assert (part.part, part.part_by, part.is_in) == ("已检查该商铺，证照齐全", other_handler, True)
    event = last_event(co_handled)
    assert (event.action, event.is_public) == (Action.PART, False)


def test_a_co_handling_unit_cannot_answer_return_or_accept(co_handled, other_handler):
    before = snapshot(co_handled)
    client = login(other_handler)

    for action, data in [
        ("answer", {"answer-text": "已处理"}),
        ("accept", {}),
        ("return", {"return-reason": "不是我们的"}),
    ]:
        assert client.post(case_url(co_handled, action), data).status_code == 409

    assert snapshot(co_handled) == before


def test_the_lead_unit_answers_only_once_the_parts_are_in(co_handled, handler, other_handler):
    before = snapshot(co_handled)

    early = login(handler).post(case_url(co_handled, "answer"), {"answer-text": "已修复路灯"})

    assert early.status_code == 409
    assert "not all in: 市场监管局" in errors_of(early, "answer")
    assert snapshot(co_handled) == before

    login(other_handler).post(
        case_url(co_handled, "part"),
        {"part-unit": co_handled.co_units.get().unit_id, "part-text": "商铺已整改"},
    )
    answered = login(handler).post(case_url(co_handled, "answer"), {"answer-text": "已修复路灯"})

    assert answered.status_code == 302
    co_handled.refresh_from_db()
    assert co_handled.status == Status.ANSWERED


def test_a_supervisor_waives_a_missing_part_with_a_reason(co_handled, supervisor, handler):
    no_reason = login(supervisor).post(
        case_url(co_handled, "waive_part"),
        {"waive_part-unit": co_handled.co_units.get().unit_id, "waive_part-reason": " "},
    )
    assert no_reason.status_code == 400
    assert co_handled.co_units.get().waived_at is None

    waived = login(supervisor).post(
        case_url(co_handled, "waive_part"),
        {
            "waive_part-unit": co_handled.co_units.get().unit_id,
            "waive_part-reason": "市场监管局已书面说明无执法事项",
        },
    )
    answered = login(handler).post(case_url(co_handled, "answer"), {"answer-text": "已修复路灯"})

    assert waived.status_code == 302
    assert co_handled.co_units.get().waived_reason == "市场监管局已书面说明无执法事项"
    assert answered.status_code == 302
    assert co_handled.events.filter(action=Action.WAIVE_PART).exists()


def test_handlers_cannot_waive_parts(co_handled, handler):
    response = login(handler).post(
        case_url(co_handled, "waive_part"),
        {"waive_part-unit": co_handled.co_units.get().unit_id, "waive_part-reason": "不等了"},
    )

    assert response.status_code == 409
    assert co_handled.co_units.get().waived_at is None


def test_a_co_handling_unit_without_its_part_can_be_removed(co_handled, units, supervisor):
    response = login(supervisor).post(
        case_url(co_handled, "remove_co_unit"),
        {"remove_co_unit-unit": units["market"].pk, "remove_co_unit-note": "加错了"},
    )

    assert response.status_code == 302
    assert not co_handled.co_units.exists()
    assert last_event(co_handled).action == Action.REMOVE_CO_UNIT


def test_a_co_handling_unit_cannot_become_the_lead_while_it_co_handles(
    co_handled, units, supervisor
):
    before = snapshot(co_handled)

    response = login(supervisor).post(
        case_url(co_handled, "reassign"), {"reassign-unit": units["market"].pk}
    )

    assert response.status_code == 400
    assert "co-handles this case" in str(response.context["forms"]["reassign"].errors["unit"])
    assert snapshot(co_handled) == before
