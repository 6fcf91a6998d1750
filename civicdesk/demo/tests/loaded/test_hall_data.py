"""The demo's online service hall (issue 18): its "done when" read from the loaded district
through HTTP. An enterprise applied online for 食品经营许可 with one material missing, got one
complete notice, handed the material in and was issued without a visit; the matter's figures
and step times (before and after its re-engineering) are on /services/; an application stuck
at one desk, one agent for many applicants and a window refusing what others accept are on
the inspectors' lists, and nobody else sees them."""

import re

import pytest
from django.test import Client

from civicdesk.accounts.models import User
from civicdesk.applications.models import Application, MatterVersion
from civicdesk.applications.workflow import OPEN_STATUSES
from civicdesk.demo.generator.applications import REFUSAL, ensure_applications
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.integrity.models import SignalAccess

pytestmark = pytest.mark.django_db

MATTERS = ["enterprise-startup", "food-license", "construction-permit", "social-security-transfer"]


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_four_matters_and_the_food_licence_re_engineered(loaded_demo: LoadedDemo) -> None:
    for code in MATTERS:
        assert MatterVersion.objects.filter(item__code=code, status="active").count() == 1, code
        assert Application.objects.filter(item__code=code).exists(), code
    food = MatterVersion.objects.filter(item__code="food-license").order_by("number")
    assert [(v.number, v.status) for v in food] == [(1, "withdrawn"), (2, "active")]
    # Both versions were worked: the figures compare a process before and after.
    for version in food:
        assert Application.objects.filter(version=version, status="issued").exists()
    channels = set(Application.objects.values_list("channel", flat=True))
    assert {"online", "window"} <= channels


def test_an_enterprise_applied_online_with_one_material_missing_and_never_came(
    loaded_demo: LoadedDemo,
) -> None:
    done_when = (
        Application.objects.filter(
            item__code="food-license",
            applicant_type="enterprise",
            channel="online",
            status="issued",
            notice_count=1,
            late_requests=0,
            visit_count=0,
        )
        .filter(notices__items__isnull=False)
        .distinct()
    )
    one_missing = [a for a in done_when if a.notices.get().items.count() == 1]
    assert one_missing
    application = one_missing[0]
    assert application.visits.count() == 0
    actions = list(application.events.values_list("action", flat=True))
    assert actions[0] == "submit" and actions[-1] == "issue"
    assert actions.count("notice") == 1 and "supply" in actions
    page = as_user("supervisor").get(f"/hall/staff/a/{application.pk}/")
    assert page.status_code == 200 and application.tracking_code in page.text


def test_services_show_the_figures_and_step_times_before_and_after(
    loaded_demo: LoadedDemo,
) -> None:
    public = Client()
    listing = public.get("/services/").text
    row = re.search(r'<tr id="item-food-license">(.*?)</tr>', listing, re.S)
    assert row and "from applications" in row.group(1)
    page = public.get("/services/food-license/").text
    assert "Counted from the applications finished in the online service hall" in page
    for number in (1, 2):
        table = re.search(
            rf'<table class="list step-times" id="steps-v{number}">(.*?)</table>', page, re.S
        )
        assert table, number
        completed = re.findall(r'<td class="completed">(\d+)</td>', table.group(1))
        assert completed and all(int(n) > 0 for n in completed)
    figures = as_user("supervisor").get("/hall/staff/figures/")
    assert figures.status_code == 200
    section = re.search(
        r'<section class="card" id="figures-food-license">(.*?)</section>', figures.text, re.S
    ).group(1)
    assert "v1" in section and "v2" in section


def test_the_inspectors_lists_have_something_and_only_inspectors_see_them(
    loaded_demo: LoadedDemo,
) -> None:
    inspector = as_user("discipline")
    stuck = inspector.get("/integrity/stuck/").text
    codes = re.findall(r'<tr id="stuck-([^"]+)">', stuck)
    assert codes
    listed = Application.objects.filter(tracking_code__in=codes)
    assert listed.count() == len(codes)
    assert {a.status for a in listed} <= set(OPEN_STATUSES)
    assert listed.filter(item__code="food-license").exists()
    agents = inspector.get("/integrity/agents/").text
    assert re.search(r'<tr id="agent-agent-[^"]+">', agents)
    refusals = inspector.get("/integrity/refusals/").text
    assert 'id="refusal-service-center"' in refusals and REFUSAL in refusals
    assert SignalAccess.objects.filter(user__username="discipline").count() == 3
    for username in ("supervisor", "clerk-window", "leader"):
        assert as_user(username).get("/integrity/stuck/").status_code == 404


def test_a_second_load_adds_no_application(loaded_demo: LoadedDemo) -> None:
    from civicdesk.demo.generator.organisation import _ensure_units, _ensure_users

    before = Application.objects.count()
    units, _ = _ensure_units()
    users, _ = _ensure_users(units)
    assert ensure_applications(seed=7, now=loaded_demo.now, users=users, units=units) == 0
    assert Application.objects.count() == before
