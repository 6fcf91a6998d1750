"""Naming the unit a confidential report is about (set_unit): reports routed from the
channels (intake.routing) come without one, and the unit decides who may not see the report.
Through the report page and the API, on the report's chain."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from civicdesk.api.tests.conftest import api_as  # noqa: F401 (fixture)
from civicdesk.cases.models import Category
from civicdesk.conftest import PASSWORD, login
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, receive
from civicdesk.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed() -> Report:
    """An allegation sent through an ordinary channel: a confidential report, no unit."""
    received = receive(
        data=NewSubmission(
            channel=Channel.objects.get(code="phone"),
            category=Category.objects.get(code="inaction"),
            description="反映了三次都没人管，城管窗口的人说不归他们管",
        )
    )
    assert received.is_confidential and received.report.reported_unit is None
    return received.report


def _set(client, report, unit, note=""):
    return client.post(
        reverse("reports:inaction_action", args=[report.pk, "set_unit"]),
        {"set_unit-unit": unit.pk if unit else "", "set_unit-note": note},
    )


def test_the_supervisor_names_the_unit_on_the_report_page(supervisor, units, routed):
    client = login(supervisor)
    page = client.get(reverse("reports:inaction_detail", args=[routed.pk]))
    assert 'name="set_unit-unit"' in page.content.decode()

    response = _set(client, routed, units["urban"], "电话核实后确认")

    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.reported_unit == units["urban"]
    event = routed.events.order_by("-id").first()
    assert (event.action, event.note, event.data) == (
        "set_unit",
        "电话核实后确认",
        {"from": "", "to": "urban", "from_name": "", "to_name": "城市管理局"},
    )
    timeline = client.get(reverse("reports:inaction_detail", args=[routed.pk])).content.decode()
    assert "Not known → 城市管理局" in timeline
    # Back to "not known", recorded as well; the chains still verify.
    assert _set(client, routed, None).status_code == 302
    routed.refresh_from_db()
    assert routed.reported_unit is None
    call_command("verify_chains")


def test_the_unit_named_hides_the_report_from_that_units_supervisor(
    supervisor, units, routed, django_user_model
):
    from civicdesk.accounts.models import Role

    urban_supervisor = django_user_model.objects.create_user(
        username="urban-supervisor", password=PASSWORD, role=Role.SUPERVISOR, unit=units["urban"]
    )
    detail = reverse("reports:inaction_detail", args=[routed.pk])
    assert login(urban_supervisor).get(detail).status_code == 200
    assert _set(login(supervisor), routed, units["urban-window"]).status_code == 302
    assert login(urban_supervisor).get(detail).status_code == 404


def test_the_same_unit_again_or_a_closed_report_is_refused(supervisor, units, routed):
    client = login(supervisor)
    assert _set(client, routed, units["urban"]).status_code == 302
    again = _set(client, routed, units["urban"])
    assert again.status_code == 409
    assert "already names this unit" in again.content.decode()
    Report.objects.filter(pk=routed.pk).update(status="closed")
    assert _set(client, routed, units["market"]).status_code == 409
    routed.refresh_from_db()
    assert routed.reported_unit == units["urban"]


def test_the_api_names_the_unit(api_as, supervisor, discipline, units, routed):  # noqa: F811
    url = f"/api/v1/reports/inaction/{routed.pk}/unit"
    response = api_as(supervisor).post(url, {"unit": "market", "note": ""})
    assert response.status_code == 200, response.content
    assert response.json()["reported_unit"]["code"] == "market"

    wrong = api_as(supervisor).post(url, {"unit": "nowhere"})
    assert wrong.status_code in {400, 422}
    assert any(error["msg"].startswith("unit: ") for error in wrong.json()["detail"])
    # Outside the ledger's audience the report does not exist.
    assert api_as(discipline).post(url, {"unit": None}).status_code == 404
    routed.refresh_from_db()
    assert routed.reported_unit == units["market"]
