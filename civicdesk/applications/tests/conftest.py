"""A food business licence (食品经营许可) with its checklist and process, the staff who work
its steps, files to upload, and senders that keep what they would send."""

import datetime as dt
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import Role, User
from civicdesk.applications.models import MatterVersion
from civicdesk.applications.versions import MaterialRow, StepRow, version_publish
from civicdesk.catalogue.models import ServiceItem
from civicdesk.conftest import PASSWORD
from civicdesk.core.credit_code import make_credit_code

SENT: list[tuple[str, str, str]] = []
CREDIT_CODE = make_credit_code("91330106MA2H0000X")


class RecordingSMS:
    def send(self, to: str, text: str) -> None:
        SENT.append(("sms", to, text))


class RecordingEmail:
    def send(self, to: str, subject: str, body: str) -> None:
        SENT.append(("email", to, f"{subject}\n{body}"))


@pytest.fixture(autouse=True)
def _recording_senders(settings):
    settings.CIVICDESK_SMS_SENDER = "civicdesk.applications.tests.conftest.RecordingSMS"
    settings.CIVICDESK_NOTIFICATION_SENDER = "civicdesk.applications.tests.conftest.RecordingEmail"
    SENT.clear()
    yield
    SENT.clear()


@pytest.fixture
def sent() -> list[tuple[str, str, str]]:
    return SENT


def last_code(to: str = "13800138000") -> str:
    """The one-time code last sent to this number."""
    for _channel, address, text in reversed(SENT):
        if address == to:
            match = re.search(r"\b(\d{6})\b", text)
            if match:
                return match.group(1)
    raise AssertionError(f"no code was sent to {to}")


def pdf(name: str = "doc.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n" + extra, content_type="application/pdf")


def _user(username: str, role: str, unit) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, unit=unit, display_name=username
    )


@pytest.fixture
def window_clerk(units) -> User:
    """Works the acceptance and issue steps at the urban window."""
    return _user("window-clerk", Role.CLERK, units["urban-window"])


@pytest.fixture
def reviewer(units) -> User:
    """A handler of the market regulation bureau: review and site inspection."""
    return _user("reviewer", Role.HANDLER, units["market"])


@pytest.fixture
def discipline(units) -> User:
    return _user("inspector", Role.DISCIPLINE, units["district"])


@pytest.fixture
def food_item(units) -> ServiceItem:
    return ServiceItem.objects.create(
        code="food-license",
        name="食品经营许可",
        name_en="Food business licence",
        responsible_unit=units["market"],
        legal_days=20,
        promised_days=10,
        online="application",
        max_visits=0,
    )


MATERIALS = [
    MaterialRow("食品经营许可申请书", "required"),
    MaterialRow("营业执照", "required"),
    MaterialRow("食品安全管理制度", "required"),
    MaterialRow("从业人员健康证明", "deferrable", follow_up_days=5),
    MaterialRow("经营场所平面图", "optional"),
]


def steps_for(units) -> list[StepRow]:
    return [
        StepRow("accept", "clerk", units["urban-window"], 1, True),
        StepRow("review", "handler", units["market"], 4, True),
        StepRow("inspect", "handler", units["market"], 3, False),
        StepRow("issue", "clerk", units["urban-window"], 1, True),
    ]


@pytest.fixture
def version(food_item, units, supervisor) -> MatterVersion:
    return version_publish(
        actor=supervisor,
        item=food_item,
        time_limit_days=10,
        materials=MATERIALS,
        steps=steps_for(units),
        note="首版",
    )


def material_ids(version: MatterVersion) -> dict[str, int]:
    return {m.name: m.pk for m in version.materials.all()}


def apply_form(version: MatterVersion, *, missing: tuple[str, ...] = (), **fields) -> dict:
    """The online form's POST data: an enterprise, every material but `missing`."""
    data = {
        "version": version.pk,
        "applicant_type": "enterprise",
        "applicant_name": "杭州味道餐饮有限公司",
        "credit_code": CREDIT_CODE,
        "contact_phone": "13800138000",
        "contact_email": "",
        "agent_name": "",
        "agent_phone": "",
    }
    for name, pk in material_ids(version).items():
        if name not in missing and name != "经营场所平面图":
            data[f"material_{pk}"] = pdf(f"{pk}.pdf")
    data.update(fields)
    return data


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@contextmanager
def clock(moment: dt.datetime):
    """Pretend it is `moment` for the services (which read django.utils.timezone.now)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def submit(version: MatterVersion, *, missing: tuple[str, ...] = (), **fields):
    """An online application through the service, with every material but `missing`."""
    from civicdesk.applications.services import NewApplication, application_submit

    files = {
        m.pk: pdf(f"{m.pk}.pdf")
        for m in version.materials.all()
        if m.name not in missing and m.kind != "optional"
    }
    data = NewApplication(
        applicant_type=fields.pop("applicant_type", "enterprise"),
        applicant_name=fields.pop("applicant_name", "杭州味道餐饮有限公司"),
        credit_code=fields.pop("credit_code", CREDIT_CODE),
        contact_phone=fields.pop("contact_phone", "13800138000"),
        files=files,
        **fields,
    )
    return application_submit(version=version, data=data)


def accept_all(application, clerk):
    """Check every handed-in material and accept (the acceptance step)."""
    from civicdesk.applications import services, steps

    for line in application.materials.filter(state="provided"):
        services.material_check(application=application, material=line, actor=clerk, accept=True)
    return steps.application_accept(application=application, actor=clerk)


def run_through(version, clerk, reviewer, start: dt.datetime, *, review_hours: float = 2, **fields):
    """Submit at `start`, accept at once, review for `review_hours`, inspect for an hour, issue."""
    from civicdesk.applications import steps

    with clock(start):
        application = submit(version, **fields)
        application = accept_all(application, clerk)
    moment = start
    for actor, hours in ((reviewer, review_hours), (reviewer, 1), (clerk, 0.5)):
        with clock(moment + dt.timedelta(minutes=10)):
            steps.step_take(application=application, actor=actor)
        moment += dt.timedelta(hours=hours)
        with clock(moment):
            application = steps.step_complete(application=application, actor=actor)
    return application
