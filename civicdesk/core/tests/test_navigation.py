"""The menus by role, the current page's mark, and the landing page of each role."""

import re

import pytest
from django.test import RequestFactory

from civicdesk.accounts.models import Role, User
from civicdesk.conftest import PASSWORD, login
from civicdesk.core.navigation import STAFF_GROUPS, menus_for

STAFF_NAV = re.compile(r'<nav class="nav nav--staff"[^>]*>(.*?)</nav>', re.S)
PUBLIC_NAV = re.compile(r'<nav class="nav nav--public[^"]*"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'<a href="([^"]+)"')
STAFF_URLS = {link.url_name: link for group in STAFF_GROUPS for link in group.links}


@pytest.fixture
def discipline(units) -> User:
    return User.objects.create_user(
        username="discipline", password=PASSWORD, role=Role.DISCIPLINE, unit=units["district"]
    )


@pytest.fixture
def everyone(clerk, handler, supervisor, leader, discipline, admin_user) -> list[User]:
    return [clerk, handler, supervisor, leader, discipline, admin_user]


def staff_links(body: str) -> list[str]:
    match = STAFF_NAV.search(body)
    return HREF.findall(match.group(1)) if match else []


def all_staff_paths() -> set[str]:
    from django.urls import reverse

    return {reverse(name) + link.query for name, link in STAFF_URLS.items()}


@pytest.mark.django_db
def test_every_role_sees_exactly_the_staff_pages_it_may_open(everyone, make_case):
    """Each link of a role's menu opens (200) and each staff page left out is a 404: the
    menu and the pages' own guards cannot disagree."""
    make_case()
    shown_by_role = {}
    for user in everyone:
        client = login(user)
        shown = staff_links(client.get("/").content.decode())
        assert shown, user.role
        shown_by_role[user.role] = set(shown)
        for href in shown:
            # A page may send on to the user's own part of it (a handler's unit's scores).
            assert client.get(href, follow=True).status_code == 200, (user.role, href)
        for href in all_staff_paths() - set(shown):
            assert client.get(href).status_code in {404, 302}, (user.role, href)
    # Not one list for all: the roles' menus differ as their work does.
    assert "/reports/staff/intermediary/" in shown_by_role[Role.DISCIPLINE]
    assert "/reports/staff/intermediary/" not in shown_by_role[Role.SUPERVISOR]
    assert "/dashboard/staff/" in shown_by_role[Role.LEADER]
    assert "/dashboard/staff/" not in shown_by_role[Role.HANDLER]
    assert "/admin/" in shown_by_role[Role.ADMIN]


@pytest.mark.django_db
def test_visitors_get_the_public_menu_only(citizen):
    body = citizen.get("/").content.decode()
    assert STAFF_NAV.search(body) is None
    public = HREF.findall(PUBLIC_NAV.search(body).group(1))
    assert "/report/" in public and "/track/" in public
    assert not [href for href in public if href.startswith(("/staff/", "/dashboard/staff/"))]


@pytest.mark.django_db
def test_staff_keep_the_public_pages_apart_from_their_work(clerk):
    body = login(clerk).get("/ledgers/promises/").content.decode()
    assert "/report/" not in staff_links(body)
    assert 'class="nav nav--public-for-staff"' in body


@pytest.mark.django_db
def test_the_current_page_is_marked(clerk, make_case):
    client = login(clerk)
    body = client.get("/ledgers/promises/").content.decode()
    assert re.search(r'<a href="/ledgers/promises/" aria-current="page">', body)
    assert body.count('aria-current="page"') == 1
    # Its group is marked too, so a closed menu still shows where one is.
    assert re.search(r'<details class="nav-group is-current"[^>]*>\s*<summary>Ledgers<', body)
    # A page below a menu's page marks that entry as the section the page belongs to.
    case = make_case()
    body = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert re.search(r'<a href="/staff/\?status=default" aria-current="true">', body)


@pytest.mark.django_db
def test_menus_cost_no_query_per_link(clerk, admin_user, django_assert_max_num_queries):
    for user in (clerk, admin_user):
        user = User.objects.select_related("unit").get(pk=user.pk)
        request = RequestFactory().get("/")
        request.user = user
        with django_assert_max_num_queries(0):
            menus = menus_for(request)
        assert sum(len(group.links) for group in menus.staff) > 5
        assert menus_for(request) is menus  # built once per request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("clerk", "/staff/queues/to-route/"),
        ("handler", "/staff/queues/open/"),
        ("supervisor", "/staff/queues/overdue/"),
        ("leader", "/dashboard/staff/"),
        ("discipline", "/reports/staff/intermediary/"),
        ("admin_user", "/staff/queues/to-route/"),
    ],
)
def test_each_role_lands_on_its_own_page_after_log_in_and_on_staff(
    request, persona, landing, client
):
    user = request.getfixturevalue(persona)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == landing
    staff = client.get("/staff/")
    if landing == "/staff/":
        assert staff.status_code == 200
    else:
        assert staff.status_code == 302 and staff["Location"] == landing
        assert client.get(landing).status_code == 200


@pytest.mark.django_db
def test_log_in_still_follows_next(clerk, client):
    response = client.post(
        "/accounts/login/?next=/ledgers/",
        {"username": clerk.username, "password": PASSWORD, "next": "/ledgers/"},
    )
    assert response["Location"] == "/ledgers/"


@pytest.mark.django_db
def test_the_inbox_with_a_query_is_the_inbox_for_every_role(supervisor):
    """Only the bare /staff/ lands; the filters (and the menu's Inbox) stay the inbox."""
    response = login(supervisor).get("/staff/", {"status": "default"})
    assert response.status_code == 200
    assert 'id="inbox-filters"' in response.content.decode()
