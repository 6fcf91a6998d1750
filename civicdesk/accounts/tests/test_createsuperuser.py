"""`civicdesk createsuperuser` makes an account that can use the staff pages at once."""

import io

import pytest
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.management.commands import createsuperuser as django_createsuperuser
from django.core.management import CommandError, call_command
from django.test import Client

from civicdesk.accounts.models import Role, User

PASSWORD = "Tall-Lamp-Post-41"
STAFF_PAGES = [
    "/staff/?page=1",  # the inbox; /staff/ alone redirects to the landing queue
    "/staff/triage/",
    "/dashboard/staff/",
    "/commitments/staff/due/",
    "/staff/imports/",
]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _create(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", *args, stdout=out, **options)
    return out.getvalue()


def _log_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)


def test_superuser_is_an_administrator_of_the_top_unit(units, make_case):
    case = make_case()
    out = _create("--username", "root", "--email", "root@example.org")

    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert root.role == Role.ADMIN and root.unit == units["district"]
    assert "Superuser created successfully." in out and "unit: 示范区 (district)" in out
    client = _log_in("root")
    for page in [*STAFF_PAGES, f"/staff/cases/{case.pk}/", "/admin/"]:
        assert client.get(page, follow=True).status_code == 200, page
    assert case.tracking_code in client.get("/staff/", follow=True).content.decode()


def test_on_a_fresh_install_the_superuser_has_the_role_and_no_unit_yet(db):
    out = _create("--username", "root", "--email", "")

    root = User.objects.get(username="root")
    assert root.role == Role.ADMIN and root.unit is None
    assert "no unit yet" in out
    client = _log_in("root")
    for page in [*STAFF_PAGES, "/admin/"]:
        assert client.get(page).status_code == 200, page


def test_role_and_unit_can_be_chosen(units):
    _create("--username", "boss", "--email", "", "--role", "supervisor", "--unit", "urban")

    boss = User.objects.get(username="boss")
    assert boss.role == Role.SUPERVISOR and boss.unit == units["urban"]
    assert _log_in("boss").get("/staff/", follow=True).status_code == 200


def test_an_unknown_unit_is_refused_before_anyone_is_created(units):
    with pytest.raises(CommandError, match="no unit with the code 'ghost'"):
        _create("--username", "root", "--email", "", "--unit", "ghost")
    assert not User.objects.filter(username="root").exists()


def test_an_unknown_role_is_refused(units):
    with pytest.raises(CommandError, match="invalid choice"):
        _create("--username", "root", "--email", "", "--role", "mayor")
    assert not User.objects.exists()


def test_other_superusers_keep_their_role(units, admin_user):
    admin_user.role = Role.LEADER
    admin_user.save()
    _create("--username", "root", "--email", "")

    admin_user.refresh_from_db()
    assert admin_user.role == Role.LEADER
    assert User.objects.get(username="root").role == Role.ADMIN


def test_interactive_prompts_give_the_same_account(units, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD")
    answers = iter(["root", "root@example.org"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(django_createsuperuser.getpass, "getpass", lambda prompt="": PASSWORD)

    call_command("createsuperuser", stdin=_Terminal(), stdout=io.StringIO())

    root = User.objects.get(username="root")
    assert root.role == Role.ADMIN and root.unit == units["district"]
    assert root.email == "root@example.org"
    assert _log_in("root").get("/staff/", follow=True).status_code == 200


def test_changepassword_and_the_admin_password_form_work(units, monkeypatch):
    _create("--username", "root", "--email", "")
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": "Second-Street-72")
    call_command("changepassword", "root", stdout=io.StringIO())

    client = _log_in("root", "Second-Street-72")
    root = User.objects.get(username="root")
    assert client.get(f"/admin/accounts/user/{root.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/accounts/user/{root.pk}/password/",
        {"password1": "Third-Avenue-93", "password2": "Third-Avenue-93"},
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password("Third-Avenue-93")
    assert root.role == Role.ADMIN


def test_the_admin_sets_a_role_and_unit_on_an_account_made_there(units):
    _create("--username", "root", "--email", "")
    client = _log_in("root")
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "clerk2",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    clerk = User.objects.get(username="clerk2")
    assert clerk.role == ""
    assert _log_in("clerk2").get("/staff/").status_code == 404  # no role: not a staff member
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/").content.decode()
    assert 'name="role"' in page and 'name="unit"' in page
