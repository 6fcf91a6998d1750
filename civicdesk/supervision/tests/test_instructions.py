"""Leaders' instructions (领导批示, issue 16, item 4): a leader's instruction on a case, problem
or measure shows on top of its page and in the queue of the unit it is addressed to until the
unit acknowledges it; it is chained like the letters."""

import pytest

from civicdesk.cases.workflow import Action
from civicdesk.conftest import login
from civicdesk.core.chain import verify
from civicdesk.supervision.models import LeaderInstruction, SupervisionEvent

pytestmark = pytest.mark.django_db

TEXT = "请城管局三日内彻底解决，并举一反三排查全区路灯"


def instruct(client, kind: str, subject, **fields):
    return client.post(
        f"/staff/supervision/instructions/new/{kind}/{subject.pk}/", {"text": TEXT} | fields
    )


@pytest.fixture
def instruction(case, leader) -> LeaderInstruction:
    assert instruct(login(leader), "case", case).status_code == 302
    return LeaderInstruction.objects.get()


def test_a_leaders_instruction_shows_on_top_of_the_case_and_in_the_units_queue(
    instruction, case, handler, supervisor, units
):
    assert (instruction.unit, instruction.case) == (units["urban"], case)
    for user in (handler, supervisor):
        page = login(user).get(f"/staff/cases/{case.pk}/").content.decode()
        assert page.index('id="supervision-panel"') < page.index("case-layout")
        assert TEXT in page
    inbox = login(handler).get("/staff/", follow=True).content.decode()
    assert TEXT[:20] in inbox
    event = case.events.get(action=Action.INSTRUCT)
    assert (event.note, event.is_public) == (TEXT, False)


def test_the_unit_acknowledges_it_and_it_leaves_the_queue(instruction, case, handler):
    empty = login(handler).post(
        f"/staff/supervision/instructions/{instruction.pk}/", {"acknowledgement": " "}
    )
    done = login(handler).post(
        f"/staff/supervision/instructions/{instruction.pk}/",
        {"acknowledgement": "已部署全区路灯排查，周五前完成"},
    )

    assert empty.status_code == 400
    assert done.status_code == 302
    instruction.refresh_from_db()
    assert instruction.acknowledged_by == handler
    assert TEXT[:20] not in login(handler).get("/staff/", follow=True).content.decode()
    # It stays on the page it is about, with the unit's answer.
    page = login(handler).get(f"/staff/cases/{case.pk}/").content.decode()
    assert TEXT in page and "已部署全区路灯排查" in page
    assert [e.action for e in instruction.events.all()] == ["instruct", "acknowledge"]
    assert verify(SupervisionEvent) == []


def test_only_leaders_instruct(case, supervisor, handler, clerk):
    for user in (supervisor, handler, clerk):
        assert instruct(login(user), "case", case).status_code == 404
    assert not LeaderInstruction.objects.exists()


def test_an_empty_instruction_is_refused(case, leader):
    response = instruct(login(leader), "case", case, text="  ")

    assert response.status_code == 400
    assert response.context["form"].errors["text"]
    assert not LeaderInstruction.objects.exists()


def test_instructions_on_a_problem_and_a_measure(problem, measure, leader, handler, units):
    instruct(login(leader), "problem", problem)
    instruct(login(leader), "measure", measure, text="务必按期完成")

    on_problem, on_measure = LeaderInstruction.objects.order_by("id")
    assert on_problem.unit == units["urban"]  # the problem's lead unit
    assert on_measure.unit == units["east-street"]  # the measure's unit
    assert TEXT in login(leader).get(f"/staff/triage/problems/{problem.pk}/").content.decode()
    measure_page = login(leader).get(f"/commitments/staff/measures/{measure.pk}/")
    assert "务必按期完成" in measure_page.content.decode()
    # Handlers of urban see their instruction, not east-street's.
    queue = login(handler).get("/staff/supervision/").context["instructions"]["rows"]
    assert queue == [on_problem]


def test_another_unit_neither_sees_nor_acknowledges(instruction, other_handler):
    url = f"/staff/supervision/instructions/{instruction.pk}/"
    assert login(other_handler).get(url).status_code == 404
    assert login(other_handler).post(url, {"acknowledgement": "收到"}).status_code == 404
