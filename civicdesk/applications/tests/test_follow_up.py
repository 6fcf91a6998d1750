"""容缺受理 (issue 18, item 2): an application accepted with a material to follow has a deadline
for it. Once that deadline passes with the material not in, the staff see it: a filter of the
applications list, a mark on the row and beside the material on the application's page; the
mark goes once the applicant hands the material in."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import ApiToken
from civicdesk.applications.models import Application
from civicdesk.applications.tests.conftest import apply_form, clock, login, pdf

pytestmark = pytest.mark.django_db

MARK = 'class="badge overdue follow-up-late"'


def act(client, application, action, **data):
    response = client.post(f"/hall/staff/a/{application.pk}/{action}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def accepted(citizen, version, window_clerk):
    """Two applications accepted at the window: one with the health certificates to follow
    (容缺, 5 working days), one complete."""
    made = []
    for name, missing in (("容缺餐饮店", ("从业人员健康证明",)), ("齐全餐饮店", ())):
        citizen.post(
            "/hall/matters/food-license/apply/",
            apply_form(version, missing=missing, applicant_name=name),
        )
        application = Application.objects.get(applicant_name=name)
        clerk = login(window_clerk)
        for line in application.materials.filter(state="provided"):
            act(clerk, application, "check", material=line.pk, decision="accept")
        act(clerk, application, "accept")
        made.append(application)
    return made


def listed(client, **params) -> list[str]:
    page = client.get("/hall/staff/", params).content.decode()
    codes = []
    for application in Application.objects.all():
        if f'id="app-{application.tracking_code}"' in page:
            codes.append(application.applicant_name)
    return sorted(codes)


def test_a_material_to_follow_past_its_deadline_is_listed_and_marked(accepted, window_clerk):
    deferring, complete = accepted
    deferred = deferring.materials.get(requirement__name="从业人员健康证明")
    assert deferred.state == "deferred" and deferred.follow_up_due > timezone.now()
    clerk = login(window_clerk)

    # Before the deadline: nothing overdue.
    assert listed(clerk, follow_up="1") == []
    assert MARK not in clerk.get("/hall/staff/").content.decode()

    later = deferred.follow_up_due + dt.timedelta(hours=1)
    with clock(later):
        clerk = login(window_clerk)
        assert listed(clerk, follow_up="1") == ["容缺餐饮店"]
        assert listed(clerk) == ["容缺餐饮店", "齐全餐饮店"]
        row = clerk.get("/hall/staff/").content.decode()
        assert row.count(MARK) == 1
        detail = clerk.get(f"/hall/staff/a/{deferring.pk}/").content.decode()
        assert MARK in detail
        assert MARK not in clerk.get(f"/hall/staff/a/{complete.pk}/").content.decode()


def test_the_mark_goes_once_the_material_is_in(accepted, window_clerk, citizen):
    deferring, _complete = accepted
    deferred = deferring.materials.get(requirement__name="从业人员健康证明")
    later = deferred.follow_up_due + dt.timedelta(days=1)
    with clock(later):
        response = citizen.post(
            f"/hall/a/{deferring.tracking_code}/materials/{deferred.pk}/", {"file": pdf()}
        )
        assert response.status_code in (200, 302)
        deferred.refresh_from_db()
        assert deferred.state == "provided"
        clerk = login(window_clerk)
        assert listed(clerk, follow_up="1") == []
        assert MARK not in clerk.get(f"/hall/staff/a/{deferring.pk}/").content.decode()


def test_a_finished_application_is_not_listed(accepted, window_clerk):
    deferring, _complete = accepted
    deferred = deferring.materials.get(requirement__name="从业人员健康证明")
    Application.objects.filter(pk=deferring.pk).update(status="withdrawn")
    with clock(deferred.follow_up_due + dt.timedelta(hours=1)):
        assert listed(login(window_clerk), follow_up="1") == []


def test_the_api_filters_them_too(accepted, window_clerk):
    deferring, _complete = accepted
    deferred = deferring.materials.get(requirement__name="从业人员健康证明")
    _, token = ApiToken.issue(user=window_clerk, name="test")
    headers = {"Authorization": f"Bearer {token}"}

    def codes(**params):
        response = Client().get("/api/v1/hall/staff/applications", params, headers=headers)
        assert response.status_code == 200
        return [row["tracking_code"] for row in response.json()["items"]]

    assert codes(follow_up_overdue="true") == []
    assert len(codes()) == 2
    with clock(deferred.follow_up_due + dt.timedelta(hours=1)):
        assert codes(follow_up_overdue="true") == [deferring.tracking_code]
