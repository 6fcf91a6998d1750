"""百姓评 through HTTP: links, one rating per visit, rectification cases, appeals, re-rating."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from civicdesk.cases.models import Case
from civicdesk.cases.services import case_accept, case_answer
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.ratings.models import (
    AppealStatus,
    EventAction,
    Rating,
    RatingEvent,
    RatingInvitation,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def window(units):
    return units["urban-window"]


@pytest.fixture
def invitation(window, handler):
    """A link a handler of the window's department issued for one visit."""
    client = login(handler)
    response = client.post(
        f"/rate/staff/window/{window.code}/invite/", {"service_name": "占道经营许可"}
    )
    assert response.status_code == 302
    return RatingInvitation.objects.get()


def rate(client, token, level, **extra):
    return client.post(f"/rate/{token}/", {"level": level, **extra})


def test_staff_issue_a_link_with_qr_code(handler, window):
    client = login(handler)
    response = client.post(f"/rate/staff/window/{window.code}/invite/", {"service_name": "许可"})
    invitation = RatingInvitation.objects.get()
    assert response["Location"] == f"/rate/staff/invitation/{invitation.pk}/"
    assert invitation.window == window and invitation.created_by == handler
    assert len(invitation.token) >= 40 and invitation.used_at is None
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"/rate/{invitation.token}/" in page.content.decode()
    assert b"<svg" in page.content
    assert RatingEvent.objects.filter(invitation=invitation, action=EventAction.INVITE).exists()


def test_a_good_rating_is_stored_once_and_opens_no_case(citizen, invitation):
    assert citizen.get(f"/rate/{invitation.token}/").status_code == 200
    response = rate(citizen, invitation.token, 5, comment="很快")
    assert response.status_code == 302
    assert response["Location"] == f"/rate/{invitation.token}/done/"
    rating = Rating.objects.get()
    assert (rating.level, rating.comment, rating.window_id) == (5, "很快", invitation.window_id)
    assert not rating.is_bad and rating.case is None
    assert Case.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert "Very satisfied" in citizen.get(response["Location"]).content.decode()

    again = rate(citizen, invitation.token, 1)
    assert again.status_code == 409
    assert "already rated" in again.content.decode()
    assert Rating.objects.count() == 1 and Case.objects.count() == 0
    assert citizen.get(f"/rate/{invitation.token}/").status_code == 409


def test_forged_token_is_refused(citizen, invitation):
    for token in ["forged-token-123", invitation.token[:-1] + "x", "x" * 100]:
        response = rate(citizen, token, 1)
        assert response.status_code == 404
        assert "This rating link is not valid" in response.content.decode()
    assert Rating.objects.count() == 0 and Case.objects.count() == 0


@pytest.mark.parametrize("level", ["0", "6", "", "abc", "-1"])
def test_out_of_range_level_is_refused(citizen, invitation, level):
    response = rate(citizen, invitation.token, level)
    assert response.status_code == 400
    assert "Choose one of the five levels" in response.content.decode()
    assert Rating.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_unknown_reason_is_refused(citizen, invitation):
    response = rate(citizen, invitation.token, 2, reasons=["bribe"])
    assert response.status_code == 400
    assert Rating.objects.count() == 0 and Case.objects.count() == 0


def test_a_bad_rating_becomes_a_rectification_case_due_in_15_working_days(citizen, invitation):
    # Friday 26 September 2025, 10:00 in Shanghai. Hand count of 15 working days from the
    # next day: Sun 28 Sep (make-up day) 1, Mon 29 2, Tue 30 3, National Day 1–8 Oct off,
    # Thu 9 4, Fri 10 5, Sat 11 (make-up day) 6, 13–17 Oct 7–11, 20–23 Oct 12–15.
    moment = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    with mock.patch("civicdesk.ratings.services._now", return_value=moment):
        response = rate(
            citizen,
            invitation.token,
            1,
            reasons=["waited", "extra_materials"],
            comment="跑了三趟",
            contact_phone="13800000000",
        )
    assert response.status_code == 302
    rating = Rating.objects.select_related("case__submission__channel").get()
    case = rating.case
    assert rating.is_bad and case is not None
    assert case.unit == invitation.window and case.status == Status.ASSIGNED
    assert case.submission.channel.code == "rating"
    assert case.submission.contact_phone == "13800000000"
    description = case.submission.description
    assert "Very dissatisfied" in description and "跑了三趟" in description
    assert "Waited too long" in description and "占道经营许可" in description
    assert rating.due_at.astimezone(SHANGHAI).date().isoformat() == "2025-10-23"
    assert rating.rerate_token
    assert RatingEvent.objects.filter(rating=rating, action=EventAction.RECTIFY).exists()
    # The thank-you page shows the tracking code to follow the case.
    page = citizen.get(response["Location"]).content.decode()
    assert case.tracking_code in page and f"/track/{case.tracking_code}/" in page


