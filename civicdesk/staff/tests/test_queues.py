"""Work queues through HTTP: which queues each role has, what each holds and in which order,
the live counts, the filters remembered per user and the next case after an action."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.cases.services import case_answer, case_escalate, case_return
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.core.landing import landing_url
from civicdesk.evaluation.services import followup_open, followup_record_call

from .conftest import case_url, other_reason

pytestmark = pytest.mark.django_db


def queue_url(slug: str) -> str:
    return f"/staff/queues/{slug}/"


def codes_in(response) -> list[str]:
    """The tracking codes listed, in the order of the page."""
    return re.findall(r'class="case-link">([^<]+)<', response.content.decode())


def counts_of(client) -> dict[str, str]:
    body = client.get("/staff/queues/counts/").content.decode()
    found = re.findall(
        r'id="count-([a-z-]+)".*?<span class="queue-count">([^<]+)</span>', body, re.S
    )
    return dict(found)


def due_in(case: Case, **delta) -> Case:
    """Move every deadline of the case to now + delta."""
    moment = timezone.now() + timedelta(**delta)
    Case.objects.filter(pk=case.pk).update(
        assign_due_at=moment, response_due_at=moment, answer_due_at=moment
    )
    case.refresh_from_db()
    return case


# --- Queues per role ---------------------------------------------------------------------------


def test_each_role_lands_on_its_queue(clerk, handler, supervisor, leader, admin_user):
    assert landing_url(clerk) == queue_url("to-route")
    assert landing_url(handler) == queue_url("open")
    assert landing_url(supervisor) == queue_url("overdue")
    assert landing_url(admin_user) == queue_url("to-route")
    assert landing_url(leader) == "/dashboard/staff/"


def test_a_handler_has_no_routing_arbitration_or_request_queue(handler):
    client = login(handler)

    for slug in ("to-route", "arbitration", "requests", "no-such-queue"):
        assert client.get(queue_url(slug)).status_code == 404
    assert set(counts_of(client)) == {
        "to-accept",
        "in-progress",
        "due-soon",
        "overdue",
        "follow-up",
        "open",
    }


def test_a_clerk_has_no_arbitration_queue_but_a_supervisor_has(clerk, supervisor):
    assert login(clerk).get(queue_url("arbitration")).status_code == 404
    assert login(supervisor).get(queue_url("arbitration")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(citizen):
    response = citizen.get(queue_url("to-route"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_routing_queue_holds_unrouted_cases_the_most_urgent_first(clerk, make_case, assigned):
    later = due_in(make_case(), hours=30)
    sooner = due_in(make_case(), hours=3)
    assigned("urban")

    response = login(clerk).get(queue_url("to-route"))

    assert response.status_code == 200
    assert codes_in(response) == [sooner.tracking_code, later.tracking_code]


def test_a_case_waiting_for_arbitration_is_the_supervisors_not_the_clerks(
    settings, clerk, supervisor, assigned, handler
):
    settings.CIVICDESK_RETURN_LIMIT = 1
    case = case_return(case=assigned("urban"), actor=handler, reason="不归我们", reason_choice=None)
    assert case.awaits_arbitration

    assert case.tracking_code not in codes_in(login(clerk).get(queue_url("to-route")))
    assert codes_in(login(supervisor).get(queue_url("arbitration"))) == [case.tracking_code]


def test_a_handler_sees_only_the_cases_of_their_unit(handler, assigned):
    ours = assigned("urban-window")
    theirs = assigned("market")

    response = login(handler).get(queue_url("to-accept"))

    assert codes_in(response) == [ours.tracking_code]
    assert theirs.tracking_code not in response.content.decode()
    assert counts_of(login(handler))["to-accept"] == "1"


def test_taking_a_case_on_moves_it_from_to_accept_to_in_progress(handler, assigned):
    case = assigned("urban")
    client = login(handler)
    assert counts_of(client)["to-accept"] == "1"

    client.post(case_url(case, "accept"), {"accept-note": ""})

    counts = counts_of(client)
    assert (counts["to-accept"], counts["in-progress"]) == ("0", "1")
    assert codes_in(client.get(queue_url("in-progress"))) == [case.tracking_code]


def test_due_soon_and_overdue(clerk, make_case):
    soon = due_in(make_case(), hours=5)
    late = due_in(make_case(), hours=-5)
    due_in(make_case(), days=5)  # neither
    client = login(clerk)

    assert codes_in(client.get(queue_url("due-soon"))) == [soon.tracking_code]
    assert codes_in(client.get(queue_url("overdue"))) == [late.tracking_code]
    counts = counts_of(client)
    assert (counts["due-soon"], counts["overdue"]) == ("1", "1")


def test_an_escalated_case_is_in_the_overdue_queue_until_answered(supervisor, handler, assigned):
    case = case_escalate(case=assigned("urban"), actor=supervisor, note="领导关注")
    client = login(supervisor)
    assert codes_in(client.get(queue_url("overdue"))) == [case.tracking_code]

    case_answer(case=case, actor=handler, text="已处理完毕")

    assert codes_in(client.get(queue_url("overdue"))) == []


def test_awaiting_follow_up_until_the_reporter_answers(clerk, handler, assigned):
    case = case_answer(case=assigned("urban"), actor=handler, text="已修复")
    client = login(clerk)
    assert codes_in(client.get(queue_url("follow-up"))) == [case.tracking_code]
    followup_open(case=case, notify=False)
    assert codes_in(client.get(queue_url("follow-up"))) == [case.tracking_code]

    followup_record_call(case=case, actor=clerk, solved=True, satisfaction=5)

    assert codes_in(client.get(queue_url("follow-up"))) == []


def test_counts_stop_at_the_cap(clerk, make_case, monkeypatch):
    from civicdesk.staff import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    for _ in range(3):
        make_case()

    assert counts_of(login(clerk))["to-route"] == "999+"


def test_the_queue_page_polls_its_counts(clerk):
    body = login(clerk).get(queue_url("to-route")).content.decode()

    assert 'hx-get="/staff/queues/counts/?current=to-route"' in body
    assert 'hx-trigger="load, every 30s, queues-changed from:body"' in body


# --- Remembered filters -----------------------------------------------------------------------


def test_filters_are_remembered_per_user_and_queue_until_reset(clerk, supervisor, make_case):
    by_phone = make_case(channel="phone")
    by_app = make_case()
    client = login(clerk)

    filtered = client.get(queue_url("to-route"), {"channel": "phone"})
    assert codes_in(filtered) == [by_phone.tracking_code]

    back = client.get(queue_url("to-route"))
    assert codes_in(back) == [by_phone.tracking_code]
    assert 'id="filters-restored"' in back.content.decode()
    # Only this user's, only this queue's.
    assert set(codes_in(login(supervisor).get(queue_url("to-route")))) == {
        by_phone.tracking_code,
        by_app.tracking_code,
    }
    assert "filters-restored" not in client.get(queue_url("open")).content.decode()

    reset = client.get(queue_url("to-route"), {"reset": "1"})
    assert reset.status_code == 302
    assert reset["Location"] == queue_url("to-route")
    assert set(codes_in(client.get(queue_url("to-route")))) == {
        by_phone.tracking_code,
        by_app.tracking_code,
    }


def test_clearing_every_filter_is_remembered_too(clerk, make_case):
    make_case(channel="phone")
    make_case()
    client = login(clerk)
    client.get(queue_url("to-route"), {"channel": "phone"})

    client.get(queue_url("to-route"), {"channel": "", "q": ""})

    assert len(codes_in(client.get(queue_url("to-route")))) == 2


def test_invalid_filters_are_explained_and_not_remembered(clerk, make_case):
    make_case()
    client = login(clerk)

    response = client.get(
        queue_url("to-route"), {"received_from": "2025-03-02", "received_to": "2025-03-01"}
    )

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    assert "filters-restored" not in client.get(queue_url("to-route")).content.decode()


# --- Next case --------------------------------------------------------------------------------


def test_after_routing_a_case_the_clerk_gets_the_next_one_of_the_queue(clerk, make_case, units):
    first = due_in(make_case(), hours=1)
    second = due_in(make_case(), hours=2)
    client = login(clerk)
    page = client.get(case_url(first), {"queue": "to-route"}).content.decode()
    assert 'name="queue" value="to-route"' in page

    response = client.post(
        case_url(first, "assign"), {"assign-unit": units["urban"].pk, "queue": "to-route"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{case_url(second)}?queue=to-route"
    first.refresh_from_db()
    assert first.status == Status.ASSIGNED


def test_the_next_case_follows_the_remembered_filters(clerk, make_case, units):
    first = due_in(make_case(channel="phone"), hours=1)
    due_in(make_case(), hours=2)  # not by phone: skipped
    third = due_in(make_case(channel="phone"), hours=3)
    client = login(clerk)
    client.get(queue_url("to-route"), {"channel": "phone"})

    response = client.post(
        case_url(first, "assign"), {"assign-unit": units["urban"].pk, "queue": "to-route"}
    )

    assert response["Location"] == f"{case_url(third)}?queue=to-route"


def test_a_note_keeps_the_case_in_the_queue_and_still_moves_on(clerk, make_case):
    first = due_in(make_case(), hours=1)
    second = due_in(make_case(), hours=2)
    client = login(clerk)

    after_first = client.post(
        case_url(first, "note"), {"note-text": "已电话核实", "queue": "to-route"}
    )
    after_second = client.post(
        case_url(second, "note"), {"note-text": "已电话核实", "queue": "to-route"}
    )

    assert after_first["Location"] == f"{case_url(second)}?queue=to-route"
    # After the last one the queue starts again from its most urgent case.
    assert after_second["Location"] == f"{case_url(first)}?queue=to-route"


def test_when_the_queue_is_empty_the_clerk_is_back_on_it(clerk, make_case, units):
    only = make_case()
    client = login(clerk)

    response = client.post(
        case_url(only, "assign"),
        {"assign-unit": units["urban"].pk, "queue": "to-route"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == queue_url("to-route")
    assert "No other case waits in “To route”." in response.content.decode()


def test_skipping_to_the_next_case(clerk, make_case):
    first = due_in(make_case(), hours=1)
    second = due_in(make_case(), hours=2)
    client = login(clerk)
    page = client.get(case_url(first), {"queue": "to-route"}).content.decode()
    assert f'href="/staff/queues/to-route/next/?after={first.pk}"' in page

    response = client.get(f"/staff/queues/to-route/next/?after={first.pk}")

    assert response["Location"] == f"{case_url(second)}?queue=to-route"


def test_a_queue_not_theirs_gives_no_next_case(handler, assigned, units):
    case = assigned("urban")
    client = login(handler)

    response = client.post(case_url(case, "accept"), {"accept-note": "", "queue": "to-route"})

    # The handler has no routing queue: the action works, and they stay on the case.
    assert response["Location"] == case_url(case)
    assert client.get("/staff/queues/to-route/next/?after=1").status_code == 404


def test_a_handler_returning_a_case_goes_on_to_their_next_one(handler, assigned):
    returned = assigned("urban")
    waiting = assigned("urban")
    client = login(handler)

    response = client.post(
        case_url(returned, "return"),
        {"return-reason_choice": other_reason(), "return-reason": "不属于本单位", "queue": "open"},
    )

    assert response["Location"] == f"{case_url(waiting)}?queue=open"


def test_taking_on_goes_on_to_the_next_case_to_take_on(handler, assigned):
    first = assigned("urban")
    second = assigned("urban")
    client = login(handler)
    order = codes_in(client.get(queue_url("to-accept")))
    head, tail = (first, second) if order[0] == first.tracking_code else (second, first)

    response = client.post(case_url(head, "accept"), {"accept-note": "", "queue": "to-accept"})

    assert response["Location"] == f"{case_url(tail)}?queue=to-accept"
