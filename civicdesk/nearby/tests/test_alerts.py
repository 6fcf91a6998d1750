"""Area alerts through HTTP: subscribe to a circle or a street, confirm by link (double
opt-in), the scheduled job mails new published reports in the area once, every message has a
stop link, and bad input (absurd radii, invalid e-mails, floods) is refused with nothing
stored."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.nearby.models import AlertDelivery, AreaAlert
from civicdesk.nearby.services import send_area_alerts
from civicdesk.nearby.tests.conftest import EAST_GATE, NORTH
from civicdesk.notifications.models import Outbox

pytestmark = pytest.mark.django_db

CIRCLE = {
    "email": "neighbour@example.org",
    "kind": "radius",
    "latitude": "30.274000",
    "longitude": "120.155000",
    "radius_m": "1000",
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CIVICDESK_SITE_URL = "https://civic.example.org"


def link(body: str, kind: str) -> str:
    return re.search(rf"https://civic\.example\.org(/nearby/alerts/[^/]+/{kind}/)", body)[1]


def subscribe_and_confirm(client: Client, data: dict) -> AreaAlert:
    assert client.post("/nearby/alerts/", data).status_code == 302
    message = Outbox.objects.filter(event="area_alert_confirm").latest("id")
    confirm = link(message.body, "confirm")
    assert client.get(confirm).status_code == 200  # a button, not yet confirmed
    assert not AreaAlert.objects.get(email=data["email"]).is_confirmed
    assert client.post(confirm).status_code == 302
    return AreaAlert.objects.get(email=data["email"])


def test_circle_alert_is_confirmed_by_link_and_mails_new_reports_once(citizen, publish):
    before = publish(EAST_GATE, description="订阅前的诉求")
    page = citizen.get("/nearby/alerts/")
    assert page.status_code == 200
    alert = subscribe_and_confirm(citizen, CIRCLE)
    confirm_mail = Outbox.objects.get(event="area_alert_confirm")
    assert "within 1000 m of 30.274000, 120.155000" in confirm_mail.subject
    assert "/nearby/alerts/" in confirm_mail.body and "/stop/" in confirm_mail.body
    assert "/notifications/unsubscribe/" in confirm_mail.body
    # Just after the earlier report: the reports below are published within the same second.
    AreaAlert.objects.filter(pk=alert.pk).update(
        confirmed_at=before.received_at + timedelta(microseconds=1)
    )

    inside = publish(EAST_GATE, description="东苑小区路灯不亮，电话13812345678")
    publish(NORTH, description="三公里外的诉求")
    publish(EAST_GATE, description="不公开的诉求", consent_publish=False)

    assert send_area_alerts() == 1
    news = Outbox.objects.get(event="area_alert_news")
    assert news.recipient == "neighbour@example.org"
    assert "东苑小区路灯不亮" in news.body
    assert "13812345678" not in news.body
    assert f"/nearby/r/{inside.public_id}/" in news.body
    for absent in ("订阅前的诉求", "三公里外", "不公开", inside.tracking_code):
        assert absent not in news.body
    assert "/stop/" in news.body and "/notifications/unsubscribe/" in news.body
    assert list(AlertDelivery.objects.values_list("case_id", flat=True)) == [inside.pk]

    assert send_area_alerts() == 0  # idempotent: nothing twice
    later = publish(EAST_GATE, description="第二条路灯诉求")
    assert send_area_alerts() == 1
    second = Outbox.objects.filter(event="area_alert_news").latest("id")
    assert f"/nearby/r/{later.public_id}/" in second.body
    assert f"/nearby/r/{inside.public_id}/" not in second.body

    stop = link(second.body, "stop")
    assert citizen.get(stop).status_code == 200
    assert citizen.post(stop).status_code == 302
    assert not AreaAlert.objects.exists()
    publish(EAST_GATE)
    assert send_area_alerts() == 0


def test_unconfirmed_alerts_get_nothing(citizen, publish):
    assert citizen.post("/nearby/alerts/", CIRCLE).status_code == 302
    publish(EAST_GATE)
    assert send_area_alerts() == 0
    # Asking again the same day sends no second confirmation (the form cannot flood a mailbox).
    assert citizen.post("/nearby/alerts/", CIRCLE).status_code == 302
    assert Outbox.objects.filter(event="area_alert_confirm").count() == 1
    assert AreaAlert.objects.count() == 1


def test_street_alert_matches_the_public_address(citizen, publish):
    street = {"email": "walker@example.org", "kind": "street", "street": "文三路"}
    alert = subscribe_and_confirm(citizen, street)
    AreaAlert.objects.filter(pk=alert.pk).update(confirmed_at=timezone.now() - timedelta(minutes=1))
    on_it = publish(place=None, address="文三路 88 号门口", description="人行道破损")
    publish(place=None, address="文二路 10 号", description="别的路")
    assert send_area_alerts() == 1
    news = Outbox.objects.get(event="area_alert_news")
    assert f"/nearby/r/{on_it.public_id}/" in news.body and "别的路" not in news.body
    assert "on 文三路" in news.subject


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CIRCLE | {"email": "not-an-address"}, "“not-an-address” is not an e-mail address."),
        (CIRCLE | {"radius_m": "500000"}, "Select a valid choice."),
        (CIRCLE | {"latitude": "91", "longitude": "120"}, "A latitude is a number from -90"),
        (CIRCLE | {"latitude": "", "longitude": ""}, "Choose the centre of the area"),
        ({"email": "a@example.org", "kind": "street", "street": "路"}, "at least two characters"),
        (CIRCLE | {"kind": "everywhere"}, "Select a valid choice."),
    ],
)
def test_bad_subscriptions_are_refused_and_store_nothing(citizen, data, message):
    response = citizen.post("/nearby/alerts/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AreaAlert.objects.exists()
    assert not Outbox.objects.exists()


def test_limits_are_settings(citizen, settings):
    settings.CIVICDESK_ALERT_MAX_RADIUS = 800
    page = citizen.get("/nearby/alerts/").content.decode()
    assert 'value="1000"' not in page and 'value="500"' in page
    api = citizen.post(
        "/api/v1/nearby/alerts",
        {"email": "x@example.org", "latitude": 30.27, "longitude": 120.15, "radius_m": 5000},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert "between 50 and 800 metres; 5000 is not" in api.content.decode()

    settings.CIVICDESK_ALERT_MAX_PER_ADDRESS = 2
    for radius in (200, 300):
        created = citizen.post(
            "/api/v1/nearby/alerts",
            {"email": "x@example.org", "latitude": 30.27, "longitude": 120.15, "radius_m": radius},
            content_type="application/json",
        )
        assert created.status_code == 202
    third = citizen.post(
        "/api/v1/nearby/alerts",
        {"email": "x@example.org", "latitude": 30.27, "longitude": 120.15, "radius_m": 400},
        content_type="application/json",
    )
    assert third.status_code == 422 and "the most allowed" in third.content.decode()
    assert AreaAlert.objects.count() == 2

    settings.CIVICDESK_ALERT_SUBSCRIBE_RATE_LIMIT = "1/h"
    flooder = Client(REMOTE_ADDR="198.51.100.44")
    small = CIRCLE | {"radius_m": "500"}
    assert flooder.post("/nearby/alerts/", small).status_code == 302
    flooded = flooder.post("/nearby/alerts/", small | {"email": "other@example.org"})
    assert flooded.status_code == 429
    assert not AreaAlert.objects.filter(email="other@example.org").exists()


def test_wrong_alert_links_are_404_and_counted(citizen, settings):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "2/h"
    assert citizen.get("/nearby/alerts/nope/confirm/").status_code == 404
    assert citizen.get("/nearby/alerts/nope/stop/").status_code == 404
    assert citizen.get("/nearby/alerts/nope/stop/").status_code == 429


def test_alert_point_is_stored_as_given(citizen):
    citizen.post("/nearby/alerts/", CIRCLE)
    alert = AreaAlert.objects.get()
    assert (alert.latitude, alert.longitude, alert.radius_m) == (
        Decimal("30.274000"),
        Decimal("120.155000"),
        1000,
    )
