"""Rates, a handler's own unit, return calls, the dashboard's figures and bulletins through
the API, for the roles the pages allow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.services import case_accept, case_answer, case_assign
from civicdesk.evaluation.models import FollowUp

EVALUATION = "/api/v1/evaluation"


@pytest.fixture
def answered(make_case, supervisor, handler, units):
    case = case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    case_accept(case=case, actor=handler)
    return case_answer(case=case, actor=handler, text="已修复")


@pytest.mark.django_db
def test_rates_table_for_the_period(api_as, supervisor, answered):
    response = api_as(supervisor).get(f"{EVALUATION}/rates")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["since"] == str(timezone.localdate().replace(day=1))
    rows = {row["unit"]["code"]: row for row in body["ranked"] + body["too_few"]}
    assert rows["urban"]["case_count"] == 1
    assert rows["urban"]["rates"]["response"] == {"numerator": 1, "denominator": 1, "rate": 1.0}
    # Its follow-up has not been answered: no resolution rate yet, nothing "without an answer".
    assert rows["urban"]["rates"]["resolution"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert rows["urban"]["rates"]["no_answer"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    assert rows["market"]["case_count"] == 0


@pytest.mark.django_db
def test_rates_refusals(api_as, handler, supervisor):
    today = timezone.localdate()

    assert api_as(handler).get(f"{EVALUATION}/rates").status_code == 403
    backwards = api_as(supervisor).get(
        f"{EVALUATION}/rates", since=str(today), until=str(today - timedelta(days=1))
    )
    too_long = api_as(supervisor).get(
        f"{EVALUATION}/rates", since=str(today - timedelta(days=400)), until=str(today)
    )
    assert (backwards.status_code, too_long.status_code) == (422, 422)
    assert backwards.json()["detail"][0]["msg"].startswith("until: ")


@pytest.mark.django_db
def test_handler_reads_own_unit(api_as, handler, supervisor, answered):
    body = api_as(handler).get(f"{EVALUATION}/my-unit").json()

    assert body["unit"]["code"] == "urban"
    assert body["case_count"] == 1
    assert api_as(supervisor).get(f"{EVALUATION}/my-unit").status_code == 403


@pytest.mark.django_db
def test_return_call_not_solved_reopens_the_case(api_as, handler, answered):
    url = f"{EVALUATION}/cases/{answered.pk}/call"

    response = api_as(handler).post(url, {"solved": False, "satisfaction": 2, "comment": "还是坏"})

    assert response.status_code == 200, response.content
    assert response.json()["case_status"] == "reopened"
    followup = FollowUp.objects.get()
    assert (followup.channel, followup.solved, followup.recorded_by) == ("phone", False, handler)
    again = api_as(handler).post(url, {"solved": True, "satisfaction": 5})
    assert again.status_code == 409


@pytest.mark.django_db
def test_return_call_scope_and_input(api_as, other_handler, leader, clerk, answered, make_case):
    url = f"{EVALUATION}/cases/{answered.pk}/call"

    assert api_as(other_handler).post(url, {"solved": True, "satisfaction": 5}).status_code == 404
    assert api_as(leader).post(url, {"solved": True, "satisfaction": 5}).status_code == 403
    web = api_as(clerk).post(url, {"channel": "web", "solved": True, "satisfaction": 5})
    assert web.status_code == 422
    verified_with_level = api_as(clerk).post(
        url, {"channel": "verified", "solved": True, "satisfaction": 5}
    )
    assert verified_with_level.status_code == 409
    unanswered = make_case()
    response = api_as(clerk).post(
        f"{EVALUATION}/cases/{unanswered.pk}/call", {"solved": True, "satisfaction": 4}
    )
    assert response.status_code == 409
    assert not FollowUp.objects.exists()


# --- Dashboard and bulletins ---------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_figures_for_a_unit(api_as, leader, answered):
    from civicdesk.dashboard.tasks import refresh_dashboard

    refresh_dashboard.call()
    response = api_as(leader).get("/api/v1/dashboard", unit="urban")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"]["code"] == "urban"
    assert body["cases_received"] == 1
    assert body["by_channel"] == [
        {"code": "snapshot", "label": body["by_channel"][0]["label"], "count": 1}
    ]
    assert body["total"]["rates"]["response"]["numerator"] == 1
    assert body["as_of"] is not None
    assert [row["unit"]["code"] for row in body["units"]] == ["urban-window"]
    assert len(body["trend"]) == 12


@pytest.mark.django_db
def test_dashboard_refusals(api_as, handler, supervisor):
    assert api_as(handler).get("/api/v1/dashboard").status_code == 403
    response = api_as(supervisor).get("/api/v1/dashboard", unit="atlantis")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "unit"


@pytest.mark.django_db
def test_bulletin_figures(api_as, clerk, handler, supervisor, answered):
    from civicdesk.problems.services import problem_save

    problem_save(problem=None, actor=supervisor, title="东苑路灯", cases=[answered])

    body = api_as(clerk).get("/api/v1/bulletins/progress").json()

    assert body["kind"] == "progress"
    assert body["n_problems"] == 1
    assert body["aspects"][0]["problems"][0]["title"] == "东苑路灯"
    assert api_as(handler).get("/api/v1/bulletins/problem-list").status_code == 403
    assert api_as(clerk).get("/api/v1/bulletins/weekly").status_code == 422
