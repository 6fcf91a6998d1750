"""Shared fixtures: a small district and one persona per role."""

import itertools

import pytest
from django.test import Client
from django.utils import translation

from civicdesk.accounts.models import Role, Unit, UnitKind, User
from civicdesk.cases.models import Case
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - test personas only


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the source (English) messages; the translations have their own tests."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def units(db) -> dict[str, Unit]:
    """district ─┬─ urban (department) ─ urban-window (window)
    ├─ east-street (street) ─ east-community (community)
    └─ market (department)"""
    district = Unit.objects.create(code="district", name="示范区", kind=UnitKind.DISTRICT)
    urban = Unit.objects.create(
        code="urban", name="城市管理局", kind=UnitKind.DEPARTMENT, parent=district
    )
    window = Unit.objects.create(
        code="urban-window", name="城管服务窗口", kind=UnitKind.WINDOW, parent=urban
    )
    street = Unit.objects.create(
        code="east-street", name="东街道", kind=UnitKind.STREET, parent=district
    )
    community = Unit.objects.create(
        code="east-community", name="东苑社区", kind=UnitKind.COMMUNITY, parent=street
    )
    market = Unit.objects.create(
        code="market", name="市场监管局", kind=UnitKind.DEPARTMENT, parent=district
    )
    return {
        "district": district,
        "urban": urban,
        "urban-window": window,
        "east-street": street,
        "east-community": community,
        "market": market,
    }


def _user(username: str, role: str, unit: Unit | None) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, unit=unit, display_name=username
    )


@pytest.fixture
def clerk(units) -> User:
    return _user("clerk", Role.CLERK, units["district"])


@pytest.fixture
def handler(units) -> User:
    """A handler of the urban management department (sees urban and urban-window)."""
    return _user("handler", Role.HANDLER, units["urban"])


@pytest.fixture
def other_handler(units) -> User:
    return _user("other-handler", Role.HANDLER, units["market"])


@pytest.fixture
def supervisor(units) -> User:
    return _user("supervisor", Role.SUPERVISOR, units["district"])


@pytest.fixture
def leader(units) -> User:
    return _user("leader", Role.LEADER, units["district"])


@pytest.fixture
def admin_user(units) -> User:
    user = _user("admin", Role.ADMIN, units["district"])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def citizen() -> Client:
    """Anyone on the internet: no account."""
    return Client()


_counter = itertools.count(1)


@pytest.fixture
def make_case(db):
    """Create a case through the real intake service; keyword arguments go to NewSubmission."""

    def make(channel: str = "snapshot", **fields) -> Case:
        fields.setdefault("description", f"东苑小区门口路灯不亮 {next(_counter)}")
        data = NewSubmission(channel=Channel.objects.get(code=channel), **fields)
        _, case, _ = submission_create(data=data)
        return case

    return make
