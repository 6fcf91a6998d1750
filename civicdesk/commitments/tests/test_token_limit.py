"""Guessing subscription links: wrong tokens on the confirm and stop links are counted per
client, in the budget shared with the other token links; past the limit every subscription
link from that client gets a translated 429 page with Retry-After (right token or wrong) and
changes nothing, while other clients are unaffected."""

import pytest
from django.test import Client

from civicdesk.commitments.models import Subscription
from civicdesk.commitments.services import subscription_create

pytestmark = pytest.mark.django_db

GUESSER, OTHER = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def subscription(measure) -> Subscription:
    return subscription_create(problem=measure.problem, email="fan@example.org")


def _confirm(token: str) -> str:
    return f"/commitments/subscription/{token}/confirm/"


def _stop(token: str) -> str:
    return f"/commitments/subscription/{token}/stop/"


def assert_throttled(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "Too many wrong links. Try again later." in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_wrong_tokens_past_the_limit_are_refused_for_that_client_only(settings, subscription):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "3/h"
    guesser = Client(REMOTE_ADDR=GUESSER)
    assert guesser.get(_confirm("guess-1")).status_code == 404
    assert guesser.get(_stop("guess-2")).status_code == 404
    # Right tokens are not counted, however often they are opened.
    for _ in range(5):
        assert guesser.get(_stop(subscription.token)).status_code == 200
    assert guesser.post(_stop("guess-3")).status_code == 404  # the third wrong one

    for response in (
        guesser.get(_confirm("guess-4")),
        # Past the limit even a right token is refused: a hit looks like a miss.
        guesser.get(_confirm(subscription.token)),
        guesser.get(_stop(subscription.token)),
        guesser.post(_stop(subscription.token)),
    ):
        assert_throttled(response)
    subscription.refresh_from_db()
    assert not subscription.confirmed  # nothing changed

    other = Client(REMOTE_ADDR=OTHER)
    response = other.get(_confirm(subscription.token))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.confirmed
    assert other.post(_stop(subscription.token)).status_code == 302
    assert not Subscription.objects.exists()


def test_a_stopped_subscription_counts_as_a_wrong_link(settings, subscription):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "1/h"
    client = Client(REMOTE_ADDR=GUESSER)
    assert client.post(_stop(subscription.token)).status_code == 302
    assert client.post(_stop(subscription.token)).status_code == 404
    assert_throttled(client.get(_confirm(subscription.token)))


def test_subscription_and_rating_links_share_one_budget(settings, subscription):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "2/h"
    guesser = Client(REMOTE_ADDR=GUESSER)
    assert guesser.get("/rate/guess/").status_code == 404
    assert guesser.get("/notifications/unsubscribe/guess/").status_code == 404
    assert_throttled(guesser.get(_stop(subscription.token)))


def test_zero_turns_the_limit_off(settings, subscription):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "0"
    guesser = Client(REMOTE_ADDR=GUESSER)
    for n in range(30):
        assert guesser.get(_confirm(f"guess-{n}")).status_code == 404
    assert guesser.get(_stop(subscription.token)).status_code == 200


def test_the_refusal_is_translated(settings, subscription):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "1/h"
    guesser = Client(REMOTE_ADDR=GUESSER, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert guesser.get(_confirm("guess")).status_code == 404
    response = guesser.get(_confirm("guess-2"))
    assert response.status_code == 429 and response["Content-Language"] == "zh-hans"
    assert "无效链接尝试次数过多" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 3600
