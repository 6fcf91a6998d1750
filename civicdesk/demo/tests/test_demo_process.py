"""`civicdesk demo` run for real, as a person runs it in a folder of their own (issue 13).

Item 19: commands run next to the demo just work (the demo keeps its key, debug mode and
address in ./var/demo-settings.json). Item 20: its background worker ends with it, on Ctrl-C,
SIGTERM and SIGKILL. Item 21: it sets CIVICDESK_SITE_URL from its host and port. One demo
serves for the whole module (loading it takes a while); the last test stops it.

Every command runs in a fresh interpreter with none of the suite's settings in its environment.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicdesk.core import demo_settings

SUBMISSIONS = "5"  # the district's units, staff and a few cases: quick to load
STARTUP_SECONDS = 600  # loading is slow on a busy machine


def environment() -> dict[str, str]:
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIVICDESK_") and key not in dropped
    }
    return {**kept, "PYTHONUNBUFFERED": "1"}  # their output is read while they run


def civicdesk(folder: Path, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-m", "civicdesk", *arguments],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running(pid: int) -> bool:
    """Whether the process exists and has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.2)
    return not running(pid)


# The demo's last step alone, in the demo's folder: its server and worker, without loading the
# district again (which the full command does, and takes seconds).
_SERVE = """
import sys, django
django.setup()
from civicdesk.demo.management.commands.demo import serve_with_worker
serve_with_worker("127.0.0.1", int(sys.argv[1]), sys.stdout)
"""


class Demo:
    """The demo serving in a folder, with its output collected by a thread: the whole
    `civicdesk demo`, or (``serve_only``) its server and worker without the loading."""

    worker: int

    def __init__(self, folder: Path, *, serve_only: bool = False) -> None:
        self.folder = folder
        self.port = free_port()
        if serve_only:
            command = ["-c", _SERVE, str(self.port)]
        else:
            command = ["-m", "civicdesk", "demo", "--submissions", SUBMISSIONS]
            command += ["--port", str(self.port)]
        env = {**environment(), "DJANGO_SETTINGS_MODULE": "civicdesk.settings"}
        self.process = subprocess.Popen(  # noqa: S603 - the test's own interpreter
            [sys.executable, *command],
            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def worker_pid(self) -> int:
        """Wait until the demo serves; the process id of its worker."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output[-3000:]
            found = re.search(r"Background worker started \(process (\d+)\)", self.output)
            if found and self.answers():
                return int(found.group(1))
            time.sleep(0.5)
        raise AssertionError("the demo did not start: " + self.output[-3000:])

    def answers(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """`civicdesk demo` serving in a fresh folder of its own, for the whole module; the last
    test stops it."""
    started = Demo(tmp_path_factory.mktemp("demo"))
    started.worker = started.worker_pid()
    yield started
    started.stop()


def stop_and_check_the_worker(demo: Demo, worker: int, stopped_by: int) -> None:
    os.kill(demo.process.pid, stopped_by)  # SIGINT is what Ctrl-C sends
    demo.process.wait(timeout=60)

    # Stopped by the demo, or (when the demo was killed outright) by the kernel's notice of
    # its parent's death; either way within the worker's grace period.
    assert gone_within(worker, 30), demo.output[-3000:]


def test_the_demo_sends_links_with_its_own_address(demo):
    site = f"http://127.0.0.1:{demo.port}"
    assert demo_settings.read(demo.folder / "var").site_url == site

    # A message queued next to the demo goes out through the demo's worker (the console
    # e-mail backend prints it into the demo's output) with the demo's address in its links.
    queued = civicdesk(
        demo.folder, "shell", "-c",
        "from django.db import transaction\n"
        "from civicdesk.notifications import services\n"
        "with transaction.atomic():\n"
        "    services.queue(event='case_answered', channel='email', address='li@example.org',"
        " language='en', context={'code': 'ABCD-EFGH-JK', 'status_url':"
        " services.site_url('/track/ABCD-EFGH-JK/')}, occurrence='demo-process-test')\n",
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr[-3000:]
    deadline = time.monotonic() + 120
    while f"{site}/track/ABCD-EFGH-JK/" not in demo.output and time.monotonic() < deadline:
        time.sleep(0.5)
    assert f"{site}/track/ABCD-EFGH-JK/" in demo.output, demo.output[-3000:]


@pytest.mark.parametrize(
    "command",
    [
        ["verify_chains"],
        ["enqueue_scheduled"],
        ["issue_token", "admin", "--name", "next to the demo"],
        ["shell", "-c", "from django.conf import settings; print(settings.CIVICDESK_SITE_URL)"],
    ],
    ids=lambda command: command[0],
)
def test_commands_next_to_the_demo_just_work(demo, command):
    result = civicdesk(demo.folder, *command)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "CIVICDESK_SECRET_KEY is required" not in result.stderr
    if command[0] == "shell":  # the last line: the shell may first say what it imported
        assert result.stdout.strip().splitlines()[-1] == f"http://127.0.0.1:{demo.port}"


def test_the_same_commands_elsewhere_still_need_a_key(tmp_path):
    result = civicdesk(tmp_path, "verify_chains")

    assert result.returncode != 0
    assert "CIVICDESK_SECRET_KEY is required" in result.stderr


def test_the_demos_settings_file_holds_its_key_and_mode(demo):
    kept = json.loads((demo.folder / "var" / demo_settings.FILE_NAME).read_text())

    assert kept["debug"] is True and len(kept["secret_key"]) >= 50


@pytest.mark.parametrize("stopped_by", [signal.SIGINT, signal.SIGKILL])
def test_the_worker_ends_with_the_demos_server(demo, stopped_by):
    # The demo's server and worker started again beside the running demo, without loading.
    serving = Demo(demo.folder, serve_only=True)
    try:
        worker = serving.worker_pid()
        assert running(worker)
        stop_and_check_the_worker(serving, worker, stopped_by)
    finally:
        serving.stop()


def test_sigterm_stops_the_demo_and_its_one_worker(demo):
    # Last in this module: it stops the demo the other tests used. No autoreloader: the
    # command ran once, with one worker.
    assert len(re.findall(r"Background worker started", demo.output)) == 1
    assert running(demo.worker)

    stop_and_check_the_worker(demo, demo.worker, signal.SIGTERM)
