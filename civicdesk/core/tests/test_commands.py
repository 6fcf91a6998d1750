"""`civicdesk serve` and `civicdesk worker`."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks import task
from django_tasks.base import TaskResultStatus

from civicdesk.core.management.commands import serve


@task()
def add(a: int, b: int) -> int:
    return a + b


def test_serve_help_lists_its_options() -> None:
    parser = serve.Command().create_parser("civicdesk", "serve")
    text = parser.format_help()
    for option in ["--bind", "--workers", "--threads", "--access-log", "--migrate", "--timeout"]:
        assert option in text


def test_serve_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: started.append(app))
    monkeypatch.setenv("CIVICDESK_WEB_WORKERS", "3")
    monkeypatch.delenv("CIVICDESK_WEB_THREADS", raising=False)
    call_command("serve", stdout=StringIO())
    (app,) = started
    assert app.cfg.bind == ["127.0.0.1:8000"]
    assert app.cfg.workers == 3
    assert (app.cfg.threads, app.cfg.worker_class_str) == (4, "gthread")
    assert app.cfg.keepalive > 0
    assert app.cfg.accesslog is None
    assert app.cfg.preload_app


def test_serve_options(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: started.append(app))
    monkeypatch.delenv("CIVICDESK_WEB_WORKERS", raising=False)
    monkeypatch.setattr(serve.os, "cpu_count", lambda: 4)
    call_command(
        "serve",
        "--bind",
        "0.0.0.0:9000",
        "--bind",
        "unix:/tmp/c.sock",
        "--access-log",
        stdout=StringIO(),
    )
    (app,) = started
    assert app.cfg.bind == ["0.0.0.0:9000", "unix:/tmp/c.sock"]
    assert app.cfg.workers == 9
    assert app.cfg.accesslog == "-"


def test_serve_threads_from_option_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: started.append(app))
    monkeypatch.setenv("CIVICDESK_WEB_THREADS", "8")
    call_command("serve", "--workers", "2", stdout=StringIO())
    call_command("serve", "--workers", "2", "--threads", "1", stdout=StringIO())
    threaded, single = started
    assert (threaded.cfg.threads, threaded.cfg.worker_class_str) == (8, "gthread")
    assert (single.cfg.threads, single.cfg.worker_class_str) == (1, "sync")


def test_serve_refuses_a_bad_thread_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: None)
    monkeypatch.setenv("CIVICDESK_WEB_THREADS", "many")
    with pytest.raises(CommandError, match="CIVICDESK_WEB_THREADS must be an integer"):
        call_command("serve", stdout=StringIO())
    with pytest.raises(CommandError, match="--threads must be at least 1"):
        call_command("serve", "--threads", "0", stdout=StringIO())


def test_serve_warns_when_workers_would_count_limits_alone(monkeypatch, settings) -> None:
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: None)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    several, one = StringIO(), StringIO()
    call_command("serve", "--workers", "3", stdout=StringIO(), stderr=several)
    call_command("serve", "--workers", "1", stdout=StringIO(), stderr=one)
    assert "CIVICDESK_CACHE_URL" in several.getvalue()
    assert one.getvalue() == ""


def test_serve_loads_the_wsgi_application() -> None:
    from civicdesk.wsgi import application

    assert serve.CivicdeskApplication({"bind": ["127.0.0.1:0"]}).load() is application


def test_serve_imports_the_urls_before_forking() -> None:
    # In a fresh interpreter: this test process may have imported the URLconf already.
    script = (
        "import sys, django; django.setup(); "
        "from civicdesk.core.management.commands.serve import CivicdeskApplication; "
        "before = 'civicdesk.api.api' in sys.modules; "
        "CivicdeskApplication({'bind': ['127.0.0.1:0']}).load(); "
        "print(before, 'civicdesk.api.api' in sys.modules)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "civicdesk.settings_test"}
    done = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_serve_migrate_runs_migrations_first(monkeypatch: pytest.MonkeyPatch) -> None:
    order = []
    monkeypatch.setattr(serve.CivicdeskApplication, "run", lambda app: order.append("serve"))
    real = serve.call_command
    monkeypatch.setattr(
        serve, "call_command", lambda name, *a, **k: (order.append(name), real(name, *a, **k))
    )
    call_command("serve", "--migrate", "--workers", "1", stdout=StringIO())
    assert order == ["migrate", "serve"]


def test_worker_help_lists_its_options() -> None:
    from civicdesk.core.management.commands import worker

    text = worker.Command().create_parser("civicdesk", "worker").format_help()
    for option in ["--queue-name", "--batch", "--interval", "--max-tasks"]:
        assert option in text


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_waiting_tasks_and_exits(settings) -> None:
    # The test settings run tasks immediately; the worker is about the database queue.
    settings.TASKS = DATABASE_TASKS
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    call_command("worker", "--batch", stdout=StringIO())
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


@pytest.mark.django_db(transaction=True)
def test_worker_batch_with_an_empty_queue_exits(settings, caplog) -> None:
    settings.TASKS = DATABASE_TASKS
    with caplog.at_level("INFO"):
        call_command(
            "worker", "--batch", "--queue-name", "default", "--interval", "0.1", stdout=StringIO()
        )
    assert "No more tasks" in caplog.text
