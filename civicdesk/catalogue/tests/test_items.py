"""Supervisors and administrators edit the catalogue; promises beyond the law are refused."""

import pytest

from civicdesk.catalogue.models import ServiceItem
from civicdesk.conftest import login

NEW = "/services/staff/items/new/"


def data(**overrides):
    values = {
        "code": "pet-licence",
        "name": "犬只登记",
        "name_en": "Dog registration",
        "materials": "申请表\n\n 免疫证明 \n",
        "legal_days": "10",
        "promised_days": "3",
        "online": "application",
        "max_visits": "1",
        "is_active": "on",
    }
    values.update(overrides)
    return values


def test_supervisor_creates_an_item(supervisor, units):
    response = login(supervisor).post(NEW, data(responsible_unit=units["urban"].pk))
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="pet-licence")
    assert item.material_list == ["申请表", "免疫证明"]
    assert (item.legal_days, item.promised_days, item.responsible_unit) == (10, 3, units["urban"])


def test_promised_limit_beyond_legal_limit_is_refused(supervisor):
    response = login(supervisor).post(NEW, data(legal_days="5", promised_days="6"))
    assert response.status_code == 400
    assert "The promised time limit cannot be longer than the legal time limit." in response.text
    assert not ServiceItem.objects.filter(code="pet-licence").exists()


def test_editing_an_item_keeps_the_rule(admin_user):
    item = ServiceItem.objects.get(code="gas-connection")
    url = f"/services/staff/items/{item.code}/edit/"
    client = login(admin_user)
    assert client.get(url).status_code == 200
    response = client.post(url, data(code=item.code, legal_days="3", promised_days="7"))
    assert response.status_code == 400
    item.refresh_from_db()
    assert (item.legal_days, item.promised_days) == (15, 7)
    assert client.post(url, data(code=item.code, promised_days="2")).status_code == 302
    item.refresh_from_db()
    assert (item.legal_days, item.promised_days) == (10, 2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "staff"}, "This code is reserved"),
        ({"code": "gas-connection"}, "Another service item already has this code."),
        ({"online": "full", "max_visits": "1"}, "A fully online item needs no visit."),
        ({"legal_days": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_items_are_refused(supervisor, overrides, message):
    count = ServiceItem.objects.count()
    response = login(supervisor).post(NEW, data(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert ServiceItem.objects.count() == count


def test_handlers_cannot_edit_items(handler):
    client = login(handler)
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, data()).status_code == 404
    assert client.get("/services/staff/items/gas-connection/edit/").status_code == 404
    assert not ServiceItem.objects.filter(code="pet-licence").exists()
