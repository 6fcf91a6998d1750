"""Staff record service cases on the fast form; bad input is refused and nothing is saved."""

import pytest

from civicdesk.accounts.models import Role, User
from civicdesk.catalogue.models import ServiceRecord
from civicdesk.conftest import PASSWORD, login

URL = "/services/staff/record/"


def post(client, service_item, unit, **overrides):
    data = {"item": service_item.code, "unit": unit.pk, "channel": "window", "visits": "1"}
    data.update(overrides)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def test_form_defaults_to_own_unit(handler, item):
    response = login(handler).get(URL)
    assert response.status_code == 200
    assert f'value="{handler.unit_id}" selected' in response.text
    assert item.name in response.text


def test_handler_records_a_window_case(handler, item, units):
    client = login(handler)
    response = post(
        client,
        item,
        units["urban-window"],
        visits="1",
        completed_on_spot="on",
        applicant_type="enterprise",
    )
    assert response.status_code == 302
    assert "The service case was recorded." in client.get(response["Location"]).text
    record = ServiceRecord.objects.get()
    assert (record.item, record.unit, record.staff) == (item, units["urban-window"], handler)
    assert (record.visits, record.completed_on_spot, record.channel) == (1, True, "window")
    assert record.applicant_type == "enterprise"


def test_online_case_with_zero_visits(handler, item, units):
    response = post(login(handler), item, units["urban"], channel="online", visits="0")
    assert response.status_code == 302
    assert ServiceRecord.objects.get().channel == "online"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"visits": "-1"}, "greater than or equal to 0"),
        ({"visits": "abc"}, "Enter a whole number."),
        ({"visits": "99"}, "less than or equal to 20"),
        ({"visits": "0"}, "A case at the window takes at least one visit."),
        ({"channel": "online", "visits": "2"}, "A case handled online has 0 visits."),
        (
            {"channel": "online", "visits": "0", "completed_on_spot": "on"},
            "Only a case at the window can be completed on the spot.",
        ),
        ({"channel": "fax"}, "Select a valid choice."),
        ({"item": "no-such-item"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused(handler, item, units, overrides, message):
    response = post(login(handler), item, units["urban-window"], **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert not ServiceRecord.objects.exists()


def test_online_refused_for_item_not_online(handler, item, units):
    item.online = "none"
    item.save()
    response = post(login(handler), item, units["urban"], channel="online", visits="0")
    assert response.status_code == 400
    assert "This service item cannot be handled online." in response.text
    assert not ServiceRecord.objects.exists()


def test_inactive_item_cannot_be_recorded(handler, item, units):
    item.is_active = False
    item.save()
    response = post(login(handler), item, units["urban-window"])
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_handler_cannot_record_for_another_units_window(handler, item, units):
    response = post(login(handler), item, units["market"])
    assert response.status_code == 400
    assert "You cannot record service cases for this window." in response.text
    assert not ServiceRecord.objects.exists()


def test_other_handler_cannot_record_for_urban_window(other_handler, item, units):
    response = post(login(other_handler), item, units["urban-window"])
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_clerk_records_for_any_unit(clerk, item, units):
    assert post(login(clerk), item, units["market"]).status_code == 302
    assert ServiceRecord.objects.get().unit == units["market"]


def test_anonymous_cannot_record(citizen, item, units):
    response = post(citizen, item, units["urban-window"])
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not ServiceRecord.objects.exists()


def test_staff_without_unit_gets_404(units, item):
    user = User.objects.create_user(username="nounit", password=PASSWORD, role=Role.HANDLER)
    client = login(user)
    assert client.get(URL).status_code == 404
    assert post(client, item, units["urban-window"]).status_code == 404
    assert not ServiceRecord.objects.exists()
