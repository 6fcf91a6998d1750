"""Guessing unsubscribe links: wrong tokens are counted per client; past the limit the page
answers 429 with Retry-After to that client, and changes nothing, while others are unaffected."""

import pytest
from django.test import Client

from civicdesk.notifications.models import Preference
from civicdesk.notifications.services import unsubscribe_token

pytestmark = pytest.mark.django_db

GUESSER, OTHER = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def url(db) -> str:
    preference = Preference.objects.create(channel="email", address="li@example.org")
    return f"/notifications/unsubscribe/{unsubscribe_token(preference)}/"


def test_a_guessing_client_is_refused_and_others_are_not(settings, url):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "3/h"
    guesser = Client(REMOTE_ADDR=GUESSER)
    assert guesser.get("/notifications/unsubscribe/1/").status_code == 404
    assert guesser.post("/notifications/unsubscribe/2/", {"stop_all": "on"}).status_code == 404
    assert guesser.get(url).status_code == 200  # a right token is not counted
    forged = url.replace("/unsubscribe/", "/unsubscribe/x")
    assert guesser.get(forged).status_code == 404

    for response in (
        guesser.get("/notifications/unsubscribe/4/"),
        guesser.get(url),  # past the limit even a right token: a hit looks like a miss
        guesser.post(url, {"stop_all": "on"}),
    ):
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
        assert "Too many wrong unsubscribe links" in response.content.decode()
        assert 1 <= int(response["Retry-After"]) <= 3600
    assert not Preference.objects.get().stop_all

    other = Client(REMOTE_ADDR=OTHER)
    assert other.get(url).status_code == 200
    assert other.post(url, {"stop_all": "on"}).status_code == 302
    assert Preference.objects.get().stop_all


def test_clients_behind_a_trusted_proxy_are_told_apart(settings, url):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "1/h"
    settings.CIVICDESK_TRUSTED_PROXY_COUNT = 1
    guesser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER)
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OTHER)
    assert guesser.get("/notifications/unsubscribe/1/").status_code == 404
    assert guesser.get(url).status_code == 429
    assert other.get(url).status_code == 200
