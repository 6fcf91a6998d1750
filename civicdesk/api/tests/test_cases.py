"""Staff work on cases through the API: token auth, visibility, and workflow actions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import case_accept, case_add_note, case_answer, case_assign

from .conftest import ApiClient

CASES = "/api/v1/cases"


@pytest.fixture
def assigned(make_case, supervisor, units):
    """A case with the urban department."""
    case = make_case(contact_name="王小明", contact_phone="13912345678")
    return case_assign(case=case, unit=units["urban"], actor=supervisor)


@pytest.fixture
def elsewhere(make_case, supervisor, units):
    """A case with the market department, out of the urban handler's reach."""
    return case_assign(case=make_case(), unit=units["market"], actor=supervisor)


# --- Authentication --------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_token_is_401(assigned):
    response = Client().get(CASES)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


@pytest.mark.django_db
def test_unknown_token_is_401(assigned):
    assert ApiClient("cd_wrong").get(CASES).status_code == 401


@pytest.mark.django_db
def test_revoked_token_is_401(handler, assigned):
    token, raw = ApiToken.issue(user=handler, name="phone")
    token.revoked_at = timezone.now()
    token.save()

    assert ApiClient(raw).get(CASES).status_code == 401


@pytest.mark.django_db
def test_token_of_inactive_or_roleless_user_is_401(handler, assigned):
    _, raw = ApiToken.issue(user=handler, name="phone")
    handler.role = ""
    handler.save()

    assert ApiClient(raw).get(CASES).status_code == 401


@pytest.mark.django_db
def test_valid_token_records_its_use(handler, assigned):
    token, raw = ApiToken.issue(user=handler, name="phone")

    assert ApiClient(raw).get(CASES).status_code == 200

    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_handler_lists_only_own_subtree(api_as, handler, assigned, elsewhere):
    body = api_as(handler).get(CASES).json()

    assert body["count"] == 1
    assert [item["tracking_code"] for item in body["items"]] == [assigned.tracking_code]
    assert body["items"][0]["unit"] == {"code": "urban", "name": assigned.unit.name}


@pytest.mark.django_db
def test_supervisor_lists_everything_and_filters(
    api_as, supervisor, assigned, elsewhere, make_case
):
    unrouted = make_case(description="另一件事 噪音")
    client = api_as(supervisor)

    assert client.get(CASES).json()["count"] == 3
    by_unit = client.get(CASES, unit="market").json()
    assert [i["id"] for i in by_unit["items"]] == [elsewhere.pk]
    by_status = client.get(CASES, status="received").json()
    assert [i["id"] for i in by_status["items"]] == [unrouted.pk]
    assert client.get(CASES, q="噪音").json()["items"][0]["id"] == unrouted.pk
    assert client.get(CASES, channel="snapshot").json()["count"] == 3
    assert client.get(CASES, channel="phone").json()["count"] == 0
    today = timezone.localdate()
    assert client.get(CASES, received_after=today.isoformat()).json()["count"] == 3
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get(CASES, received_after=tomorrow).json()["count"] == 0
    assert client.get(CASES, received_before=today.isoformat()).json()["count"] == 3


@pytest.mark.django_db
def test_overdue_and_category_filters(api_as, supervisor, make_case):
    from civicdesk.cases.models import Category

    lights = Category.objects.get(code="street-lights")
    late = make_case(category=lights)
    Case.objects.filter(pk=late.pk).update(assign_due_at=timezone.now() - timedelta(hours=1))
    on_time = make_case()
    client = api_as(supervisor)

    assert [i["id"] for i in client.get(CASES, overdue="true").json()["items"]] == [late.pk]
    assert [i["id"] for i in client.get(CASES, overdue="false").json()["items"]] == [on_time.pk]
    assert client.get(CASES, overdue="true").json()["items"][0]["overdue"] is True
    assert [i["id"] for i in client.get(CASES, category="street-lights").json()["items"]] == [
        late.pk
    ]
    # An aspect includes the categories under it.
    assert client.get(CASES, category="urban").json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"unit": "atlantis"}, "unit"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"category": "moon"}, "category"),
        ({"status": "lost"}, "status"),
        ({"received_after": "yesterday"}, "received_after"),
        ({"limit": 101}, "limit"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api_as, supervisor, params, field):
    response = api_as(supervisor).get(CASES, **params)

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][-1] == field
    assert error["msg"].startswith(f"{field}: ")


