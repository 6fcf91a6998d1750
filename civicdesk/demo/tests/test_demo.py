"""The demo district: plausible, complete, deterministic and safe to load twice."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.credit_code import credit_code_error
from civicdesk.demo.generator import (
    CHANNEL_COUNTS,
    DEMO_PASSWORD,
    _choose_statuses,
    _draw_specs,
    load_demo,
    scaled_counts,
)
from civicdesk.intake.models import Submission

ONLINE = {"snapshot", "mobile_app", "rating", "portal", "chat_group", "self_media"}


def test_channel_counts_follow_the_brief() -> None:
    counts = scaled_counts(2044)
    assert counts == CHANNEL_COUNTS
    assert counts["leader_window"] == 27
    assert sum(counts[code] for code in ONLINE) == 1652
    assert counts["enterprise_questionnaire"] == 303
    assert counts["window"] + counts["phone"] + counts["paper_questionnaire"] == 62


@pytest.mark.parametrize("total", [1, 50, 300, 1000, 5000])
def test_scaled_counts_keep_the_total_and_the_shares(total: int) -> None:
    counts = scaled_counts(total)
    assert sum(counts.values()) == total
    for code, count in counts.items():
        assert abs(count - CHANNEL_COUNTS[code] * total / 2044) < 1


def test_the_plan_is_deterministic_for_a_seed() -> None:
    import random

    now = timezone.now()

    def draw(seed: int) -> list[tuple[str, str, str]]:
        rng = random.Random(seed)
        specs = _draw_specs(rng, now, 200)
        _choose_statuses(rng, now, specs)
        return [(s.external_id, s.description, s.status) for s in specs]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


@pytest.mark.django_db
def test_load_demo_builds_a_plausible_district() -> None:
    now = timezone.now()
    summary = load_demo(submissions=300, now=now)

    assert summary.submissions_created == 300
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
    assert submissions.count() == 300
    channels = Counter(submissions.values_list("channel__code", flat=True))
    assert channels["leader_window"] > 0
    assert abs(channels["enterprise_questionnaire"] / 300 - 303 / 2044) < 0.01
    assert abs(sum(channels[c] for c in ONLINE) / 300 - 1652 / 2044) < 0.01
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


@pytest.mark.django_db
def test_every_timeline_is_in_order_and_in_the_past() -> None:
    now = timezone.now()
    load_demo(submissions=300, now=now)
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


@pytest.mark.django_db
def test_old_cases_are_mostly_done_and_new_ones_mostly_open() -> None:
    now = timezone.now()
    load_demo(submissions=300, now=now)
    old = Case.objects.filter(received_at__lt=now - timedelta(days=20))
    new = Case.objects.filter(received_at__gte=now - timedelta(days=2))
    done = [Status.ANSWERED, Status.CLOSED, Status.MERGED]
    assert old.filter(status__in=done).count() > 0.75 * old.count()
    assert new.open().count() > 0.5 * new.count()


@pytest.mark.django_db
def test_a_second_run_adds_nothing() -> None:
    first = load_demo(submissions=120)
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        ReplyTemplate.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
    )
    second = load_demo(submissions=120)
    assert first.submissions_created == 120
    assert (second.submissions_created, second.submissions_skipped) == (0, 120)
    assert (second.units_created, second.users_created, second.templates_created) == (0, 0, 0)
    assert counts == (
        Unit.objects.count(),
        User.objects.count(),
        ReplyTemplate.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
    )


@pytest.mark.django_db
def test_demo_command_prints_the_url_and_the_logins() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--submissions", "50", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert DEMO_PASSWORD in text
    for username in ["admin", "clerk", "supervisor", "leader", "handler-urban", "handler-east"]:
        assert f"\n  {username} " in text
    assert "城市管理局" in text
    assert Submission.objects.filter(external_id__startswith="demo-").count() == 50


@pytest.mark.django_db
def test_demo_command_serves_with_runserver(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicdesk.demo.management.commands import demo

    calls = []
    real_call_command = demo.call_command

    def fake_call_command(name: str, *args, **kwargs):
        if name == "runserver":
            calls.append((args, kwargs))
            return None
        return real_call_command(name, *args, **kwargs)

    class FakeWorker:
        pid = 4242
        stopped = False

        def __init__(self, argv, env):
            FakeWorker.argv = argv

        def terminate(self):
            FakeWorker.stopped = True

        def wait(self, timeout):
            return 0

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    monkeypatch.setattr(demo.subprocess, "Popen", FakeWorker)
    call_command("demo", "--submissions", "5", "--host", "192.0.2.1", stdout=StringIO())
    assert calls == [(("192.0.2.1:8000",), {"use_reloader": False})]
    # A worker runs beside the server and stops with it.
    assert FakeWorker.argv[-2:] == ["civicdesk", "worker"] and FakeWorker.stopped
