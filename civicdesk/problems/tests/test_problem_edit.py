"""Problems created by hand and edited: owners, campaigns, linked cases, chained history."""

import pytest
from django.core.management import CommandError, call_command

from civicdesk.conftest import login
from civicdesk.problems.models import Campaign, Problem, ProblemChange


def form(units, **extra):
    data = {
        "title": "企业补贴迟迟未兑现",
        "description": "多家企业反映2025年技改补贴未到位",
        "lead_unit": units["market"].pk,
        "co_units": [units["urban"].pk],
        "responsible_official": "张副区长",
        "campaigns": [Campaign.objects.get(code="broken-promises").pk],
        "case_codes": "",
    }
    data.update(extra)
    return data


def test_supervisor_creates_and_edits_a_problem_by_hand(supervisor, units, make_case):
    first, second = make_case(), make_case()
    client = login(supervisor)
    codes = f"{first.tracking_code}\n{second.tracking_code.replace('-', '').lower()}"
    response = client.post("/staff/triage/problems/new/", form(units, case_codes=codes))
    problem = Problem.objects.get()
    assert response["Location"] == f"/staff/triage/problems/{problem.pk}/"
    assert problem.lead_unit == units["market"] and set(problem.cases.all()) == {first, second}
    assert [c.code for c in problem.campaigns.all()] == ["broken-promises"]
    page = client.get(f"/staff/triage/problems/{problem.pk}/").content.decode()
    assert "张副区长" in page and first.tracking_code in page

    client.post(
        f"/staff/triage/problems/{problem.pk}/edit/",
        form(units, responsible_official="李局长", case_codes=first.tracking_code),
    )
    problem.refresh_from_db()
    assert problem.responsible_official == "李局长" and list(problem.cases.all()) == [first]
    change = ProblemChange.objects.filter(problem=problem).last()
    assert change.action == "update"
    assert set(change.fields) == {"responsible_official", "cases"}
    call_command("verify_chains")
    # The history names what changed as people read it, with old and new text values.
    page = client.get(f"/staff/triage/problems/{problem.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    history = page.content.decode().split("Change history")[1]
    assert "Responsible official: 张副区长 → 李局长" in history
    assert "<li>Cases</li>" in history
    assert "responsible_official" not in history and "lead_unit" not in history


def test_bad_codes_and_lead_in_co_units_are_refused(supervisor, units):
    client = login(supervisor)
    response = client.post(
        "/staff/triage/problems/new/",
        form(units, case_codes="ZZZZ-ZZZZ-ZZ", co_units=[units["market"].pk]),
    )
    body = response.content.decode()
    assert response.status_code == 400 and not Problem.objects.exists()
    assert "No case has these tracking codes: ZZZZ-ZZZZ-ZZ" in body
    assert "The lead unit cannot also be a co-operating unit." in body
    assert "企业补贴迟迟未兑现" in body  # what was typed is kept


def test_leaders_and_handlers_cannot_edit(leader, handler, units):
    assert login(leader).post("/staff/triage/problems/new/", form(units)).status_code == 404
    assert login(handler).get("/staff/triage/problems/new/").status_code == 404
    assert not Problem.objects.exists()


def test_an_edited_history_entry_is_detected(supervisor, units):
    login(supervisor).post("/staff/triage/problems/new/", form(units))
    ProblemChange.objects.update(action="forged")
    with pytest.raises(CommandError):
        call_command("verify_chains")
