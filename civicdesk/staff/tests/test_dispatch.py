"""Dispatch (issue 16, item 1): rules as data dispatch a new case automatically, with a sure
triage suggestion as the fallback; each automatic dispatch is on the timeline and staff can
undo it; within the unit a case goes to a person or a grid."""

import pytest
from django.test import Client

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Area, Case, Category, DispatchRule, Grid
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import PASSWORD, login
from civicdesk.problems import suggestions
from civicdesk.problems.models import UnitSuggestion

from .conftest import case_url, last_event, snapshot

pytestmark = pytest.mark.django_db


def report(**fields) -> Case:
    """A citizen reports through the public API; the case as it was opened."""
    body = {"description": "东苑小区门口路灯不亮，晚上很黑", **fields}
    response = Client().post("/api/v1/submissions", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return Case.objects.get(tracking_code=response.json()["tracking_code"])


@pytest.fixture
def east_area() -> Area:
    return Area.objects.create(code="east", name="东街道辖区", places="东苑小区\n东苑路\n东街")


def rule(unit, *, category: str | None = None, area: Area | None = None, priority=100):
    return DispatchRule.objects.create(
        unit=unit,
        category=Category.objects.get(code=category) if category else None,
        area=area,
        priority=priority,
    )


# --- Rules --------------------------------------------------------------------------------


def test_a_category_rule_dispatches_a_new_case_and_says_so_on_the_timeline(units, citizen):
    rule(units["urban"], category="street-lights")

    case = report(category="street-lights")

    assert (case.status, case.unit) == (Status.ASSIGNED, units["urban"])
    event = last_event(case)
    assert (event.action, event.actor, event.actor_kind) == (Action.ASSIGN, None, "system")
    assert event.data["automatic"] == "rule" and event.is_public
    # The reporter sees it was dispatched automatically (not by which rule).
    page = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Dispatched automatically" in page and "城市管理局" in page
    assert "by the rule" not in page


def test_the_closest_rule_wins(units, east_area):
    rule(units["market"], category="urban")  # the aspect: any city-management category
    rule(units["urban"], category="street-lights")
    rule(units["east-street"], area=east_area)
    rule(units["east-community"], category="street-lights", area=east_area)

    both = report(category="street-lights", address="东苑小区3栋")
    category_only = report(category="street-lights", address="西湖路1号")
    aspect = report(category="noise", address="西湖路1号")
    area_only = report(category="education", address="东苑路5号")
    nothing = report(category="education", address="西湖路1号")

    assert both.unit == units["east-community"]
    assert category_only.unit == units["urban"]
    assert aspect.unit == units["market"]
    assert area_only.unit == units["east-street"]
    assert (nothing.status, nothing.unit) == (Status.RECEIVED, None)


def test_an_area_is_found_in_the_description_when_there_is_no_address(units, east_area):
    rule(units["east-street"], area=east_area)

    case = report(description="东苑路上的井盖丢了，很危险")

    assert case.unit == units["east-street"]


def test_rules_switched_off_or_for_inactive_units_dispatch_nothing(units):
    switched_off = rule(units["urban"], category="street-lights")
    DispatchRule.objects.filter(pk=switched_off.pk).update(is_active=False)
    units["market"].is_active = False
    units["market"].save()
    rule(units["market"], category="street-lights")

    case = report(category="street-lights")

    assert (case.status, case.unit) == (Status.RECEIVED, None)


# --- The triage suggestion as the fallback -------------------------------------------------


class Suggested:
    def __init__(self, unit, needs_review: bool) -> None:
        self.unit, self.needs_review, self.confidence = unit, needs_review, 0.93


@pytest.mark.parametrize("needs_review, dispatched", [(False, True), (True, False)])
def test_only_a_sure_suggestion_dispatches(settings, monkeypatch, units, needs_review, dispatched):
    settings.CIVICDESK_DISPATCH_BY_SUGGESTION = True
    monkeypatch.setattr(
        suggestions, "suggest_unit", lambda case: Suggested(units["urban"], needs_review)
    )

    case = report()

    assert (case.unit == units["urban"]) is dispatched
    if dispatched:
        assert last_event(case).data == {"automatic": "suggestion", "confidence": 0.93}


def test_a_rule_goes_before_the_suggestion(settings, monkeypatch, units):
    settings.CIVICDESK_DISPATCH_BY_SUGGESTION = True
    monkeypatch.setattr(suggestions, "suggest_unit", lambda case: Suggested(units["urban"], False))
    rule(units["market"], category="street-lights")

    assert report(category="street-lights").unit == units["market"]


def test_a_trained_unit_model_dispatches_what_it_is_sure_of(
    settings, make_case, units, supervisor, handler, other_handler
):
    """The real model of problems.suggestions, trained on routed cases: the new case goes
    where the model says when it is sure, and stays with the clerks when it "needs a person"."""
    from civicdesk.cases.services import case_accept, case_assign

    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    for i in range(12):
        light = make_case(description=f"{i}号楼前路灯不亮，晚上很黑")
        case_accept(
            case=case_assign(case=light, unit=units["urban"], actor=supervisor), actor=handler
        )
        food = make_case(description=f"{i}号商铺卖过期食品，吃了拉肚子")
        case_accept(
            case=case_assign(case=food, unit=units["market"], actor=supervisor),
            actor=other_handler,
        )
    model = suggestions.unit_classifier_train()
    settings.CIVICDESK_DISPATCH_BY_SUGGESTION = True

    case = report(description="小区门口的路灯坏了好几天，晚上很黑")

    suggestion = UnitSuggestion.objects.get(case=case, model=model)
    assert suggestion.unit == units["urban"]
    if suggestion.needs_review:
        assert case.status == Status.RECEIVED
    else:
        assert (case.status, case.unit) == (Status.ASSIGNED, units["urban"])


# --- Undo ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_staff_undo_an_automatic_dispatch(request, role, units):
    user = request.getfixturevalue(role)
    rule(units["urban"], category="street-lights")
    case = report(category="street-lights")

    page = login(user).get(case_url(case)).content.decode()
    response = login(user).post(case_url(case, "undo_dispatch"), {"undo_dispatch-note": "派错了"})

    assert 'id="undo_dispatch-form"' in page
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit, case.assigned_at) == (Status.RECEIVED, None, None)
    event = last_event(case)
    assert (event.action, event.actor, event.unit) == (Action.UNDO_DISPATCH, user, units["urban"])
    assert (event.from_status, event.to_status, event.note) == (
        Status.ASSIGNED,
        Status.RECEIVED,
        "派错了",
    )


