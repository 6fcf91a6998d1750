"""`civicdesk demo_worker --parent PID`: the background worker that `civicdesk demo` starts.

It is `civicdesk worker`, except that it ends when the demo process ends, however the demo
ended. The demo stops it on Ctrl-C, SIGTERM and SIGHUP; this covers what the demo cannot: a
SIGKILL, a crash, or runserver leaving through os._exit when its port is taken.
"""

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Command(BaseCommand):
    help = (
        "The background worker of `civicdesk demo`, which starts it: `civicdesk worker` that "
        "stops when the demo process --parent ends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--parent", type=int, required=True, help="Process id of the demo; stop with it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop_with_parent(options["parent"])
        call_command("worker", stdout=self.stdout, stderr=self.stderr)


def stop_with_parent(parent: int) -> None:
    """Have SIGTERM delivered to this process when ``parent`` ends, which the worker takes as
    its signal to stop (after its current task). On Linux the kernel sends it, even when the
    parent is killed outright; elsewhere a thread watches for this process being handed to
    another parent, which is what happens when the parent ends."""
    if not _ask_the_kernel():
        threading.Thread(target=_watch, args=(parent,), name="demo-parent", daemon=True).start()
    if os.getppid() != parent:  # it ended before anyone watched
        sys.exit(0)


def _ask_the_kernel() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
