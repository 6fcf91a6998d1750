"""The work-order operations the pages have and test_workorders.py does not reach through the
API (issue 16, items 1-4): undoing an automatic dispatch, giving a case to a person or grid,
removing a co-handling unit and waiving its part, the binding arbitration, resuming a
suspension, and sending a letter's reply back. Same rules as the pages: 403 for the role, 409
for what the case does not allow now, 422 naming the field, and nothing half-saved."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Case, Category, CoUnit, DispatchRule, Grid
from civicdesk.cases.services import case_assign
from civicdesk.cases.workflow import Action, Status
from civicdesk.supervision.models import SupervisionLetter

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def fields(response) -> dict[str, str]:
    return {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}


def last_action(case: Case) -> str:
    return case.events.order_by("-pk").first().action


@pytest.fixture
def case(make_case, units, supervisor):
    return case_assign(case=make_case(), unit=units["urban"], actor=supervisor)


def test_undo_an_automatic_dispatch(api_as, units, clerk, handler):
    DispatchRule.objects.create(
        unit=units["urban"], category=Category.objects.get(code="street-lights")
    )
    reported = Client().post(
        "/api/v1/submissions",
        {"description": "东苑小区门口路灯不亮", "category": "street-lights"},
        content_type="application/json",
    )
    case = Case.objects.get(tracking_code=reported.json()["tracking_code"])
    assert case.unit == units["urban"]

    by_handler = api_as(handler).post(f"{CASES}/{case.pk}/undo-dispatch", {"note": "不是我们的"})
    undone = api_as(clerk).post(f"{CASES}/{case.pk}/undo-dispatch", {"note": "派错了"})
    again = api_as(clerk).post(f"{CASES}/{case.pk}/undo-dispatch", {"note": ""})

    assert by_handler.status_code == 403
    assert undone.status_code == 200 and undone.json()["status"] == Status.RECEIVED
    case.refresh_from_db()
    assert (case.unit, last_action(case)) == (None, Action.UNDO_DISPATCH)
    assert again.status_code == 409


def test_a_dispatch_by_hand_cannot_be_undone(api_as, clerk, case):
    response = api_as(clerk).post(f"{CASES}/{case.pk}/undo-dispatch", {"note": ""})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_give_to_a_person_and_a_grid_of_the_unit(api_as, units, handler, other_handler, case):
    Grid.objects.create(unit=units["urban"], code="urban-g1", name="城管第一网格")
    Grid.objects.create(unit=units["market"], code="m1", name="市场网格")
    api = api_as(handler)

    unknown = api.post(f"{CASES}/{case.pk}/give", {"assignee": "nobody"})
    no_grid = api.post(f"{CASES}/{case.pk}/give", {"grid": "nowhere"})
    foreign = api.post(f"{CASES}/{case.pk}/give", {"assignee": other_handler.username})
    foreign_grid = api.post(f"{CASES}/{case.pk}/give", {"grid": "m1"})
    case.refresh_from_db()
    assert (case.assignee, case.grid) == (None, None)
    assert unknown.status_code == 422 and "nobody" in fields(unknown)["assignee"]
    assert no_grid.status_code == 422 and "nowhere" in fields(no_grid)["grid"]
    assert foreign.status_code == 422 and "assignee" in fields(foreign)
    assert foreign_grid.status_code == 422 and "grid" in fields(foreign_grid)

    given = api.post(
        f"{CASES}/{case.pk}/give",
        {"assignee": handler.username, "grid": "urban-g1", "note": "请网格员核实"},
    )
    assert given.status_code == 200
    case.refresh_from_db()
    assert (case.assignee, case.grid.code) == (handler, "urban-g1")
    assert last_action(case) == Action.GIVE
    # Another unit's handler does not see the case at all.
    assert api_as(other_handler).post(f"{CASES}/{case.pk}/give", {}).status_code == 404


def test_remove_a_co_unit_and_waive_a_part(api_as, supervisor, handler, case):
    boss = api_as(supervisor)
    for unit in ("market", "east-street"):
        assert boss.post(f"{CASES}/{case.pk}/co-units", {"unit": unit}).status_code == 200

    by_handler = api_as(handler).post(f"{CASES}/{case.pk}/co-units/market/remove", {"note": ""})
    removed = boss.post(f"{CASES}/{case.pk}/co-units/market/remove", {"note": "不涉及"})
    assert by_handler.status_code == 403
    assert removed.status_code == 200
    assert list(CoUnit.objects.values_list("unit__code", flat=True)) == ["east-street"]

    handler_waives = api_as(handler).post(
        f"{CASES}/{case.pk}/co-units/east-street/waive", {"reason": "已超期"}
    )
    no_reason = boss.post(f"{CASES}/{case.pk}/co-units/east-street/waive", {"reason": ""})
    assert handler_waives.status_code == 403
    assert no_reason.status_code == 422 and "reason" in fields(no_reason)
    early = api_as(handler).post(f"{CASES}/{case.pk}/reply", {"text": "已修复"})
    assert early.status_code == 409

    waived = boss.post(
        f"{CASES}/{case.pk}/co-units/east-street/waive", {"reason": "街道逾期未回复，已电话核实"}
    )
    assert waived.status_code == 200
    assert api_as(handler).post(f"{CASES}/{case.pk}/reply", {"text": "已修复"}).status_code == 200


def test_arbitration_through_the_api_binds(api_as, units, supervisor, handler, other_handler, case):
    limit = settings.CIVICDESK_RETURN_LIMIT
    assert limit == 2
    first = api_as(handler).post(f"{CASES}/{case.pk}/return", {"reason_code": "not-our-remit"})
    assert first.status_code == 200
    routed = api_as(supervisor).post(f"{CASES}/{case.pk}/assign", {"unit": "market"})
    assert routed.status_code == 200
    second = api_as(other_handler).post(
        f"{CASES}/{case.pk}/return", {"reason_code": "outside-area"}
    )
    assert second.status_code == 200
    queue = api_as(supervisor).get("/api/v1/work-orders/arbitration").json()
    assert [row["id"] for row in queue] == [case.pk] and queue[0]["return_count"] == limit

    around = api_as(supervisor).post(f"{CASES}/{case.pk}/assign", {"unit": "urban"})
    by_handler = api_as(handler).post(
        f"{CASES}/{case.pk}/arbitrate", {"unit": "urban", "reason": "职责"}
    )
    no_reason = api_as(supervisor).post(
        f"{CASES}/{case.pk}/arbitrate", {"unit": "urban", "reason": ""}
    )
    assert around.status_code == 409
    assert by_handler.status_code in (403, 404)
    assert no_reason.status_code == 422 and "reason" in fields(no_reason)

    decided = api_as(supervisor).post(
        f"{CASES}/{case.pk}/arbitrate", {"unit": "urban", "reason": "路灯属城管局职责，见三定方案"}
    )
    assert decided.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.unit, case.bound_unit) == (
        Status.ASSIGNED,
        units["urban"],
        units["urban"],
    )
    refused = api_as(handler).post(f"{CASES}/{case.pk}/return", {"reason_code": "not-our-remit"})
    assert refused.status_code == 409
    assert api_as(supervisor).get("/api/v1/work-orders/arbitration").json() == []


def test_resume_a_suspension_through_the_api(api_as, handler, supervisor, case):
    asked = api_as(handler).post(
        f"{CASES}/{case.pk}/suspension",
        {
            "ground": "survey",
            "new_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
            "reason": "等待司法鉴定结论",
        },
    )
    assert asked.status_code == 200
    early = api_as(handler).post(f"{CASES}/{case.pk}/resume", {"note": ""})
    assert early.status_code == 409
    assert api_as(supervisor).post(f"{CASES}/{case.pk}/decide", {"approve": True}).status_code == (
        200
    )
    case.refresh_from_db()
    assert case.is_suspended

    resumed = api_as(handler).post(f"{CASES}/{case.pk}/resume", {"note": "鉴定结论已出"})
    assert resumed.status_code == 200
    case.refresh_from_db()
    assert not case.is_suspended and last_action(case) == Action.RESUME


def test_a_letters_reply_sent_back_through_the_api(api_as, supervisor, handler, case):
    issued = api_as(supervisor).post(
        "/api/v1/supervision/letters",
        {
            "subject": {"kind": "case", "id": case.pk},
            "requirement": "报告进度并附照片",
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    letter_id = issued.json()["id"]
    api_as(handler).post(f"/api/v1/supervision/letters/{letter_id}/reply", {"reply": "已修复"})

    by_handler = api_as(handler).post(
        f"/api/v1/supervision/letters/{letter_id}/send-back", {"note": "自己退回"}
    )
    sent_back = api_as(supervisor).post(
        f"/api/v1/supervision/letters/{letter_id}/send-back", {"note": "未附现场照片"}
    )
    assert by_handler.status_code == 403
    assert sent_back.status_code == 200 and sent_back.json()["status"] == "open"
    assert [step["action"] for step in sent_back.json()["history"]] == [
        "issue",
        "reply",
        "send_back",
    ]
    closed_early = api_as(supervisor).post(
        f"/api/v1/supervision/letters/{letter_id}/close", {"note": ""}
    )
    assert closed_early.status_code == 409
    api_as(handler).post(
        f"/api/v1/supervision/letters/{letter_id}/reply", {"reply": "已修复，照片见附件"}
    )
    closed = api_as(supervisor).post(f"/api/v1/supervision/letters/{letter_id}/close", {"note": ""})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert SupervisionLetter.objects.get().status == "closed"