def test_a_dispatch_by_hand_or_one_taken_on_cannot_be_undone(units, supervisor, handler, clerk):
    by_hand = report()
    login(supervisor).post(case_url(by_hand, "assign"), {"assign-unit": units["urban"].pk})
    rule(units["urban"], category="street-lights")
    taken_on = report(category="street-lights")
    login(handler).post(case_url(taken_on, "accept"), {"accept-note": ""})

    for case in (by_hand, taken_on):
        before = snapshot(case)
        page = login(clerk).get(case_url(case)).content.decode()
        response = login(clerk).post(case_url(case, "undo_dispatch"), {})
        assert 'id="undo_dispatch-form"' not in page
        assert response.status_code == 409
        assert snapshot(case) == before


def test_handlers_cannot_undo_a_dispatch(units, handler):
    rule(units["urban"], category="street-lights")
    case = report(category="street-lights")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "undo_dispatch"), {})

    assert response.status_code == 409
    assert snapshot(case) == before


# --- Within the unit: a person or a grid ---------------------------------------------------


@pytest.fixture
def grid(units) -> Grid:
    return Grid.objects.create(unit=units["urban"], code="urban-g1", name="城管第一网格")


def test_the_unit_gives_the_case_to_a_person_and_a_grid(assigned, units, handler, grid):
    colleague = User.objects.create_user(
        username="colleague", password=PASSWORD, role=Role.HANDLER, unit=units["urban-window"]
    )
    case = assigned("urban")

    response = login(handler).post(
        case_url(case, "give"),
        {"give-assignee": colleague.pk, "give-grid": grid.pk, "give-note": "请网格员核实"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.grid) == (colleague, grid)
    event = last_event(case)
    assert (event.action, event.is_public) == (Action.GIVE, False)
    page = login(handler).get(case_url(case)).content.decode()
    assert 'id="given-to"' in page and "城管第一网格" in page


def test_a_person_or_grid_of_another_unit_is_refused(assigned, units, handler, other_handler):
    foreign_grid = Grid.objects.create(unit=units["market"], code="m1", name="市场网格")
    case = assigned("urban")
    before = snapshot(case)

    person = login(handler).post(case_url(case, "give"), {"give-assignee": other_handler.pk})
    place = login(handler).post(case_url(case, "give"), {"give-grid": foreign_grid.pk})

    assert person.status_code == place.status_code == 400
    assert person.context["forms"]["give"].errors["assignee"]
    assert place.context["forms"]["give"].errors["grid"]
    assert snapshot(case) == before
    assert Case.objects.get(pk=case.pk).assignee is None


def test_reassigning_leaves_the_person_and_grid_behind(assigned, units, handler, supervisor, grid):
    case = assigned("urban")
    login(handler).post(case_url(case, "give"), {"give-grid": grid.pk})

    login(supervisor).post(case_url(case, "reassign"), {"reassign-unit": units["market"].pk})

    case.refresh_from_db()
    assert (case.unit, case.grid, case.assignee) == (units["market"], None, None)


# --- Rules as data: the supervisors' page ------------------------------------------------


def test_a_supervisor_adds_a_rule_and_it_applies_to_new_cases(supervisor, units, east_area):
    response = login(supervisor).post(
        "/staff/work-orders/",
        {
            "category": Category.objects.get(code="street-lights").pk,
            "area": east_area.pk,
            "unit": units["east-street"].pk,
            "priority": 10,
        },
    )

    assert response.status_code == 302
    assert report(category="street-lights", address="东苑路2号").unit == units["east-street"]


def test_a_rule_without_category_or_area_is_refused(supervisor, units):
    response = login(supervisor).post(
        "/staff/work-orders/", {"unit": units["urban"].pk, "priority": 100}
    )

    assert response.status_code == 400
    assert "a rule names a category, an area or both" in str(
        response.context["rule_form"].errors["category"]
    )
    assert not DispatchRule.objects.exists()


def test_only_supervisors_edit_rules(clerk, handler, units):
    rule_ = rule(units["urban"], category="street-lights")

    assert login(clerk).get("/staff/work-orders/").status_code == 200
    assert login(clerk).post("/staff/work-orders/", {"unit": units["urban"].pk}).status_code == 404
    assert login(clerk).post(f"/staff/work-orders/rules/{rule_.pk}/off/").status_code == 404
    assert login(handler).get("/staff/work-orders/").status_code == 404
    assert DispatchRule.objects.filter(is_active=True).count() == 1
