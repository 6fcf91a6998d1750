"""The demo's work orders and supervision (issue 16, items 1-4): dispatch rules, the journey
case a supervisor follows, each state of a work order, letters and instructions, all chained
without a break."""

import pytest
from django.test import Client

from civicdesk.accounts.models import User
from civicdesk.appraisal.models import Scheme
from civicdesk.cases.models import Case, ClockRequest, DispatchRule, Grid
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.chain import verify
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.work_orders import EXTERNAL_PREFIX
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.supervision.models import LeaderInstruction, SupervisionEvent, SupervisionLetter

pytestmark = pytest.mark.django_db


def demo_case(number: int) -> Case:
    return Case.objects.get(submission__external_id=f"{EXTERNAL_PREFIX}{number}")


def test_rules_grids_and_the_journey(loaded_demo: LoadedDemo) -> None:
    departments = [
        code
        for code, unit in v.CATEGORY_UNITS.items()
        if unit != "district" and code not in v.NEIGHBOURHOOD_CATEGORIES
    ]
    by_street = 3 * len(v.NEIGHBOURHOOD_CATEGORIES)
    assert DispatchRule.objects.filter(is_active=True).count() == len(departments) + by_street
    assert Grid.objects.filter(worker__isnull=False).count() == 6
    journey = demo_case(1)
    steps = list(journey.events.values_list("action", flat=True))
    assert journey.events.first().action == Action.CREATE
    assert steps[1] == Action.ASSIGN and journey.events.all()[1].data["automatic"] == "rule"
    for action in (Action.PART, Action.EXTEND, Action.SUPERVISE, Action.ANSWER, Action.REOPEN):
        assert action in steps
    assert journey.status == Status.REOPENED


def test_each_state_of_a_work_order_is_there(loaded_demo: LoadedDemo) -> None:
    assert demo_case(2).co_units.filter(part_at__isnull=True).count() == 1
    assert demo_case(3).grid is not None and demo_case(3).assignee is not None
    assert demo_case(4).is_suspended
    assert ClockRequest.objects.pending().get().case == demo_case(5)
    assert demo_case(6).awaits_arbitration
    assert demo_case(7).bound_unit == demo_case(7).unit


def test_letters_instructions_and_the_scheme(loaded_demo: LoadedDemo) -> None:
    assert SupervisionLetter.objects.filter(escalated_at__isnull=False).exists()
    assert any(letter.answered_late for letter in SupervisionLetter.objects.all())
    assert SupervisionLetter.objects.filter(problem__isnull=False).exists()
    assert LeaderInstruction.objects.filter(acknowledged_at__isnull=True).exists()
    assert verify(SupervisionEvent) == []
    scheme = Scheme.objects.order_by("-valid_from", "-id").first()
    assert scheme.lines.filter(kind="late_supervision_letter").exists()
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get("/staff/work-orders/")
    assert page.status_code == 200 and page.context["arbitration"]