@pytest.mark.django_db
def test_pagination(api_as, supervisor, make_case):
    for _ in range(3):
        make_case()
    client = api_as(supervisor)

    page = client.get(CASES, limit=2, offset=0).json()
    rest = client.get(CASES, limit=2, offset=2).json()

    assert page["count"] == rest["count"] == 3
    assert len(page["items"]) == 2
    assert len(rest["items"]) == 1
    ids = {i["id"] for i in page["items"]} | {i["id"] for i in rest["items"]}
    assert ids == set(Case.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_detail_includes_internal_notes_for_staff(api_as, handler, assigned):
    case_add_note(case=assigned, actor=handler, text="内部 已联系物业")

    body = api_as(handler).get(f"{CASES}/{assigned.pk}").json()

    assert body["tracking_code"] == assigned.tracking_code
    assert body["submission"]["contact_phone"] == "13912345678"
    note = body["timeline"][-1]
    assert note["action"] == "note"
    assert note["is_public"] is False
    assert note["note"] == "内部 已联系物业"
    assert note["actor"] == "handler"
    assert "accept" in body["allowed_actions"]


@pytest.mark.django_db
def test_other_units_case_is_404(api_as, handler, elsewhere):
    client = api_as(handler)

    assert client.get(f"{CASES}/{elsewhere.pk}").status_code == 404
    response = client.post(f"{CASES}/{elsewhere.pk}/reply", {"text": "不是我们的"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    elsewhere.refresh_from_db()
    assert elsewhere.status == "assigned"
    assert elsewhere.answer == ""


@pytest.mark.django_db
def test_missing_case_is_404(api_as, supervisor):
    assert api_as(supervisor).get(f"{CASES}/999999").status_code == 404


# --- Actions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_assign_routes_case_and_logs_event(api_as, clerk, make_case, units):
    case = make_case()

    response = api_as(clerk).post(
        f"{CASES}/{case.pk}/assign", {"unit": "urban", "note": "路灯归城管"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned"
    case.refresh_from_db()
    assert case.status == "assigned"
    assert case.unit == units["urban"]
    assert case.assigned_at is not None
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("assign", "received", "assigned")
    assert event.actor == clerk
    assert event.unit == units["urban"]
    assert event.note == "路灯归城管"


@pytest.mark.django_db
def test_assign_to_unknown_unit_is_422(api_as, clerk, make_case):
    case = make_case()

    response = api_as(clerk).post(f"{CASES}/{case.pk}/assign", {"unit": "atlantis"})

    assert response.status_code == 422
    assert "atlantis" in response.json()["detail"][0]["msg"]
    case.refresh_from_db()
    assert case.status == "received"


@pytest.mark.django_db
def test_reply_answers_case_and_logs_public_event(api_as, handler, assigned):
    response = api_as(handler).post(f"{CASES}/{assigned.pk}/reply", {"text": " 已修复路灯。 "})

    assert response.status_code == 200, response.content
    assigned.refresh_from_db()
    assert assigned.status == "answered"
    assert assigned.answer == "已修复路灯。"
    assert assigned.answered_at is not None
    assert assigned.first_responded_at is not None
    event = assigned.events.last()
    assert (event.action, event.is_public, event.actor) == ("answer", True, handler)
    assert response.json()["answer"] == "已修复路灯。"


@pytest.mark.django_db
def test_accept_note_return_close_escalate(api_as, handler, supervisor, assigned):
    as_handler, as_supervisor = api_as(handler), api_as(supervisor)

    assert as_handler.post(f"{CASES}/{assigned.pk}/accept", {}).status_code == 200
    assert as_handler.post(f"{CASES}/{assigned.pk}/note", {"text": "在办"}).status_code == 200
    assert (
        as_supervisor.post(f"{CASES}/{assigned.pk}/escalate", {"note": "催办"}).status_code == 200
    )
    assert (
        as_handler.post(f"{CASES}/{assigned.pk}/return", {"reason": "非本单位"}).status_code == 200
    )

    assigned.refresh_from_db()
    assert assigned.status == "returned"
    assert assigned.unit is None
    assert assigned.escalated_at is not None
    actions = list(assigned.events.values_list("action", flat=True))
    assert actions == ["create", "assign", "accept", "note", "escalate", "return"]


@pytest.mark.django_db
def test_close_answered_case(api_as, handler, supervisor, assigned):
    case_answer(case=assigned, actor=handler, text="已处理")

    response = api_as(supervisor).post(f"{CASES}/{assigned.pk}/close", {"note": "回访满意"})

    assert response.status_code == 200, response.content
    assigned.refresh_from_db()
    assert assigned.status == "closed"
    assert assigned.closed_at is not None


@pytest.mark.django_db
def test_merge_by_tracking_code(api_as, clerk, make_case):
    kept, duplicate = make_case(), make_case()
    code = kept.tracking_code.lower().replace("-", "")

    response = api_as(clerk).post(f"{CASES}/{duplicate.pk}/merge", {"into": code})

    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    assert duplicate.merged_into == kept
    assert response.json()["merged_into"] == kept.tracking_code
    unknown = api_as(clerk).post(f"{CASES}/{kept.pk}/merge", {"into": "2345-6789-AB"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "into"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("assign", {"unit": "market"}),
        ("accept", {}),
        ("reply", {"text": "x"}),
        ("note", {"text": "x"}),
        ("return", {"reason": "x"}),
        ("escalate", {"note": "x"}),
        ("merge", {"into": "2345-6789-AB"}),
    ],
)
def test_leader_is_read_only(api_as, leader, assigned, action, body):
    client = api_as(leader)
    events_before = CaseEvent.objects.count()

    assert client.get(f"{CASES}/{assigned.pk}").status_code == 200
    response = client.post(f"{CASES}/{assigned.pk}/{action}", body)

    assert response.status_code == 403
    assert response.json()["detail"]
    assert CaseEvent.objects.count() == events_before
    assigned.refresh_from_db()
    assert (assigned.status, assigned.unit.code) == ("assigned", "urban")


@pytest.mark.django_db
def test_handler_may_not_assign(api_as, handler, assigned):
    response = api_as(handler).post(f"{CASES}/{assigned.pk}/assign", {"unit": "urban-window"})

    assert response.status_code == 403
    assigned.refresh_from_db()
    assert assigned.unit.code == "urban"


@pytest.mark.django_db
def test_invalid_transitions_are_409(api_as, handler, supervisor, assigned):
    case_accept(case=assigned, actor=handler)
    case_answer(case=assigned, actor=handler, text="已处理")
    client = api_as(handler)

    again = client.post(
        f"{CASES}/{assigned.pk}/reply", {"text": "再答一次"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    accept = client.post(f"{CASES}/{assigned.pk}/accept", {})
    escalate = api_as(supervisor).post(f"{CASES}/{assigned.pk}/escalate", {"note": "x"})

    assert (again.status_code, accept.status_code, escalate.status_code) == (409, 409, 409)
    assert "Answered" in again.json()["detail"]
    assigned.refresh_from_db()
    assert assigned.status == "answered"
    assert assigned.answer == "已处理"


@pytest.mark.django_db
def test_reassign_to_same_unit_is_409(api_as, supervisor, assigned):
    response = api_as(supervisor).post(f"{CASES}/{assigned.pk}/assign", {"unit": "urban"})

    assert response.status_code == 409


@pytest.mark.django_db
def test_empty_reply_is_422(api_as, handler, assigned):
    response = api_as(handler).post(f"{CASES}/{assigned.pk}/reply", {"text": "   "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("text: ")
