"""Reading a signal list always leaves a trace: one chained access row per view."""

from collections.abc import Iterable

from django.db import transaction

from civicdesk.accounts.models import User
from civicdesk.integrity import signals
from civicdesk.integrity.access import excluded_units, may_read_signals
from civicdesk.integrity.models import Signal, SignalAccess

CHAIN = "signal-access"


class SignalError(Exception):
    pass


def log_view(*, user: User, signal: str, shown: Iterable[str], via: str = "page") -> SignalAccess:
    if signal not in Signal.values:
        raise ValueError(signal)
    with transaction.atomic():
        return SignalAccess.append(
            chain=CHAIN, user=user, signal=signal, via=via, shown=list(shown)
        )


def read_signal(*, user: User, signal: str, via: str = "page") -> list:
    """The rows of one signal list for this inspector, logged before they are returned."""
    if not may_read_signals(user):
        raise SignalError(signal)
    excluded = excluded_units(user)
    if signal == Signal.STUCK:
        rows = signals.stuck(excluded_units=excluded)
    elif signal == Signal.AGENTS:
        rows = signals.agents()
    elif signal == Signal.REFUSALS:
        rows = signals.refusals(excluded_units=excluded)
    else:
        raise ValueError(signal)
    log_view(user=user, signal=signal, shown=[row.identifier for row in rows], via=via)
    return rows