def test_rectification_days_are_configurable(citizen, invitation, settings):
    settings.CIVICDESK_RECTIFICATION_DAYS = 3
    moment = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    with mock.patch("civicdesk.ratings.services._now", return_value=moment):
        rate(citizen, invitation.token, 2)
    # Sun 28 Sep (make-up), Mon 29, Tue 30.
    assert Rating.objects.get().due_at.astimezone(SHANGHAI).date().isoformat() == "2025-09-30"


def test_window_qr_link_issues_fresh_invitations_and_is_rate_limited(citizen, window, settings):
    settings.CIVICDESK_RATING_WINDOW_RATE_LIMIT = "2/10m"
    first = citizen.get(f"/rate/window/{window.code}/")
    second = citizen.get(f"/rate/window/{window.code}/")
    assert first.status_code == second.status_code == 302
    assert first["Location"] != second["Location"]
    assert RatingInvitation.objects.filter(window=window, created_by=None).count() == 2
    third = citizen.get(f"/rate/window/{window.code}/")
    assert third.status_code == 429
    # Come back when the limit's window ends, not in a fixed hour.
    assert 0 < int(third["Retry-After"]) <= 600
    assert RatingInvitation.objects.count() == 2
    # Another connection is not held back.
    other = citizen.__class__(REMOTE_ADDR="10.0.0.9").get(f"/rate/window/{window.code}/")
    assert other.status_code == 302
    token = first["Location"].split("/")[2]
    assert rate(citizen, token, 4).status_code == 302
    assert Rating.objects.get().window == window


def test_staff_qr_link_attributes_the_rating(citizen, window, units, handler):
    from civicdesk.accounts.models import Role, User

    clerk_at_window = User.objects.create_user(
        username="w1", password="x", role=Role.HANDLER, unit=window
    )
    response = citizen.get(f"/rate/window/{window.code}/staff/{clerk_at_window.pk}/")
    assert response.status_code == 302
    assert RatingInvitation.objects.get().staff == clerk_at_window
    # Staff of another unit cannot be named on this window's link.
    assert citizen.get(f"/rate/window/{window.code}/staff/{handler.pk}/").status_code == 404
    assert citizen.get("/rate/window/market/").status_code == 404  # not a window
    assert RatingInvitation.objects.count() == 1


def test_printable_posters(handler, window):
    client = login(handler)
    page = client.get(f"/rate/staff/window/{window.code}/poster/")
    assert page.status_code == 200
    assert f"/rate/window/{window.code}/" in page.content.decode() and b"<svg" in page.content


def _bad_rating(citizen, invitation) -> Rating:
    rate(citizen, invitation.token, 1, comment="态度差")
    return Rating.objects.get()


