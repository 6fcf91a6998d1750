"""Visits counted from what happened, process figures (exact median and p90), before and after a
new version, and the 百姓评 link of an application naming its matter and step."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.applications import figures
from civicdesk.applications.models import Application, DailyFigure, StepFigure, StepRun
from civicdesk.applications.tests.conftest import (
    MATERIALS,
    accept_all,
    clock,
    login,
    run_through,
    steps_for,
    submit,
)
from civicdesk.applications.versions import version_publish
from civicdesk.catalogue.models import ServiceRecord

pytestmark = pytest.mark.django_db


def days_back(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("count", "share", "position"),
    [(1, 0.5, 0), (2, 0.5, 0), (3, 0.5, 1), (10, 0.9, 8), (11, 0.9, 9), (4, 0.9, 3)],
)
def test_nearest_rank(count, share, position):
    assert figures.nearest_rank(count, share) == position


def test_step_figures_are_exact_medians_and_p90(version, window_clerk, reviewer):
    start = timezone.now() - dt.timedelta(days=40)
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    for number, review in enumerate(hours):
        run_through(
            version, window_clerk, reviewer, start + dt.timedelta(days=number), review_hours=review
        )
    review = StepFigure.objects.get(step__kind="review")
    assert review.completed == 10
    assert review.handle_median == 5 * 3600  # the 5th of 10 by nearest rank
    assert review.handle_p90 == 9 * 3600
    assert review.queue_median == 600  # taken up ten minutes after arrival
    # The page shows them, and the totals over the finished applications.
    html = login(reviewer).get("/hall/staff/figures/").text
    row = re.search(r'<tr class="step-review">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="median">5.0 h</td>' in row and '<td class="p90">9.0 h</td>' in row
    assert '<td class="queue">10 min</td>' in row
    assert re.search(r'<tr class="finished"><th>[^<]*</th><td>10</td>', html)
    assert re.search(r'<tr class="steps-per"><th>[^<]*</th><td>4.00</td>', html)
    # The kept figures are what a rebuild from scratch gives.
    kept = {
        (f.step_id, f.handle_median, f.handle_p90, f.completed) for f in StepFigure.objects.all()
    }
    days = sorted(DailyFigure.objects.values_list("day", "finished", "steps", "visits"))
    figures.rebuild()
    assert kept == {
        (f.step_id, f.handle_median, f.handle_p90, f.completed) for f in StepFigure.objects.all()
    }
    assert days == sorted(DailyFigure.objects.values_list("day", "finished", "steps", "visits"))


def test_before_and_after_a_new_version(version, window_clerk, reviewer, supervisor, units):
    start = timezone.now() - dt.timedelta(days=60)
    for number in range(3):
        run_through(
            version, window_clerk, reviewer, start + dt.timedelta(days=number), review_hours=8
        )
    second = version_publish(
        actor=supervisor,
        item=version.item,
        time_limit_days=9,
        materials=MATERIALS,
        steps=steps_for(units),
        note="审查改为即审即办",
    )
    for number in range(3):
        run_through(
            second, window_clerk, reviewer, start + dt.timedelta(days=20 + number), review_hours=1
        )
    html = login(reviewer).get("/hall/staff/figures/").text
    section = re.search(r'id="figures-food-license">(.*?)</section>', html, re.S).group(1)
    assert "v1" in section and "v2" in section
    row = re.search(r'<tr class="step-review">(.*?)</tr>', section, re.S).group(1)
    medians = re.findall(r'<td class="median">([^<]*)</td>', row)
    assert medians == ["8.0 h", "1.0 h"]  # before, after
    public = Client().get("/services/food-license/").text
    assert 'id="steps-v1"' in public and 'id="steps-v2"' in public


def test_visits_are_days_with_an_appearance(version, window_clerk, citizen):
    # Typed in at the window: that is a visit.
    clerk = login(window_clerk)
    page = clerk.get("/hall/staff/new/?matter=food-license")
    assert page.status_code == 200
    from civicdesk.applications.tests.conftest import apply_form

    data = apply_form(version)
    data["matter"] = "food-license"
    response = clerk.post("/hall/staff/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.channel == "window" and application.visit_count == 1
    # A kiosk scan the same day is the same trip.
    scan = clerk.post("/hall/staff/kiosk/", {"code": application.tracking_code})
    assert scan.status_code == 302
    application.refresh_from_db()
    assert application.visit_count == 1 and application.visits.count() == 2
    # Coming back another day is a second visit.
    from civicdesk.applications.visits import visit_record

    visit_record(
        application=application,
        actor=window_clerk,
        kind="staff",
        at=timezone.now() + dt.timedelta(days=1),
    )
    application.refresh_from_db()
    assert application.visit_count == 2
    kiosk = clerk.get(f"/hall/staff/kiosk/?code={application.tracking_code.lower()}")
    assert kiosk.status_code == 200 and "Record visit" in kiosk.text


def test_visit_after_issue_updates_the_days_figures(version, window_clerk, reviewer):
    application = run_through(
        version, window_clerk, reviewer, timezone.now() - dt.timedelta(days=3)
    )
    row = DailyFigure.objects.get()
    assert (row.visits, row.at_most_one, row.over_one) == (0, 1, 0)
    clerk = login(window_clerk)
    # Picking the licence up in person is a visit too.
    assert (
        clerk.post(f"/hall/staff/a/{application.pk}/visit/", {"kind": "window"}).status_code == 302
    )
    from civicdesk.applications.visits import visit_record

    visit_record(
        application=application,
        actor=window_clerk,
        kind="staff",
        at=timezone.now() + dt.timedelta(days=1),
    )
    row.refresh_from_db()
    assert (row.visits, row.at_most_one, row.over_one) == (2, 0, 1)


def test_on_spot_completion_and_catalogue_sources(version, window_clerk, reviewer, units, handler):
    # A window application accepted and issued the same day.
    with clock(timezone.now() - dt.timedelta(hours=5)):
        from civicdesk.applications.services import NewApplication, application_submit

        application = application_submit(
            version=version,
            data=NewApplication(
                applicant_type="citizen", applicant_name="王五", contact_phone="13700137000"
            ),
            actor=window_clerk,
        )
    application.materials.update(state="accepted")
    accept_all(application, window_clerk)
    from civicdesk.applications import steps

    for actor in (reviewer, reviewer, window_clerk):
        application = steps.step_complete(application=application, actor=actor)
    application.refresh_from_db()
    assert application.on_spot or (
        timezone.localdate(application.accepted_at) != timezone.localdate(application.finished_at)
    )
    # The item with applications reads them; an item with records only keeps its records.
    from civicdesk.catalogue.models import ServiceItem

    other = ServiceItem.objects.create(code="gas", name="燃气报装", legal_days=10, promised_days=5)
    ServiceRecord.objects.create(item=other, unit=units["urban-window"], staff=handler, visits=3)
    # Without the column names the cells carry for a phone ({% datatable %}).
    html = re.sub(r' data-label="[^"]*"', "", Client().get("/services/").text)
    food = re.search(r'<tr id="item-food-license">(.*?)</tr>', html, re.S).group(1)
    gas = re.search(r'<tr id="item-gas">(.*?)</tr>', html, re.S).group(1)
    assert "from applications" in food and '<td class="average">1.00</td>' in food
    assert "from applications" not in gas and '<td class="average">3.00</td>' in gas
    staff = re.sub(r' data-label="[^"]*"', "", login(handler).get("/services/staff/").text)
    total = re.search(r'<tr id="total">(.*?)</tr>', staff, re.S).group(1)
    assert '<td class="records">2</td>' in total and '<td class="average">2.00</td>' in total


def test_withdrawn_application_counts_no_step_time(version, citizen):
    application = submit(version)
    from civicdesk.applications.steps import application_withdraw

    application_withdraw(application=application, reason="不办了")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    run = StepRun.objects.get()
    assert run.completed_at is not None and run.handle_seconds is None
    assert DailyFigure.objects.get().finished == 1


def test_bad_rating_names_the_matter_and_step(version, window_clerk, reviewer):
    application = run_through(
        version, window_clerk, reviewer, timezone.now() - dt.timedelta(days=2)
    )
    client = Client()
    from civicdesk.applications.access import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {application.tracking_code: 4102444800}
    session.save()
    response = client.post(f"/hall/a/{application.tracking_code}/rate/")
    assert response.status_code == 302 and response["Location"].startswith("/rate/")
    rated = client.post(response["Location"], {"level": "1", "reasons": ["waited"]})
    assert rated.status_code == 302
    from civicdesk.ratings.models import Rating

    rating = Rating.objects.get()
    text = rating.case.submission.description
    assert f"Matter: 食品经营许可, application {application.tracking_code}, step: Issue" in text
    assert rating.invitation.application == application
    # One link per application for the applicant.
    again = client.post(f"/hall/a/{application.tracking_code}/rate/")
    assert again["Location"] == response["Location"]
