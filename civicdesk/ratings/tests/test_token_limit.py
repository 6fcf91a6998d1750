"""Guessing rating links: wrong tokens are counted per client; past the limit every rating link
from that client gets a 429 page (right token or wrong), while other clients are unaffected."""

import pytest
from django.test import Client

from civicdesk.conftest import login
from civicdesk.notifications.models import Preference
from civicdesk.notifications.services import unsubscribe_token
from civicdesk.ratings.models import Rating, RatingInvitation

pytestmark = pytest.mark.django_db

GUESSER, OTHER = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def invitation(units, handler):
    window = units["urban-window"]
    response = login(handler).post(
        f"/rate/staff/window/{window.code}/invite/", {"service_name": "占道经营许可"}
    )
    assert response.status_code == 302
    return RatingInvitation.objects.get()


def assert_throttled(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_wrong_tokens_past_the_limit_are_refused_for_that_client_only(settings, invitation):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "3/h"
    guesser = Client(REMOTE_ADDR=GUESSER)
    for n in range(2):
        assert guesser.get(f"/rate/guess-{n}/").status_code == 404
    assert guesser.get(f"/rate/{invitation.token}/").status_code == 200  # a right one: not counted
    assert guesser.get("/rate/guess-3/").status_code == 404  # the third wrong one
    refused = guesser.get("/rate/guess-4/")
    assert_throttled(refused)
    assert "Too many wrong rating links" in refused.content.decode()  # this page's reason
    # Now even a right token is refused, so a hit cannot be told from a miss...
    assert_throttled(guesser.get(f"/rate/{invitation.token}/"))
    assert_throttled(guesser.post(f"/rate/{invitation.token}/", {"level": 5}))
    assert_throttled(guesser.get(f"/rate/{invitation.token}/done/"))
    assert_throttled(guesser.get("/rate/again/guess/"))
    assert not Rating.objects.exists()

    # ...while the person the link was given to rates as usual.
    other = Client(REMOTE_ADDR=OTHER)
    assert other.get(f"/rate/{invitation.token}/").status_code == 200
    response = other.post(f"/rate/{invitation.token}/", {"level": 5})
    assert response.status_code == 302 and Rating.objects.count() == 1


def test_wrong_rerate_tokens_count_too(settings, invitation):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "2/h"
    rater = Client(REMOTE_ADDR=OTHER)
    rater.post(f"/rate/{invitation.token}/", {"level": 1, "comment": "态度差"})
    rating = Rating.objects.get()
    guesser = Client(REMOTE_ADDR=GUESSER)
    assert guesser.post("/rate/again/guess-1/", {"level": 5}).status_code == 404
    assert guesser.get("/rate/again/guess-2/").status_code == 404
    assert_throttled(guesser.get(f"/rate/again/{rating.rerate_token}/"))
    assert rater.get(f"/rate/again/{rating.rerate_token}/").status_code == 409  # not answered yet


def test_rating_and_unsubscribe_links_share_one_budget(settings, invitation):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "2/h"
    preference = Preference.objects.create(channel="email", address="li@example.org")
    unsubscribe = f"/notifications/unsubscribe/{unsubscribe_token(preference)}/"
    guesser = Client(REMOTE_ADDR=GUESSER)
    assert guesser.get("/rate/guess/").status_code == 404
    assert guesser.get("/notifications/unsubscribe/guess/").status_code == 404
    assert_throttled(guesser.get(unsubscribe))
    assert_throttled(guesser.get(f"/rate/{invitation.token}/"))


def test_zero_turns_the_limit_off(settings, invitation):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "0"
    guesser = Client(REMOTE_ADDR=GUESSER)
    for n in range(30):
        assert guesser.get(f"/rate/guess-{n}/").status_code == 404
    assert guesser.get(f"/rate/{invitation.token}/").status_code == 200


def test_the_default_allows_twenty_wrong_links_an_hour(invitation):
    guesser = Client(REMOTE_ADDR=GUESSER)
    for n in range(20):
        assert guesser.get(f"/rate/guess-{n}/").status_code == 404
    assert_throttled(guesser.get("/rate/guess-21/"))


def test_the_refusal_is_translated(settings, invitation):
    settings.CIVICDESK_TOKEN_MISS_RATE_LIMIT = "1/h"
    guesser = Client(REMOTE_ADDR=GUESSER, HTTP_ACCEPT_LANGUAGE="zh-hans")
    guesser.get("/rate/guess/")
    response = guesser.get("/rate/guess-2/")
    assert response.status_code == 429 and response["Content-Language"] == "zh-hans"
