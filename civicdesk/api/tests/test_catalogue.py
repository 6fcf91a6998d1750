"""The service catalogue through the API: recording service cases within the caller's units,
the figures, and editing items (supervisors and administrators)."""

import pytest

from civicdesk.catalogue.models import ServiceItem, ServiceRecord

CATALOGUE = "/api/v1/catalogue"


@pytest.fixture
def item(units) -> ServiceItem:
    return ServiceItem.objects.create(
        code="stall-permit",
        name="临时占道摊点许可",
        responsible_unit=units["urban"],
        legal_days=20,
        promised_days=5,
        online="application",
        max_visits=1,
    )


def record(**fields) -> dict:
    return {
        "item": "stall-permit",
        "unit": "urban-window",
        "channel": "window",
        "visits": 1,
        "completed_on_spot": True,
    } | fields


@pytest.mark.django_db
def test_handler_records_a_case_at_a_window_of_their_unit(api_as, handler, item):
    response = api_as(handler).post(f"{CATALOGUE}/records", record())

    assert response.status_code == 201, response.content
    saved = ServiceRecord.objects.get()
    assert (saved.unit.code, saved.staff, saved.visits) == ("urban-window", handler, 1)
    listed = api_as(handler).get(f"{CATALOGUE}/records").json()
    assert [r["id"] for r in listed["items"]] == [saved.pk]
    figures = api_as(handler).get(f"{CATALOGUE}/figures").json()
    assert figures["total"]["records"] == 1
    assert figures["total"]["on_spot_rate"] == 1.0
    ours = next(row for row in figures["items"] if row["item"]["code"] == "stall-permit")
    assert ours["metrics"]["once_kept"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"unit": "market"}, 422, "unit"),
        ({"item": "nothing"}, 422, "item"),
        ({"visits": 99}, 422, "visits"),
        ({"channel": "online", "visits": 2}, 409, None),
    ],
)
def test_bad_records_are_refused(api_as, handler, item, fields, status, field):
    response = api_as(handler).post(f"{CATALOGUE}/records", record(**fields))

    assert response.status_code == status
    if field:
        assert response.json()["detail"][0]["msg"].startswith(f"{field}: ")
    assert not ServiceRecord.objects.exists()


@pytest.mark.django_db
def test_other_handlers_do_not_see_the_records(api_as, handler, other_handler, item):
    api_as(handler).post(f"{CATALOGUE}/records", record())

    assert api_as(other_handler).get(f"{CATALOGUE}/records").json()["count"] == 0


@pytest.mark.django_db
def test_supervisor_edits_items_and_others_may_not(api_as, supervisor, handler, discipline, item):
    body = {
        "code": "stall-permit",
        "name": "摊点许可",
        "materials": ["申请表", "身份证"],
        "legal_days": 20,
        "promised_days": 3,
        "online": "full",
        "max_visits": 0,
    }
    before = ServiceItem.objects.count()

    updated = api_as(supervisor).put(f"{CATALOGUE}/items/stall-permit", body)
    created = api_as(supervisor).post(f"{CATALOGUE}/items", body | {"code": "new-item"})
    clash = api_as(supervisor).post(f"{CATALOGUE}/items", body)
    inverted = api_as(supervisor).post(
        f"{CATALOGUE}/items", body | {"code": "x", "promised_days": 30}
    )

    assert updated.status_code == 200, updated.content
    assert updated.json()["materials"] == ["申请表", "身份证"]
    assert created.status_code == 201
    assert (clash.status_code, inverted.status_code) == (409, 409)
    assert api_as(handler).post(f"{CATALOGUE}/items", body | {"code": "y"}).status_code == 403
    assert api_as(discipline).get(f"{CATALOGUE}/items").status_code == 403
    assert ServiceItem.objects.count() == before + 1
