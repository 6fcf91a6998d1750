"""The demo district: plausible, complete and safe to load twice."""

from collections import Counter
from datetime import timedelta

import pytest

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.credit_code import credit_code_error
from civicdesk.demo.generator import DEMO_PASSWORD, load_demo
from civicdesk.demo.tests.loaded.conftest import LoadedDemo
from civicdesk.intake.models import Submission
from civicdesk.reports.models import Report

ONLINE = {"snapshot", "mobile_app", "rating", "portal", "chat_group", "self_media"}

pytestmark = pytest.mark.django_db


def test_load_demo_builds_a_plausible_district(loaded_demo: LoadedDemo) -> None:
    now, summary = loaded_demo.now, loaded_demo.summary

    # Opinions alleging misconduct are confidential reports instead (test_misconduct_opinions).
    created = summary.submissions_created
    assert created + len(summary.opinions_reported) == 300
    assert 18 <= Unit.objects.count() <= 26
    assert Unit.objects.get(code="district").name == "示范区"
    assert Unit.objects.filter(parent__code="east-street").count() == 2
    staff = User.objects.exclude(role="")
    assert 25 <= staff.count() <= 35
    assert {role for role in staff.values_list("role", flat=True)} == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="handler-east").check_password(DEMO_PASSWORD)
    assert not Category.objects.filter(default_unit=None).exists()
    assert ReplyTemplate.objects.filter(unit=None).exists()
    assert ReplyTemplate.objects.exclude(unit=None).exists()

    submissions = Submission.objects.filter(external_id__startswith="demo-")
    assert submissions.count() == created
    channels = Counter(submissions.values_list("channel__code", flat=True))
    assert channels["leader_window"] > 0
    assert abs(channels["enterprise_questionnaire"] / created - 303 / 2044) < 0.01
    assert abs(sum(channels[c] for c in ONLINE) / created - 1652 / 2044) < 0.01
    assert all(s.received_at >= now - timedelta(days=61) for s in submissions)

    enterprises = submissions.filter(for_enterprise=True)
    assert enterprises.count() >= channels["enterprise_questionnaire"]
    for name, code in enterprises.values_list("enterprise_name", "enterprise_credit_code"):
        assert name
        assert credit_code_error(code) is None, code
    assert submissions.filter(consent_publish=True).exists()
    assert submissions.filter(description__regex=r"1[3-9]\d{9}").exists()

    cases = Case.objects.filter(submission__in=submissions)
    statuses = Counter(cases.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert summary.statuses == dict(statuses)
    assert cases.overdue().exists()
    for case in cases.filter(status__in=[Status.ANSWERED, Status.CLOSED]):
        assert case.answer and case.answered_at is not None
    assert not cases.filter(status=Status.MERGED, merged_into=None).exists()


def test_every_timeline_is_in_order_and_in_the_past(loaded_demo: LoadedDemo) -> None:
    now = loaded_demo.loaded_at  # nothing after the load itself
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("created_at", "id"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.all():
        timeline = events[case.pk]
        assert timeline[0].action == Action.CREATE
        assert timeline[0].created_at == case.received_at
        assert all(event.created_at <= now for event in timeline)
        # Played back in time order, the transitions chain up to the case's status.
        status = Status.RECEIVED
        for event in timeline[1:]:
            if event.from_status:
                assert event.from_status == status, (case.tracking_code, event.action)
                status = event.to_status
        assert status == case.status
        # Apart from the note a merge leaves on the surviving case, events were written in
        # the order they are dated.
        own = [e.pk for e in timeline if not e.data.get("merged")]
        assert own == sorted(own)
        if case.assigned_at:
            assert case.received_at <= case.assigned_at <= now
        if case.answered_at:
            assert case.received_at < case.answered_at <= now
            answers = [e for e in timeline if e.action == Action.ANSWER]
            assert answers[-1].created_at == case.answered_at


def test_old_cases_are_mostly_done_and_new_ones_mostly_open(loaded_demo: LoadedDemo) -> None:
    now = loaded_demo.now
    old = Case.objects.filter(received_at__lt=now - timedelta(days=20))
    new = Case.objects.filter(received_at__gte=now - timedelta(days=2))
    done = [Status.ANSWERED, Status.CLOSED, Status.MERGED]
    assert old.filter(status__in=done).count() > 0.75 * old.count()
    assert new.open().count() > 0.5 * new.count()


def test_a_second_run_adds_nothing(loaded_demo: LoadedDemo) -> None:
    first = loaded_demo.summary
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        ReplyTemplate.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        Report.objects.count(),
    )
    second = load_demo(submissions=300)
    assert first.submissions_created + len(first.opinions_reported) == 300
    assert (second.submissions_created, second.submissions_skipped) == (0, 300)
    assert second.opinions_reported == []
    assert (second.units_created, second.users_created, second.templates_created) == (0, 0, 0)
    assert counts == (
        Unit.objects.count(),
        User.objects.count(),
        ReplyTemplate.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        Report.objects.count(),
    )
