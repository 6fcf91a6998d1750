"""Batch actions through HTTP: assign, merge and add a note to several cases at once, through
the same services and checks as one case at a time; each case done or refused on its own."""

import re

import pytest

from civicdesk.cases.models import Case, CoUnit
from civicdesk.cases.services import case_answer
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import last_event, snapshot

pytestmark = pytest.mark.django_db

URL = "/staff/queues/batch/"


def results_of(response) -> dict[int, tuple[str, str]]:
    """case id → ("done" or "refused", why), from the result page."""
    body = response.content.decode()
    rows = re.findall(
        r'<tr id="result-(\d+)" class="(done|refused)">.*?<td data-label="Why">(.*?)</td>',
        body,
        re.S,
    )
    return {int(pk): (outcome, why.strip()) for pk, outcome, why in rows}


def test_assign_several_cases_with_one_refused(clerk, make_case, assigned, handler, units):
    first, second = make_case(), make_case()
    answered = case_answer(case=assigned("urban"), actor=handler, text="已处理")
    before = snapshot(answered)

    response = login(clerk).post(
        URL,
        {
            "action": "assign",
            "cases": [first.pk, answered.pk, second.pk],
            "unit": units["urban"].pk,
            "note": "批量分派",
            "queue": "to-route",
        },
    )

    assert response.status_code == 200
    results = results_of(response)
    assert results[first.pk] == ("done", "Assigned to 城市管理局.")
    assert results[second.pk] == ("done", "Assigned to 城市管理局.")
    assert results[answered.pk][0] == "refused"
    assert "not possible on this case now (Answered)" in results[answered.pk][1]
    assert snapshot(answered) == before
    for case in (first, second):
        case.refresh_from_db()
        assert (case.status, case.unit) == (Status.ASSIGNED, units["urban"])
        event = last_event(case)
        assert (event.action, event.actor, event.note) == (Action.ASSIGN, clerk, "批量分派")
    body = response.content.decode()
    assert "2 cases done" in body and "1 refused" in body
    assert 'href="/staff/queues/to-route/"' in body
    assert response["HX-Trigger"] == "queues-changed"


def test_a_case_with_a_unit_is_reassigned_by_a_supervisor(supervisor, assigned, units):
    case = assigned("urban")

    response = login(supervisor).post(
        URL, {"action": "assign", "cases": [case.pk], "unit": units["market"].pk}
    )

    assert results_of(response)[case.pk][0] == "done"
    case.refresh_from_db()
    assert case.unit == units["market"]
    assert last_event(case).action == Action.REASSIGN


def test_what_the_service_refuses_changes_nothing_on_that_case_only(
    supervisor, assigned, make_case, units
):
    fresh = make_case()
    co_handled = assigned("urban")
    CoUnit.objects.create(case=co_handled, unit=units["market"])
    before = snapshot(co_handled)

    response = login(supervisor).post(
        URL, {"action": "assign", "cases": [co_handled.pk, fresh.pk], "unit": units["market"].pk}
    )

    results = results_of(response)
    assert results[co_handled.pk][0] == "refused"
    assert "co-handles this case" in results[co_handled.pk][1]
    assert snapshot(co_handled) == before
    assert results[fresh.pk][0] == "done"


def test_a_handler_cannot_route_and_cannot_reach_other_units(handler, assigned, units):
    ours = assigned("urban")
    theirs = assigned("market")
    before = snapshot(theirs)

    response = login(handler).post(
        URL, {"action": "assign", "cases": [ours.pk, theirs.pk], "unit": units["market"].pk}
    )

    results = results_of(response)
    assert results[ours.pk][0] == "refused"
    # A case the handler may not see is refused without its code.
    assert results[theirs.pk] == ("refused", "No such case among those you see.")
    assert theirs.tracking_code not in response.content.decode()
    assert snapshot(theirs) == before


def test_notes_on_the_cases_of_a_handlers_unit(handler, assigned):
    first, second = assigned("urban"), assigned("urban-window")

    response = login(handler).post(
        URL, {"action": "note", "cases": [first.pk, second.pk], "note": "已安排周三现场核查"}
    )

    assert {outcome for outcome, _why in results_of(response).values()} == {"done"}
    for case in (first, second):
        event = last_event(case)
        assert (event.action, event.note, event.is_public) == (
            Action.NOTE,
            "已安排周三现场核查",
            False,
        )


def test_merge_several_duplicates_into_one_case(clerk, make_case):
    target, first, second = make_case(), make_case(), make_case()

    response = login(clerk).post(
        URL,
        {
            "action": "merge",
            "cases": [first.pk, target.pk, second.pk],
            "into": target.tracking_code.replace("-", "").lower(),
        },
    )

    results = results_of(response)
    assert results[first.pk] == ("done", f"Merged into {target.tracking_code}.")
    assert results[second.pk][0] == "done"
    assert results[target.pk] == ("refused", "A case cannot be merged into itself.")
    assert set(Case.objects.filter(merged_into=target).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    target.refresh_from_db()
    assert target.status == Status.RECEIVED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "assign"}, "unit", "Choose the unit the cases go to."),
        ({"action": "merge", "into": "NOPE"}, "into", "No case has this tracking code."),
        ({"action": "note", "note": "  "}, "note", "The note cannot be empty."),
        ({"action": "shout", "note": "x"}, "action", "Select a valid choice."),
    ],
)
def test_incomplete_batches_are_refused_naming_the_field(clerk, make_case, data, field, message):
    case = make_case()
    before = snapshot(case)

    response = login(clerk).post(URL, {"cases": [case.pk], **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert snapshot(case) == before


def test_a_batch_needs_cases_and_not_too_many(clerk, make_case, units):
    client = login(clerk)

    empty = client.post(URL, {"action": "assign", "unit": units["urban"].pk})
    assert empty.status_code == 400
    assert "Cases: choose at least one case." in empty.content.decode()

    too_many = client.post(
        URL, {"action": "assign", "unit": units["urban"].pk, "cases": list(range(1, 102))}
    )
    assert too_many.status_code == 400
    assert "at most 100 cases at once; 101 were chosen" in too_many.content.decode()

    garbage = client.post(URL, {"action": "assign", "unit": units["urban"].pk, "cases": ["x"]})
    assert garbage.status_code == 400


def test_leaders_read_queues_but_do_not_act_on_them(leader, make_case, units):
    case = make_case()
    before = snapshot(case)
    client = login(leader)
    assert 'id="batch-form"' not in client.get("/staff/queues/to-route/").content.decode()

    response = client.post(URL, {"action": "assign", "cases": [case.pk], "unit": units["urban"].pk})

    assert response.status_code == 403
    assert snapshot(case) == before


def test_the_queue_page_offers_the_batch_form_with_a_labelled_box_per_case(clerk, make_case):
    case = make_case()

    body = login(clerk).get("/staff/queues/to-route/").content.decode()

    assert 'form id="batch-form"' in body
    assert f'<input type="checkbox" name="cases" value="{case.pk}" form="batch-form"' in body
    assert (
        f'<label for="pick-{case.pk}" class="visually-hidden">Choose {case.tracking_code}' in body
    )
