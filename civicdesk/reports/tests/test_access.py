"""Who sees which confidential report: one test per role and object; all else is a 404."""

import pytest
from django.urls import reverse

from civicdesk.accounts.models import Role, User
from civicdesk.conftest import PASSWORD, login
from civicdesk.reports.models import AccessView, ReportAccess, ReportEvent


def _urls(ledger: str, pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse(f"reports:{ledger}_list")),
        ("get", reverse(f"reports:{ledger}_detail", args=[pk])),
        ("post", reverse(f"reports:{ledger}_action", args=[pk, "investigate"])),
        ("post", reverse(f"reports:{ledger}_action", args=[pk, "note"])),
    ]


def _assert_all_404(client, ledger: str, report, *, sees_ledger: bool = False) -> None:
    """404 on every URL of the report; the ledger's list is a 404 too unless the user
    belongs to its audience (then the list opens but leaves this report out)."""
    events = ReportEvent.objects.count()
    for method, url in _urls(ledger, report.pk):
        response = getattr(client, method)(url, {"investigate-note": "x", "note-note": "x"})
        is_list = url == reverse(f"reports:{ledger}_list")
        expected = 200 if sees_ledger and is_list else 404
        assert response.status_code == expected, (method, url)
        assert report.description not in response.content.decode()
        assert f"/{ledger}/{report.pk}/" not in response.content.decode()
    report.refresh_from_db()
    assert report.status == "received"
    assert ReportEvent.objects.count() == events
    assert not ReportAccess.objects.filter(report=report).exists()


# ----------------------------------------------------------------- inaction


def test_supervisor_sees_inaction_reports(supervisor, inaction_report):
    client = login(supervisor)
    listing = client.get(reverse("reports:inaction_list"))
    assert listing.status_code == 200
    assert f'href="/reports/staff/inaction/{inaction_report.pk}/"' in listing.content.decode()
    detail = client.get(reverse("reports:inaction_detail", args=[inaction_report.pk]))
    assert detail.status_code == 200
    assert inaction_report.description in detail.content.decode()
    assert detail["Cache-Control"] == "no-store, private"


def test_admin_sees_inaction_reports(admin_user, inaction_report):
    response = login(admin_user).get(reverse("reports:inaction_detail", args=[inaction_report.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["handler", "leader", "clerk", "other_handler", "discipline"])
def test_others_get_404_on_inaction_reports(request, persona, inaction_report):
    # The handler belongs to the reported unit itself (urban).
    _assert_all_404(login(request.getfixturevalue(persona)), "inaction", inaction_report)


def test_anonymous_is_sent_to_login_for_staff_pages(citizen, inaction_report):
    response = citizen.get(reverse("reports:inaction_detail", args=[inaction_report.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_inaction_report_is_not_reachable_under_the_other_ledger(discipline, inaction_report):
    url = reverse("reports:intermediary_detail", args=[inaction_report.pk])
    assert login(discipline).get(url).status_code == 404


def test_supervisor_of_reported_unit_does_not_see_it(units, inaction_report):
    """Conflict of interest: a supervisor stationed in the reported unit gets a 404."""
    User.objects.create_user(
        username="urban-sup", password=PASSWORD, role=Role.SUPERVISOR, unit=units["urban"]
    )
    client = login(User.objects.get(username="urban-sup"))
    assert (
        client.get(reverse("reports:inaction_detail", args=[inaction_report.pk])).status_code == 404
    )
    assert (
        inaction_report.description
        not in client.get(reverse("reports:inaction_list")).content.decode()
    )


def test_inactive_supervisor_gets_nothing(supervisor, inaction_report):
    client = login(supervisor)
    supervisor.is_active = False
    supervisor.save()
    response = client.get(reverse("reports:inaction_detail", args=[inaction_report.pk]))
    assert response.status_code in {302, 404}


# ------------------------------------------------------------- intermediary


def test_discipline_sees_intermediary_reports(discipline, intermediary):
    report, _code = intermediary
    client = login(discipline)
    listing = client.get(reverse("reports:intermediary_list"))
    assert listing.status_code == 200
    assert f"/reports/staff/intermediary/{report.pk}/" in listing.content.decode()
    detail = client.get(reverse("reports:intermediary_detail", args=[report.pk]))
    assert detail.status_code == 200
    assert report.description in detail.content.decode()
    assert 'id="access-log"' in detail.content.decode()


@pytest.mark.parametrize(
    "persona", ["supervisor", "admin_user", "leader", "handler", "other_handler", "clerk"]
)
def test_others_get_404_on_intermediary_reports(request, persona, intermediary):
    report, _code = intermediary
    _assert_all_404(login(request.getfixturevalue(persona)), "intermediary", report)


def test_discipline_inspector_in_reported_unit_gets_404(units, intermediary):
    report, _code = intermediary
    inspector = User.objects.create_user(
        username="urban-inspector", password=PASSWORD, role=Role.DISCIPLINE, unit=units["urban"]
    )
    _assert_all_404(login(inspector), "intermediary", report, sees_ledger=True)


def test_discipline_role_sees_no_inaction_list(discipline):
    assert login(discipline).get(reverse("reports:inaction_list")).status_code == 404


def test_every_discipline_view_is_logged(discipline, intermediary):
    report, _code = intermediary
    client = login(discipline)
    client.get(reverse("reports:intermediary_list"))
    client.get(reverse("reports:intermediary_detail", args=[report.pk]))
    client.get(reverse("reports:intermediary_detail", args=[report.pk]))
    client.post(
        reverse("reports:intermediary_action", args=[report.pk, "investigate"]),
        {"investigate-note": ""},
    )
    views = list(
        ReportAccess.objects.filter(report=report, user=discipline)
        .order_by("id")
        .values_list("view", flat=True)
    )
    assert views == [AccessView.LIST, AccessView.DETAIL, AccessView.DETAIL, AccessView.ACTION]
    page = client.get(reverse("reports:intermediary_detail", args=[report.pk])).content.decode()
    assert page.count("inspector (inspector)") == 5  # the five views so far, this one included


def test_admin_site_has_no_side_door(admin_user, intermediary):
    client = login(admin_user)
    assert client.get("/admin/reports/report/").status_code == 404
    assert "/admin/reports/" not in client.get("/admin/").content.decode()
