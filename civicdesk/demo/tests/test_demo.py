"""The demo district's plan, its determinism and the ``demo`` command.

What a loaded district holds is tested in ``loaded/``, on one load shared by those tests;
these tests need an empty database.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from civicdesk.commitments.models import Measure
from civicdesk.demo.generator import (
    CHANNEL_COUNTS,
    DEMO_PASSWORD,
    _choose_statuses,
    _draw_specs,
    load_demo,
    scaled_counts,
)
from civicdesk.intake.models import Submission
from civicdesk.ledgers.models import PromiseItem
from civicdesk.problems.models import Problem
from civicdesk.reports.models import Report

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


@pytest.fixture
def data_dir(settings, tmp_path):
    """The demo keeps its settings file in the data folder: a folder of the test's own."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_demo_command_prints_the_url_and_the_logins(data_dir) -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--submissions", "50", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert DEMO_PASSWORD in text
    for username in ["admin", "clerk", "supervisor", "leader", "handler-urban", "handler-east"]:
        assert f"\n  {username} " in text
    assert "城市管理局" in text
    # Opinions alleging misconduct became confidential reports of their channel instead.
    reported = Report.objects.filter(external_id__startswith="demo-").count()
    assert Submission.objects.filter(external_id__startswith="demo-").count() + reported == 50


@pytest.mark.django_db
def test_demo_command_serves_with_runserver(monkeypatch: pytest.MonkeyPatch, data_dir) -> None:
    from django.conf import settings

    from civicdesk.core import demo_settings
    from civicdesk.demo.management.commands import demo

    calls = []
    real_call_command = demo.call_command
    before = settings.CIVICDESK_SITE_URL

    def fake_call_command(name: str, *args, **kwargs):
        if name == "runserver":
            calls.append((args, kwargs, settings.CIVICDESK_SITE_URL))
            return None
        return real_call_command(name, *args, **kwargs)

    class FakeWorker:
        pid = 4242
        stopped = False

        def __init__(self, argv, env, **options):
            FakeWorker.argv = argv

        def poll(self):
            return None

        def terminate(self):
            FakeWorker.stopped = True

        def wait(self, timeout):
            return 0

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    monkeypatch.setattr(demo.subprocess, "Popen", FakeWorker)
    monkeypatch.delenv("CIVICDESK_SITE_URL", raising=False)  # the tests' own address
    call_command("demo", "--submissions", "5", "--host", "192.0.2.1", stdout=StringIO())
    # Served with the links of its messages pointing at itself (issue 13, item 21), and that
    # address kept for the commands run next to it; the process's settings are left as found.
    assert calls == [(("192.0.2.1:8000",), {"use_reloader": False}, "http://192.0.2.1:8000")]
    assert demo_settings.read(data_dir).site_url == "http://192.0.2.1:8000"
    assert before == settings.CIVICDESK_SITE_URL
    # A worker runs beside the server and stops with it (or, killed, with the demo process).
    assert FakeWorker.argv[2:5] == ["civicdesk", "demo_worker", "--parent"]
    assert FakeWorker.stopped


@pytest.mark.django_db
def test_the_campaign_data_is_deterministic() -> None:
    class Rollback(Exception):
        pass

    def snapshot() -> tuple:
        measures = Measure.objects.order_by("problem__title", "title").values_list(
            "title", "status", "progress", "start_date", "deadline", "unit__code"
        )
        cases = {
            problem.title: sorted(problem.cases.values_list("submission__external_id", flat=True))
            for problem in Problem.objects.all()
        }
        promises = PromiseItem.objects.order_by("promise").values_list(
            "promise", "status", "deadline", "resolved_on"
        )
        return list(measures), cases, list(promises)

    taken = []
    for _run in range(2):
        try:
            with transaction.atomic():
                load_demo(submissions=60, seed=5)
                taken.append(snapshot())
                raise Rollback
        except Rollback:
            pass
    assert taken[0] == taken[1]
    assert taken[0][0] and any(taken[0][1].values())