def test_appeal_upheld_excludes_the_rating(citizen, invitation, handler, supervisor):
    rating = _bad_rating(citizen, invitation)
    unit = login(handler)
    assert unit.post(f"/rate/staff/ratings/{rating.pk}/appeal/", {"reason": ""}).status_code == 400
    response = unit.post(f"/rate/staff/ratings/{rating.pk}/appeal/", {"reason": "恶意差评"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.appeal_status == AppealStatus.PENDING and not rating.excluded
    # The unit cannot decide its own appeal.
    decided = unit.post(f"/rate/staff/ratings/{rating.pk}/decide/", {"decision": "uphold"})
    assert decided.status_code == 404

    boss = login(supervisor)
    assert str(rating.window) in boss.get("/rate/staff/appeals/").content.decode()
    response = boss.post(
        f"/rate/staff/ratings/{rating.pk}/decide/", {"decision": "uphold", "reason": "监控核实"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.appeal_status == AppealStatus.UPHELD
    assert rating.excluded and rating.excluded_reason == "监控核实"
    assert not Rating.objects.counted().exists()
    actions = list(RatingEvent.objects.filter(rating=rating).values_list("action", flat=True))
    assert actions[-2:] == [EventAction.APPEAL, EventAction.UPHOLD]


def test_appeal_rejected_keeps_the_rating(citizen, invitation, handler, supervisor):
    rating = _bad_rating(citizen, invitation)
    login(handler).post(f"/rate/staff/ratings/{rating.pk}/appeal/", {"reason": "误评"})
    boss = login(supervisor)
    no_reason = boss.post(f"/rate/staff/ratings/{rating.pk}/decide/", {"decision": "reject"})
    assert no_reason.status_code == 400
    response = boss.post(
        f"/rate/staff/ratings/{rating.pk}/decide/", {"decision": "reject", "reason": "属实"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.appeal_status == AppealStatus.REJECTED and not rating.excluded
    assert list(Rating.objects.counted()) == [rating]
    # One appeal per rating.
    again = login(handler).post(f"/rate/staff/ratings/{rating.pk}/appeal/", {"reason": "再诉"})
    assert again.status_code == 400
    assert RatingEvent.objects.filter(action=EventAction.APPEAL).count() == 1


def test_another_unit_cannot_see_the_windows_ratings(citizen, invitation, other_handler, window):
    rating = _bad_rating(citizen, invitation)
    other = login(other_handler)
    assert other.get(f"/rate/staff/ratings/{rating.pk}/").status_code == 404
    assert other.get(f"/rate/staff/window/{window.code}/").status_code == 404
    assert other.get(f"/rate/staff/window/{window.code}/poster/").status_code == 404
    assert other.get(f"/rate/staff/invitation/{invitation.pk}/").status_code == 404
    appeal = other.post(f"/rate/staff/ratings/{rating.pk}/appeal/", {"reason": "x"})
    assert appeal.status_code == 404
    assert other.post(f"/rate/staff/window/{window.code}/invite/", {}).status_code == 404
    assert "态度差" not in other.get("/rate/staff/").content.decode()
    assert "态度差" not in other.get("/rate/staff/rectifications/?overdue=0").content.decode()
    rating.refresh_from_db()
    assert rating.appeal_status == AppealStatus.NONE
    assert RatingInvitation.objects.count() == 1
    # Citizens are sent to the login page.
    assert citizen.get(f"/rate/staff/ratings/{rating.pk}/").status_code == 302


def test_overdue_rectifications_list(citizen, invitation, handler, other_handler, supervisor):
    moment = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    with mock.patch("civicdesk.ratings.services._now", return_value=moment):
        rating = _bad_rating(citizen, invitation)
    code = rating.case.tracking_code
    assert code in login(handler).get("/rate/staff/rectifications/").content.decode()
    assert code in login(supervisor).get("/rate/staff/rectifications/").content.decode()
    assert code not in login(other_handler).get("/rate/staff/rectifications/").content.decode()
    case_answer(case=rating.case, actor=handler, text="已整改")
    assert code not in login(supervisor).get("/rate/staff/rectifications/").content.decode()


def test_rerate_only_after_the_case_is_answered(citizen, invitation, handler):
    rating = _bad_rating(citizen, invitation)
    url = f"/rate/again/{rating.rerate_token}/"
    early = citizen.post(url, {"level": 4})
    assert early.status_code == 409
    assert "once the unit has answered" in early.content.decode()
    assert Rating.objects.count() == 1

    case_accept(case=rating.case, actor=handler)
    case_answer(case=rating.case, actor=handler, text="已核实并整改，向您致歉")
    assert citizen.get(url).status_code == 200
    assert citizen.post(url, {"level": 7}).status_code == 400
    response = citizen.post(url, {"level": 4, "comment": "改进了"})
    assert response.status_code == 200
    rerating = Rating.objects.get(previous=rating)
    assert rerating.level == 4 and rerating.invitation == invitation
    assert list(Rating.objects.counted()) == [rerating]
    assert Case.objects.count() == 1

    again = citizen.post(url, {"level": 5})
    assert again.status_code == 409
    assert Rating.objects.count() == 2
    assert citizen.post("/rate/again/forged/", {"level": 5}).status_code == 404


def test_rating_events_are_append_only(citizen, invitation):
    rate(citizen, invitation.token, 5)
    event = RatingEvent.objects.filter(action=EventAction.RATE).get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
