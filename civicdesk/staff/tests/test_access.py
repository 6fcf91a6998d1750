"""Who sees which case on the staff pages: anything out of reach is a 404, never a 403."""

import pytest
from django.test import Client

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, CaseEvent, ReplyTemplate
from civicdesk.cases.workflow import Status
from civicdesk.conftest import PASSWORD, login
from civicdesk.staff.forms import ACTION_FORMS

from .conftest import case_url

pytestmark = pytest.mark.django_db

ACTIONS = sorted(ACTION_FORMS)


def codes_listed(response) -> set[str]:
    return {case.tracking_code for case in response.context["page"]}


# --- Handlers: their unit and the units below it ----------------------------------------------


def test_handler_sees_cases_of_own_unit_and_child_units(handler, assigned):
    own, child = assigned("urban"), assigned("urban-window")
    client = login(handler)

    for case in (own, child):
        response = client.get(case_url(case))
        assert response.status_code == 200
        assert case.tracking_code in response.content.decode()


def test_handler_gets_404_for_a_case_of_another_unit(handler, assigned):
    response = login(handler).get(case_url(assigned("market")))

    assert response.status_code == 404


def test_handler_gets_404_for_an_unassigned_case(handler, make_case):
    response = login(handler).get(case_url(make_case()))

    assert response.status_code == 404


def test_handler_gets_404_for_a_case_of_the_parent_unit(handler, assigned):
    response = login(handler).get(case_url(assigned("district")))

    assert response.status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_handler_gets_404_on_every_action_of_a_case_out_of_reach(
    handler, assigned, make_case, units, action
):
    client = login(handler)
    market, unassigned = assigned("market"), make_case()
    data = {
        f"{action}-unit": units["urban"].pk,
        f"{action}-note": "x",
        f"{action}-text": "x",
        f"{action}-reason": "x",
    }

    for case in (market, unassigned):
        before = (case.status, case.unit_id, case.events.count())
        response = client.post(case_url(case, action), data)
        assert response.status_code == 404, action
        case.refresh_from_db()
        assert (case.status, case.unit_id, case.events.count()) == before


def test_unknown_action_is_404(supervisor, make_case):
    response = login(supervisor).post(case_url(make_case(), "create"))

    assert response.status_code == 404


def test_unknown_case_is_404(supervisor):
    response = login(supervisor).get("/staff/cases/999999/")

    assert response.status_code == 404


def test_handler_inbox_lists_only_own_subtree(handler, assigned, make_case):
    own, child = assigned("urban"), assigned("urban-window")
    assigned("market"), assigned("east-community"), make_case()

    response = login(handler).get("/staff/", {"page": 1})  # the inbox, not the landing

    assert response.status_code == 200
    assert codes_listed(response) == {own.tracking_code, child.tracking_code}


def test_handler_cannot_filter_the_inbox_by_a_unit_out_of_reach(handler, assigned):
    assigned("market")

    response = login(handler).get("/staff/", {"unit": "market"})

    assert response.status_code == 400
    assert codes_listed(response) == set()


# --- Roles that see every case ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "supervisor", "leader", "admin_user"])
def test_district_roles_see_every_case(request, role, assigned, make_case):
    user = request.getfixturevalue(role)
    cases = [assigned("market"), assigned("urban-window"), make_case()]
    client = login(user)

    inbox = client.get("/staff/", {"status": "default"})  # /staff/ alone: their landing
    assert codes_listed(inbox) == {case.tracking_code for case in cases}
    for case in cases:
        assert client.get(case_url(case)).status_code == 200


# --- Leaders read, never act ------------------------------------------------------------------


def test_leader_sees_no_action_forms(leader, assigned):
    response = login(leader).get(case_url(assigned("urban")))

    assert response.status_code == 200
    assert response.context["forms"] == {}
    body = response.content.decode()
    assert "<form" not in body.split('class="actions"', 1)[1]
    assert "No action is open to you on this case." in body


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reassign", {"reassign-unit": "market"}),
        ("note", {"note-text": "领导批示"}),
        ("escalate", {"escalate-note": "请尽快办理"}),
        ("close", {"close-note": ""}),
    ],
)
def test_leader_posting_an_action_gets_409_and_nothing_changes(
    leader, assigned, units, action, data
):
    case = assigned("urban")
    if action == "reassign":
        data = {"reassign-unit": units["market"].pk}
    events = CaseEvent.objects.count()

    response = login(leader).post(case_url(case, action), data)

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["urban"]
    assert case.escalated_at is None
    assert CaseEvent.objects.count() == events


# --- Not staff --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(citizen, make_case):
    case = make_case()

    for response in (
        citizen.get("/staff/"),
        citizen.get(case_url(case)),
        citizen.post(case_url(case, "note"), {"note-text": "x"}),
        citizen.get("/staff/reply-template/", {"case": case.pk}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/staff/")
    assert not case.events.exclude(action="create").exists()


def test_login_then_redirect_back_to_the_case(citizen, clerk, make_case):
    case = make_case()
    redirect = citizen.get(case_url(case))["Location"]

    response = citizen.post(redirect, {"username": "clerk", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == case_url(case)
    assert response.status_code == 200


def test_logged_in_user_without_role_gets_404(units, make_case):
    User.objects.create_user(username="nobody", password=PASSWORD, unit=units["district"])
    client = Client()
    assert client.login(username="nobody", password=PASSWORD)
    case = make_case()

    assert client.get("/staff/").status_code == 404
    assert client.get(case_url(case)).status_code == 404
    assert client.post(case_url(case, "note"), {"note-text": "x"}).status_code == 404
    assert client.get("/staff/reply-template/", {"case": case.pk}).status_code == 404
    assert not case.events.exclude(action="create").exists()


# --- Reply templates --------------------------------------------------------------------------


@pytest.fixture
def templates(units) -> dict[str, ReplyTemplate]:
    return {
        "urban": ReplyTemplate.objects.create(
            unit=units["urban"], title="城管模板", body="城管已安排人员现场处理。"
        ),
        "market": ReplyTemplate.objects.create(
            unit=units["market"], title="市场模板", body="市场监管已立案调查。"
        ),
        "everyone": ReplyTemplate.objects.create(title="通用模板", body="感谢您的反映。"),
    }


def template_url(case: Case, template: ReplyTemplate) -> str:
    return f"/staff/reply-template/?case={case.pk}&answer-template={template.pk}"


def test_reply_template_of_own_unit_and_district_wide_are_served(handler, assigned, templates):
    case = assigned("urban-window")
    client = login(handler)

    for key in ("urban", "everyone"):
        response = client.get(template_url(case, templates[key]))
        assert response.status_code == 200
        assert templates[key].body in response.content.decode()


def test_reply_template_of_another_unit_is_404(handler, assigned, templates):
    response = login(handler).get(template_url(assigned("urban"), templates["market"]))

    assert response.status_code == 404


def test_reply_template_for_a_case_out_of_reach_is_404(handler, assigned, templates):
    response = login(handler).get(template_url(assigned("market"), templates["everyone"]))

    assert response.status_code == 404


def test_reply_template_choices_on_the_case_page_are_scoped(handler, assigned, templates):
    response = login(handler).get(case_url(assigned("urban")))

    choices = response.context["forms"]["answer"].fields["template"].queryset
    assert set(choices) == {templates["urban"], templates["everyone"]}
    assert "市场模板" not in response.content.decode()
