"""Issue 18's "done when", through HTTP as each person: an enterprise applies online for 食品经营
许可 with one material missing, gets one complete notice, hands the material in, and the
application passes its steps to issue with no visit; the matter's figures and step times on
/services/ follow, and an application stuck at one desk is on the inspectors' list."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.applications.models import Application, StepFigure
from civicdesk.applications.tests.conftest import (
    apply_form,
    clock,
    last_code,
    login,
    pdf,
    run_through,
)
from civicdesk.integrity.models import SignalAccess

pytestmark = pytest.mark.django_db


def act(client, application, action, **data):
    response = client.post(f"/hall/staff/a/{application.pk}/{action}/", data)
    assert response.status_code == 302, re.findall(r'role="alert"[^>]*>(.*?)</div>', response.text)
    return response


def test_done_when(
    version, window_clerk, reviewer, discipline, sent, django_capture_on_commit_callbacks
):
    # 1. The enterprise applies online, the safety rules (食品安全管理制度) missing.
    applicant = Client()
    response = applicant.post(
        "/hall/matters/food-license/apply/", apply_form(version, missing=("食品安全管理制度",))
    )
    assert response.status_code == 302
    application = Application.objects.get()
    code = application.tracking_code

    # 2. The window checks what came in and sends one complete notice.
    clerk = login(window_clerk)
    for line in application.materials.filter(state="provided"):
        act(clerk, application, "check", material=line.pk, decision="accept")
    with django_capture_on_commit_callbacks(execute=True):
        act(clerk, application, "notice")
    notices = [text for _channel, to, text in sent if "One-time notice" in text]
    assert len(notices) == 1 and "食品安全管理制度" in notices[0]
    assert "营业执照" not in notices[0]

    # 3. Later, on another phone: tracking code, one-time code, the missing material.
    phone = Client()
    assert phone.get(f"/hall/a/{code}/")["Location"] == f"/hall/track/?code={code}"
    response = phone.post("/hall/track/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 200 and "138" not in response.text.split("We sent")[1][:20]
    response = phone.post(f"/hall/track/{code}/verify/", {"otp": last_code()})
    assert response.status_code == 302
    page = phone.get(f"/hall/a/{code}/").text
    assert "One-time notice: what is missing" in page
    missing = application.materials.get(requirement__name="食品安全管理制度")
    response = phone.post(f"/hall/a/{code}/materials/{missing.pk}/", {"file": pdf("制度.pdf")})
    assert response.status_code == 302

    # 4. Through the steps to issue: accept, review, site inspection, issue.
    act(clerk, application, "check", material=missing.pk, decision="accept")
    act(clerk, application, "accept")
    handler = login(reviewer)
    for _step in ("review", "inspect"):
        act(handler, application, "take")
        act(handler, application, "complete")
    act(clerk, application, "complete")
    application.refresh_from_db()
    assert application.status == "issued"
    assert application.notice_count == 1 and application.late_requests == 0
    assert [e.action for e in application.events.all()] == [
        "submit",
        "check",
        "check",
        "check",
        "notice",
        "supply",
        "resume",
        "check",
        "accept",
        "take",
        "complete",
        "take",
        "complete",
        "issue",
    ]

    # 5. No visit: it never took the applicant to a window.
    assert application.visit_count == 0 and application.visits.count() == 0
    assert 'id="visit-count">0<' in phone.get(f"/hall/a/{code}/").text

    # 6. The matter's figures and step times on /services/ come from the application.
    public = Client()
    # Without the column names the cells carry for a phone ({% datatable %}).
    listing = re.sub(r' data-label="[^"]*"', "", public.get("/services/").text)
    row = re.search(r'<tr id="item-food-license">(.*?)</tr>', listing, re.S).group(1)
    assert "from applications" in row
    assert '<td class="records">1</td>' in row and '<td class="average">0.00</td>' in row
    assert '<td class="online">100.0%</td>' in row
    item_page = public.get("/services/food-license/").text
    assert "Counted from the applications finished in the online service hall" in item_page
    steps = re.search(
        r'<table class="list step-times" id="steps-v1">(.*?)</table>', item_page, re.S
    ).group(1)
    for kind in ("accept", "review", "inspect", "issue"):
        assert re.search(rf'<tr class="step-{kind}">.*?<td class="completed">1</td>', steps, re.S)
    assert StepFigure.objects.get(step__kind="review").completed == 1

    # 7. An application stuck at one desk: five reviews took about two hours each; this one
    #    has been on the reviewer's desk for ten days.
    start = timezone.now() - dt.timedelta(days=30)
    for number in range(5):
        run_through(version, window_clerk, reviewer, start + dt.timedelta(days=number))
    from civicdesk.applications import steps as step_services
    from civicdesk.applications.tests.conftest import accept_all, submit

    with clock(timezone.now() - dt.timedelta(days=11)):
        stuck = accept_all(submit(version, applicant_name="滞留餐饮店"), window_clerk)
    with clock(timezone.now() - dt.timedelta(days=10)):
        step_services.step_take(application=stuck, actor=reviewer)
    inspector = login(discipline)
    listing = inspector.get("/integrity/stuck/")
    assert listing.status_code == 200
    assert f'id="stuck-{stuck.tracking_code}"' in listing.text
    assert "reviewer" in listing.text and "These are signals, not findings." in listing.text
    assert application.tracking_code not in listing.text
    view = SignalAccess.objects.get()
    assert view.user == discipline and view.signal == "stuck"
    assert view.shown == [stuck.tracking_code]
    # Nobody else sees the list.
    for other in (window_clerk, reviewer):
        assert login(other).get("/integrity/stuck/").status_code == 404
