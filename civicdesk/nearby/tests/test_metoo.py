"""“Me too” (附议): once per person, report and day, rate-limited, refused on answered and
unpublished reports with nothing stored, and counted as likes in the problem list's heat."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.services import case_accept, case_answer, case_assign
from civicdesk.nearby.models import Endorsement
from civicdesk.problems.services import problem_heats
from civicdesk.triage.cluster import Message, heat

pytestmark = pytest.mark.django_db


def browser(address: str = "203.0.113.7", agent: str = "Phone A") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def metoo(client: Client, case):
    return client.post(f"/nearby/r/{case.public_id}/metoo/", follow=False)


def test_me_too_counts_once_per_person_and_day(publish):
    case = publish()
    person = browser()
    first = metoo(person, case)
    assert first.status_code == 302
    assert "civicdesk_metoo" in first.cookies
    page = person.get(first["Location"]).content.decode()
    assert "1 person said “me too”" in page
    again = metoo(person, case)
    assert again.status_code == 409
    assert "already said “me too” to this report today" in again.content.decode()
    # The same browser from another network: its cookie says it is the same person.
    person.defaults["REMOTE_ADDR"] = "198.51.100.9"
    assert metoo(person, case).status_code == 409
    # A fresh browser (no cookie) with the same address and software: the same person too.
    assert metoo(browser(), case).status_code == 409
    # Someone else counts.
    assert metoo(browser("198.51.100.20", "Phone B"), case).status_code == 302
    assert Endorsement.objects.filter(case=case).count() == 2


def test_me_too_again_the_next_day(publish, monkeypatch):
    case = publish()
    person = browser()
    assert metoo(person, case).status_code == 302
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("civicdesk.nearby.services.timezone.localdate", lambda *args: tomorrow)
    assert metoo(person, case).status_code == 302
    assert sorted(Endorsement.objects.values_list("day", flat=True)) == [
        tomorrow - timedelta(days=1),
        tomorrow,
    ]


def test_me_too_flood_is_refused_and_stores_nothing(publish, settings):
    settings.CIVICDESK_METOO_RATE_LIMIT = "3/h"
    cases = [publish() for _ in range(5)]
    flooder = browser()
    statuses = [metoo(flooder, case).status_code for case in cases]
    assert statuses == [302, 302, 302, 429, 429]
    refused = metoo(flooder, cases[4])
    assert "Too many “me too” from your connection" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert Endorsement.objects.count() == 3


def test_me_too_is_refused_on_answered_and_unpublished_reports(
    publish, make_case, units, clerk, handler
):
    case = case_assign(case=publish(), unit=units["urban"], actor=clerk)
    case = case_answer(case=case_accept(case=case, actor=handler), actor=handler, text="已修复")
    refused = metoo(browser(), case)
    assert refused.status_code == 409
    assert "has been answered" in refused.content.decode()
    private = make_case(consent_publish=False)
    assert metoo(browser(), private).status_code == 404
    assert not Endorsement.objects.exists()


def test_me_too_through_the_api(publish, settings):
    case = publish()
    url = f"/api/v1/nearby/reports/{case.public_id}/me-too"
    client = browser()
    first = client.post(url)
    assert first.status_code == 201
    assert first.json() == {"public_id": case.public_id, "me_too": 1}
    second = client.post(url)
    assert second.status_code == 409
    assert "already said" in second.json()["detail"]
    assert browser("198.51.100.1").post(url).json()["me_too"] == 2
    assert client.get(f"/api/v1/nearby/reports/{case.public_id}").json()["me_too"] == 2
    settings.CIVICDESK_METOO_RATE_LIMIT = "1/h"
    flooded = browser("198.51.100.2")
    assert flooded.post(url).status_code == 201
    assert flooded.post(url).status_code == 429


def test_me_too_raises_the_problem_heat(publish):
    from civicdesk.problems.models import Problem

    case = publish()
    problem = Problem.objects.create(title="东苑小区路灯")
    problem.cases.add(case)
    start = timezone.now() - timedelta(days=1)
    end = timezone.now() + timedelta(minutes=1)
    before = problem_heats([problem.pk], start=start, end=end)[problem.pk].heat
    for index in range(3):
        assert metoo(browser(f"198.51.100.{index}"), case).status_code == 302
    after = problem_heats([problem.pk], start=start, end=end)[problem.pk].heat
    assert after > before
    # Exactly the engine's formula with the three "me too" as likes.
    moment = min(end, timezone.now())
    expected = heat([Message(id="", text="", likes=3, time=case.received_at)], moment)
    assert after == pytest.approx(expected, rel=1e-3)


def test_me_too_are_likes_of_a_clustering_run(publish, supervisor):
    from civicdesk.problems.models import ClusterRun
    from civicdesk.problems.services import _messages, run_cases

    case = publish()
    metoo(browser("198.51.100.5"), case)
    metoo(browser("198.51.100.6"), case)
    today = timezone.localdate()
    run = ClusterRun.objects.create(
        created_by=supervisor, period_start=today - timedelta(days=1), period_end=today
    )
    [message] = _messages(run_cases(run))
    assert message.likes == 2
