"""Returns with limits (issue 16, item 2): a unit returns a case with a reason from the list;
after CIVICDESK_RETURN_LIMIT returns the case waits for a supervisor's arbitration, whose
choice of unit binds: that unit cannot return it."""

import pytest

from civicdesk.cases.models import ReturnReason
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url, last_event, snapshot

pytestmark = pytest.mark.django_db


def reason(code: str) -> int:
    return ReturnReason.objects.get(code=code).pk


def send_back(client, case, code: str = "not-our-remit", words: str = ""):
    return client.post(
        case_url(case, "return"), {"return-reason_choice": reason(code), "return-reason": words}
    )


@pytest.fixture
def twice_returned(assigned, units, supervisor, handler, other_handler):
    """Returned by urban, assigned to market, returned by market: the limit (2) is reached."""
    case = assigned("urban")
    assert send_back(login(handler), case).status_code == 302
    login(supervisor).post(case_url(case, "assign"), {"assign-unit": units["market"].pk})
    assert send_back(login(other_handler), case, "outside-area").status_code == 302
    case.refresh_from_db()
    return case


def test_a_return_records_the_reason_chosen(assigned, handler):
    case = assigned("urban")

    response = send_back(login(handler), case, "unclear", "电话打不通，地址不详")

    assert response.status_code == 302
    event = last_event(case)
    assert event.action == Action.RETURN
    assert event.data == {"reason": "unclear", "returns": 1, "arbitration": False}
    assert event.note == "电话打不通，地址不详"


def test_a_reason_switched_off_is_no_longer_offered(assigned, handler):
    ReturnReason.objects.filter(code="unclear").update(is_active=False)
    case = assigned("urban")
    before = snapshot(case)

    page = login(handler).get(case_url(case)).content.decode()
    response = send_back(login(handler), case, "unclear")

    assert "诉求不清" not in page
    assert response.status_code == 400
    assert snapshot(case) == before


def test_the_limit_sends_the_case_to_arbitration(twice_returned, supervisor, clerk):
    case = twice_returned
    assert (case.status, case.return_count) == (Status.RETURNED, 2)
    assert case.arbitration_since is not None
    assert last_event(case).data["arbitration"] is True

    queue = login(supervisor).get("/staff/work-orders/")
    clerk_page = login(clerk).get(case_url(case))

    assert case in list(queue.context["arbitration"])
    # The clerks no longer route it: only a supervisor's arbitration does.
    assert "assign" not in clerk_page.context["forms"]
    before = snapshot(case)
    assert login(clerk).post(case_url(case, "assign"), {"assign-unit": 1}).status_code == 409
    assert snapshot(case) == before


def test_a_supervisor_cannot_route_around_the_arbitration(twice_returned, supervisor, units):
    before = snapshot(twice_returned)

    response = login(supervisor).post(
        case_url(twice_returned, "assign"), {"assign-unit": units["urban"].pk}
    )

    assert response.status_code == 409
    assert snapshot(twice_returned) == before


def test_the_arbitration_binds_the_unit_chosen(twice_returned, supervisor, handler, units):
    case = twice_returned
    no_reason = login(supervisor).post(
        case_url(case, "arbitrate"),
        {"arbitrate-unit": units["urban"].pk, "arbitrate-reason": ""},
    )
    assert no_reason.status_code == 400

    response = login(supervisor).post(
        case_url(case, "arbitrate"),
        {"arbitrate-unit": units["urban"].pk, "arbitrate-reason": "路灯属城管局职责，见三定方案"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit, case.bound_unit) == (
        Status.ASSIGNED,
        units["urban"],
        units["urban"],
    )
    assert (case.arbitration_since, case.return_count) == (None, 0)
    assert last_event(case).action == Action.ARBITRATE
    assert case not in list(login(supervisor).get("/staff/work-orders/").context["arbitration"])

    # The unit chosen may not send it back, neither from the page nor around it.
    page = login(handler).get(case_url(case))
    assert "return" not in page.context["forms"]
    before = snapshot(case)
    refused = send_back(login(handler), case)
    assert refused.status_code == 409
    assert snapshot(case) == before


def test_the_refusal_names_the_arbitration(twice_returned, supervisor, handler, units):
    from civicdesk.cases.services import CaseActionError, case_return

    login(supervisor).post(
        case_url(twice_returned, "arbitrate"),
        {"arbitrate-unit": units["urban"].pk, "arbitrate-reason": "职责明确"},
    )
    with pytest.raises(CaseActionError, match="arbitration gave this case to 城市管理局"):
        case_return(case=twice_returned, actor=handler, reason="还是不归我们")


def test_handlers_and_clerks_do_not_arbitrate(twice_returned, handler, clerk, units):
    before = snapshot(twice_returned)
    for user in (handler, clerk):
        response = login(user).post(
            case_url(twice_returned, "arbitrate"),
            {"arbitrate-unit": units["urban"].pk, "arbitrate-reason": "x"},
        )
        assert response.status_code in (404, 409)
    assert snapshot(twice_returned) == before


def test_the_limit_is_a_setting(settings, assigned, handler):
    settings.CIVICDESK_RETURN_LIMIT = 1
    case = assigned("urban")

    response = send_back(login(handler), case)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.arbitration_since is not None


def test_the_arbitration_page_lists_the_returns_with_their_reasons(twice_returned, supervisor):
    page = login(supervisor).get(case_url(twice_returned)).content.decode()

    assert "Not within our unit" in page and "Outside our unit" in page
    assert 'id="arbitration"' in page
