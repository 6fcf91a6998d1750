"""百姓评 through the API: issuing links, reading ratings and rectifications, appeals and their
decisions, each for the roles and units the pages allow."""

import pytest

from civicdesk.accounts.models import Role, User
from civicdesk.ratings.models import RatingInvitation
from civicdesk.ratings.services import invitation_create, rating_submit

RATINGS = "/api/v1/ratings"


@pytest.fixture
def window(units):
    return units["urban-window"]


@pytest.fixture
def bad_rating(window, handler):
    invitation = invitation_create(window=window, actor=handler)
    return rating_submit(invitation=invitation, level=1, reasons=["waited"], comment="等了两小时")


@pytest.mark.django_db
def test_handler_issues_a_link_for_a_visit_at_their_window(api_as, handler, window):
    clerk_at_window = User.objects.create_user(
        username="window-clerk", password="x", role=Role.HANDLER, unit=window
    )
    response = api_as(handler).post(
        f"{RATINGS}/windows/{window.code}/invitations",
        {"staff": clerk_at_window.pk, "service_name": "占道许可"},
    )

    assert response.status_code == 201, response.content
    invitation = RatingInvitation.objects.get()
    assert (invitation.created_by, invitation.staff) == (handler, clerk_at_window)
    assert response.json()["rate_url"].endswith(f"/rate/{invitation.token}/")
    detail = api_as(handler).get(f"{RATINGS}/invitations/{invitation.pk}").json()
    assert detail["used_at"] is None


@pytest.mark.django_db
def test_invitation_refusals(api_as, handler, other_handler, leader, clerk, window):
    url = f"{RATINGS}/windows/{window.code}/invitations"

    assert api_as(other_handler).post(url, {}).status_code == 404
    assert api_as(leader).post(url, {}).status_code == 403
    stranger = api_as(clerk).post(url, {"staff": other_handler.pk})
    assert stranger.status_code == 422
    assert stranger.json()["detail"][0]["loc"][-1] == "staff"
    assert not RatingInvitation.objects.exists()


@pytest.mark.django_db
def test_ratings_and_rectifications_within_the_callers_reach(
    api_as, handler, other_handler, supervisor, bad_rating
):
    mine = api_as(handler).get(RATINGS, bad="true").json()
    assert [r["id"] for r in mine["items"]] == [bad_rating.pk]
    assert mine["items"][0]["case"] == bad_rating.case.tracking_code
    assert api_as(other_handler).get(RATINGS).json()["count"] == 0
    assert api_as(other_handler).get(f"{RATINGS}/{bad_rating.pk}").status_code == 404
    open_ones = api_as(supervisor).get(f"{RATINGS}/rectifications", overdue="false").json()
    assert [r["id"] for r in open_ones["items"]] == [bad_rating.pk]
    assert api_as(supervisor).get(f"{RATINGS}/rectifications").json()["count"] == 0


@pytest.mark.django_db
def test_appeal_and_decision(api_as, handler, supervisor, bad_rating):
    appealed = api_as(handler).post(f"{RATINGS}/{bad_rating.pk}/appeal", {"reason": "恶意差评"})
    assert appealed.status_code == 200, appealed.content
    assert appealed.json()["appeal_status"] == "pending"
    assert (
        api_as(handler).post(f"{RATINGS}/{bad_rating.pk}/appeal", {"reason": "x"}).status_code
        == 409
    )
    assert [r["id"] for r in api_as(supervisor).get(f"{RATINGS}/appeals").json()["items"]] == [
        bad_rating.pk
    ]
    assert api_as(handler).get(f"{RATINGS}/appeals").status_code == 403
    refused = api_as(handler).post(
        f"{RATINGS}/{bad_rating.pk}/decision", {"decision": "uphold", "reason": "x"}
    )
    assert refused.status_code == 403

    decided = api_as(supervisor).post(
        f"{RATINGS}/{bad_rating.pk}/decision", {"decision": "uphold", "reason": "监控证实"}
    )

    assert decided.status_code == 200, decided.content
    bad_rating.refresh_from_db()
    assert (bad_rating.appeal_status, bad_rating.excluded) == ("upheld", True)
    assert [e["action"] for e in decided.json()["events"]][-2:] == ["appeal", "uphold"]


@pytest.mark.django_db
def test_supervisor_may_not_appeal_and_bad_decision_is_422(api_as, supervisor, bad_rating):
    assert (
        api_as(supervisor).post(f"{RATINGS}/{bad_rating.pk}/appeal", {"reason": "x"}).status_code
        == 403
    )
    response = api_as(supervisor).post(
        f"{RATINGS}/{bad_rating.pk}/decision", {"decision": "maybe", "reason": "x"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("decision: ")


@pytest.mark.django_db
def test_inspectors_see_no_ratings(api_as, discipline, bad_rating):
    assert api_as(discipline).get(RATINGS).status_code == 403
