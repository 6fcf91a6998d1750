"""The inspectors' signal lists: who sees them, what each shows, and that every view is logged
in a hash chain."""

import datetime as dt

import pytest
from django.utils import timezone

from civicdesk.accounts.models import Role, User
from civicdesk.applications import services
from civicdesk.applications.models import ApplicationMaterial
from civicdesk.applications.tests.conftest import clock, login, run_through, submit
from civicdesk.conftest import PASSWORD
from civicdesk.core.chain import verify
from civicdesk.core.credit_code import make_credit_code
from civicdesk.integrity.models import SignalAccess

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    [
        "/integrity/",
        "/integrity/stuck/",
        "/integrity/agents/",
        "/integrity/refusals/",
        "/integrity/log/",
    ],
)
def test_only_discipline_inspectors(page, discipline, supervisor, admin_user, clerk, citizen):
    assert login(discipline).get(page).status_code == 200
    for user in (supervisor, admin_user, clerk):
        assert login(user).get(page).status_code == 404
    assert citizen.get(page).status_code == 302


def test_one_agent_for_many_applicants(version, discipline):
    for number in range(3):
        submit(
            version,
            applicant_name=f"第{number}家餐饮店",
            credit_code=make_credit_code(f"9133010600000000{number}"),
            contact_phone=f"1380000000{number}",
            agent_name="李代办",
            agent_phone="139 0000 1111",
        )
    # Two applicants only behind this number: below the threshold.
    for number in range(2):
        submit(
            version,
            applicant_name=f"小店{number}",
            credit_code=make_credit_code(f"9133010600000001{number}"),
            contact_phone="13700001111",
        )
    html = login(discipline).get("/integrity/agents/").text
    assert 'id="agent-agent-13900001111"' in html and "李代办" in html
    assert "13700001111" not in html
    assert "Agents, accountants and firms' staff often file for others lawfully." in html.replace(
        "&#x27;", "'"
    )
    view = SignalAccess.objects.get()
    assert view.shown == ["agent:13900001111"]


def test_material_refused_here_accepted_elsewhere(version, discipline, units, window_clerk):
    other_window = User.objects.create_user(
        username="other-window", password=PASSWORD, role=Role.CLERK, unit=units["urban"]
    )
    # Three refusals of 营业执照 at the urban window, three acceptances at another office.
    for number in range(3):
        application = submit(version, applicant_name=f"甲{number}")
        line = application.materials.get(requirement__name="营业执照")
        services.material_check(
            application=application,
            material=line,
            actor=window_clerk,
            accept=False,
            problem="要求提供原件",
        )
    from civicdesk.applications.models import MaterialDecision

    for number in range(3):
        application = submit(version, applicant_name=f"乙{number}")
        line = application.materials.get(requirement__name="营业执照")
        MaterialDecision.objects.create(
            material=line,
            application=application,
            name="营业执照",
            unit=units["market"],
            actor=other_window,
            decision="accepted",
        )
    html = login(discipline).get("/integrity/refusals/").text
    assert 'id="refusal-urban-window"' in html
    assert "window-clerk (3)" in html
    assert SignalAccess.objects.get().shown == ["urban-window:营业执照"]
    assert ApplicationMaterial.objects.filter(state="absent").count() >= 3


def test_inspector_of_a_unit_does_not_see_signals_about_it(version, units, window_clerk, reviewer):
    inspector = User.objects.create_user(
        username="urban-inspector", password=PASSWORD, role=Role.DISCIPLINE, unit=units["urban"]
    )
    start = timezone.now() - dt.timedelta(days=30)
    for number in range(5):
        run_through(version, window_clerk, reviewer, start + dt.timedelta(days=number))
    with clock(timezone.now() - dt.timedelta(days=9)):
        stuck = submit(version, applicant_name="滞留")
        from civicdesk.applications import steps

        steps.step_take(application=stuck, actor=window_clerk)
    district = User.objects.create_user(
        username="district-inspector",
        password=PASSWORD,
        role=Role.DISCIPLINE,
        unit=units["district"],
    )
    assert stuck.tracking_code in login(district).get("/integrity/stuck/").text
    # The acceptance step is at the urban window, below this inspector's own unit.
    assert stuck.tracking_code not in login(inspector).get("/integrity/stuck/").text


def test_every_view_is_chained_and_listed(discipline):
    client = login(discipline)
    for page in ("stuck", "agents", "refusals", "stuck"):
        client.get(f"/integrity/{page}/")
    assert SignalAccess.objects.count() == 4
    assert verify(SignalAccess) == []
    log = client.get("/integrity/log/").text
    assert log.count("<tr><td") == 4
    SignalAccess.objects.filter(signal="agents").update(shown=["edited"])
    assert verify(SignalAccess)
