"""Work orders and supervision through the API (issue 16, items 1-4), with the pages' rules:
404 for what the caller may not see, 403 for what their role may not do, 409 for what the case
does not allow now, 422 naming the field for bad input, and nothing half-saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import ClockRequest, CoUnit, DispatchRule
from civicdesk.cases.services import case_assign
from civicdesk.supervision.models import LeaderInstruction, SupervisionLetter

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def fields(response) -> dict[str, str]:
    return {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}


@pytest.fixture
def case(make_case, units, supervisor):
    return case_assign(case=make_case(), unit=units["urban"], actor=supervisor)


def test_the_case_detail_carries_the_work_order(api_as, handler, case):
    body = api_as(handler).get(f"{CASES}/{case.pk}").json()

    assert body["work_order"]["co_units"] == [] and body["work_order"]["return_count"] == 0
    assert "request_extension" in body["allowed_actions"]
    assert "decide_request" not in body["allowed_actions"]


def test_co_handling_through_the_api(api_as, supervisor, handler, other_handler, case):
    boss = api_as(supervisor)
    same = boss.post(f"{CASES}/{case.pk}/co-units", {"unit": "urban"})
    added = boss.post(f"{CASES}/{case.pk}/co-units", {"unit": "market"})
    by_handler = api_as(handler).post(f"{CASES}/{case.pk}/co-units", {"unit": "east-street"})
    early = api_as(handler).post(f"{CASES}/{case.pk}/reply", {"text": "已修复"})
    part = api_as(other_handler).post(
        f"{CASES}/{case.pk}/co-units/market/part", {"text": "商铺已整改"}
    )
    answered = api_as(handler).post(f"{CASES}/{case.pk}/reply", {"text": "已修复"})

    assert same.status_code == 422 and "lead unit" in fields(same)["unit"]
    assert added.status_code == 200
    assert by_handler.status_code == 403
    assert early.status_code == 409 and "not all in" in early.json()["detail"]
    assert part.status_code == 200
    assert part.json()["work_order"]["co_units"][0]["is_in"] is True
    assert answered.status_code == 200
    assert CoUnit.objects.count() == 1


def test_an_extension_through_the_api(api_as, handler, supervisor, case):
    due = timezone.localtime(case.answer_due_at).date()
    past = api_as(handler).post(
        f"{CASES}/{case.pk}/extension",
        {"new_date": (timezone.localdate() - timedelta(days=1)).isoformat(), "reason": "等待"},
    )
    no_reason = api_as(handler).post(
        f"{CASES}/{case.pk}/extension",
        {"new_date": (due + timedelta(days=3)).isoformat(), "reason": ""},
    )
    asked = api_as(handler).post(
        f"{CASES}/{case.pk}/extension",
        {"new_date": (due + timedelta(days=3)).isoformat(), "reason": "需协调供电公司"},
    )
    own = api_as(handler).post(f"{CASES}/{case.pk}/decide", {"approve": True})
    approved = api_as(supervisor).post(f"{CASES}/{case.pk}/decide", {"approve": True})

    assert past.status_code == 422 and "after today" in fields(past)["new_date"]
    assert no_reason.status_code == 422 and "reason" in fields(no_reason)
    assert asked.status_code == 200
    assert own.status_code == 403
    assert approved.status_code == 200
    request = approved.json()["work_order"]["clock_requests"][0]
    assert (request["kind"], request["status"]) == ("extension", "approved")
    assert ClockRequest.objects.count() == 1


def test_a_suspension_needs_a_known_ground(api_as, handler, case):
    response = api_as(handler).post(
        f"{CASES}/{case.pk}/suspension",
        {
            "ground": "holiday",
            "new_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "reason": "x",
        },
    )

    assert response.status_code == 422 and "ground" in fields(response)
    assert not ClockRequest.objects.exists()


def test_returns_take_a_reason_code(api_as, handler, case):
    unknown = api_as(handler).post(f"{CASES}/{case.pk}/return", {"reason_code": "bored"})
    returned = api_as(handler).post(f"{CASES}/{case.pk}/return", {"reason_code": "outside-area"})
    reasons = api_as(handler).get("/api/v1/work-orders/return-reasons").json()

    assert unknown.status_code == 422 and "reason_code" in fields(unknown)
    assert returned.status_code == 200
    assert returned.json()["work_order"]["return_count"] == 1
    assert {"other", "outside-area"} <= {reason["code"] for reason in reasons}


def test_dispatch_rules_through_the_api(api_as, supervisor, clerk):
    boss = api_as(supervisor)
    nothing = boss.post("/api/v1/work-orders/dispatch-rules", {"unit": "urban"})
    created = boss.post(
        "/api/v1/work-orders/dispatch-rules", {"category": "street-lights", "unit": "urban"}
    )
    by_clerk = api_as(clerk).post(
        "/api/v1/work-orders/dispatch-rules", {"category": "noise", "unit": "urban"}
    )

    assert nothing.status_code == 422 and "category" in fields(nothing)
    assert created.status_code == 201
    assert by_clerk.status_code == 403
    assert DispatchRule.objects.count() == 1
    rule_id = created.json()["id"]
    assert boss.post(f"/api/v1/work-orders/dispatch-rules/{rule_id}/off", {}).status_code == 200
    assert not DispatchRule.objects.get().is_active


def test_queues_are_for_district_roles(api_as, handler, supervisor):
    assert api_as(handler).get("/api/v1/work-orders/arbitration").status_code == 403
    assert api_as(handler).get("/api/v1/work-orders/requests").status_code == 403
    assert api_as(supervisor).get("/api/v1/work-orders/arbitration").json() == []


def test_letters_and_instructions_through_the_api(api_as, supervisor, handler, leader, case):
    subject = {"kind": "case", "id": case.pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = api_as(supervisor).post(
        "/api/v1/supervision/letters",
        {
            "subject": subject,
            "requirement": "报告进度",
            "deadline": timezone.localdate().isoformat(),
        },
    )
    by_leader = api_as(leader).post(
        "/api/v1/supervision/letters",
        {"subject": subject, "requirement": "报告进度", "deadline": tomorrow},
    )
    issued = api_as(supervisor).post(
        "/api/v1/supervision/letters",
        {"subject": subject, "requirement": "报告进度", "deadline": tomorrow},
    )
    letter_id = issued.json()["id"]
    replied = api_as(handler).post(
        f"/api/v1/supervision/letters/{letter_id}/reply", {"reply": "已完成维修"}
    )
    instructed = api_as(leader).post(
        "/api/v1/supervision/instructions", {"subject": subject, "text": "尽快解决"}
    )
    acknowledged = api_as(handler).post(
        f"/api/v1/supervision/instructions/{instructed.json()['id']}/acknowledge",
        {"acknowledgement": "本周内完成"},
    )

    assert bad.status_code == 422 and "after today" in fields(bad)["deadline"]
    assert by_leader.status_code == 403
    assert issued.status_code == 201 and issued.json()["unit"]["code"] == "urban"
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert [step["action"] for step in replied.json()["history"]] == ["issue", "reply"]
    assert instructed.status_code == 201
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert SupervisionLetter.objects.count() == LeaderInstruction.objects.count() == 1


def test_another_unit_does_not_see_letters(api_as, supervisor, other_handler, case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    issued = api_as(supervisor).post(
        "/api/v1/supervision/letters",
        {"subject": {"kind": "case", "id": case.pk}, "requirement": "报告", "deadline": tomorrow},
    )

    other = api_as(other_handler)
    assert other.get(f"/api/v1/supervision/letters/{issued.json()['id']}").status_code == 404
    assert other.get("/api/v1/supervision/letters").json() == []
