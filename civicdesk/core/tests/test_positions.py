"""A reported position is both coordinates or neither, inside the district when its bounds are
set, and every channel that takes one refuses the same things: the report form, the JSON API
(anonymous and staff entry of opinions heard in person) and Open311. Nothing is stored."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import ApiToken
from civicdesk.core.positions import Bounds, PositionError, checked_position, parse_bounds
from civicdesk.intake.models import Submission

BOUNDS = "30.1,120.0,30.4,120.3"
INSIDE = ("30.2741", "120.1551")
OUTSIDE = ("31.2304", "121.4737")  # Shanghai, beyond the district


def test_a_position_is_both_coordinates_or_neither(settings):
    settings.CIVICDESK_DISTRICT_BOUNDS = ""
    assert checked_position(None, None) == (None, None)
    assert checked_position(30.2741, 120.1551) == (Decimal("30.274100"), Decimal("120.155100"))
    assert checked_position("30.12345678", "120") == (Decimal("30.123457"), Decimal("120.000000"))
    for latitude, longitude, coordinate in [
        ("30.27", None, "longitude"),
        (None, "120.15", "latitude"),
        ("90.5", "120", "latitude"),
        ("30", "-181", "longitude"),
        ("nan", "120", "latitude"),
        ("1e30", "120", "latitude"),
    ]:
        with pytest.raises(PositionError) as refused:
            checked_position(latitude, longitude)
        assert refused.value.coordinate == coordinate, (latitude, longitude)


def test_outside_the_districts_bounds_is_refused_naming_them(settings):
    settings.CIVICDESK_DISTRICT_BOUNDS = BOUNDS
    assert checked_position(*INSIDE) == (Decimal("30.274100"), Decimal("120.155100"))
    with pytest.raises(PositionError) as refused:
        checked_position(*OUTSIDE)
    assert refused.value.coordinate == "latitude"
    assert refused.value.message == (
        "31.2304, 121.4737 lies outside the district (latitude 30.1 to 30.4, "
        "longitude 120.0 to 120.3); check the position."
    )
    with pytest.raises(PositionError) as refused:
        checked_position("30.2", "119.5")
    assert refused.value.coordinate == "longitude"


@pytest.mark.parametrize(
    "raw", ["1,2,3", "a,b,c,d", "30.4,120,30.1,120.3", "0,0,95,1", "nan,0,1,1"]
)
def test_a_malformed_bounding_box_stops_start_up(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_bounds(raw)


def test_bounds_are_read_as_south_west_north_east():
    assert parse_bounds(" 30.1, 120.0 ,30.4,120.3 ") == Bounds(
        Decimal("30.1"), Decimal("120.0"), Decimal("30.4"), Decimal("120.3")
    )
    assert parse_bounds("") is None


# --- Every channel ----------------------------------------------------------------------------


def _web_form(client: Client, latitude: str | None, longitude: str | None, **_):
    return client.post(
        "/report/",
        {
            "description": "东苑小区门口路灯不亮",
            "form_token": str(uuid.uuid4()),
            "latitude": latitude or "",
            "longitude": longitude or "",
        },
    )


def _errors_of_web_form(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def _api(client: Client, latitude: str | None, longitude: str | None, **_):
    body = {"description": "东苑小区门口路灯不亮"}
    body |= {"latitude": float(latitude)} if latitude else {}
    body |= {"longitude": float(longitude)} if longitude else {}
    return client.post("/api/v1/submissions", body, content_type="application/json")


def _in_person(client: Client, latitude: str | None, longitude: str | None, token: str):
    body = {
        "channel": "phone",
        "heard_at": "12345 热线",
        "heard_on": (timezone.now() - timedelta(hours=1)).isoformat(),
        "description": "东苑小区门口路灯不亮",
        "consent_contact": False,
    }
    body |= {"latitude": float(latitude)} if latitude else {}
    body |= {"longitude": float(longitude)} if longitude else {}
    return client.post(
        "/api/v1/submissions/in-person",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _errors_of_api(response) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in response.json()["detail"]:
        name, message = error["msg"].split(": ", 1)
        errors.setdefault(name, []).append(message)
    return errors


def _open311(client: Client, latitude: str | None, longitude: str | None, token: str):
    fields = {"api_key": token, "service_code": "street-lights", "description": "路灯不亮"}
    fields |= {"lat": latitude} if latitude else {}
    fields |= {"long": longitude} if longitude else {}
    if not (latitude or longitude):
        fields["address_string"] = "东苑小区"
    return client.post("/open311/v2/requests.json", fields)


def _errors_of_open311(response) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in response.json():
        name, message = item["description"].split(": ", 1)
        errors.setdefault({"lat": "latitude", "long": "longitude"}[name], []).append(message)
    return errors


CHANNELS = {
    "web form": (_web_form, _errors_of_web_form, 400),
    "API": (_api, _errors_of_api, 422),
    "API, staff entry": (_in_person, _errors_of_api, 422),
    "Open311": (_open311, _errors_of_open311, 400),
}


@pytest.fixture
def token(clerk, settings) -> str:
    settings.CIVICDESK_OPEN311_JURISDICTION = ""
    return ApiToken.issue(user=clerk, name="test")[1]


@pytest.mark.django_db
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_refuses_half_a_position(channel, token, settings):
    settings.CIVICDESK_DISTRICT_BOUNDS = ""
    send, errors_of, status = CHANNELS[channel]

    response = send(Client(), INSIDE[0], None, token=token)

    assert response.status_code == status, response.content
    assert errors_of(response) == {"longitude": ["Give both latitude and longitude, or neither."]}
    assert not Submission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_refuses_a_position_outside_the_district(channel, token, settings):
    settings.CIVICDESK_DISTRICT_BOUNDS = BOUNDS
    send, errors_of, status = CHANNELS[channel]

    response = send(Client(), *OUTSIDE, token=token)

    assert response.status_code == status, response.content
    [(coordinate, [message])] = errors_of(response).items()
    assert coordinate == "latitude" and "lies outside the district" in message
    assert not Submission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_stores_a_whole_position_inside_the_district(channel, token, settings):
    settings.CIVICDESK_DISTRICT_BOUNDS = BOUNDS
    send, _errors_of, _status = CHANNELS[channel]

    response = send(Client(), *INSIDE, token=token)

    assert response.status_code in {200, 201, 302}, response.content
    submission = Submission.objects.get()
    assert (submission.latitude, submission.longitude) == (
        Decimal("30.274100"),
        Decimal("120.155100"),
    )
