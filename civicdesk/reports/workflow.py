"""The workflow of confidential reports as data: ledgers, statuses, actions, who may act."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Role


class Ledger(models.TextChoices):
    # 不作为乱作为: visible to supervisors (and administrators).
    INACTION = "inaction", _("Inaction and misconduct")
    # 黑中介: visible to discipline inspectors only; administrators do NOT see it.
    INTERMEDIARY = "intermediary", _("Collusion with black intermediaries")


# Case categories whose reports are allegations for a ledger, not ordinary cases: whatever
# channel they come through, civicdesk.intake.routing files them here instead (codes of the
# default taxonomy, cases migration 0003; a category under one of them counts as it).
CATEGORY_LEDGERS: dict[str, str] = {
    "inaction": Ledger.INACTION,
    "black-intermediaries": Ledger.INTERMEDIARY,
}

# The only roles that may see and handle each ledger. Everyone else gets a 404.
AUDIENCE: dict[str, frozenset[str]] = {
    Ledger.INACTION: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Ledger.INTERMEDIARY: frozenset({Role.DISCIPLINE}),
}


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Under investigation")
    SUBSTANTIATED = "substantiated", _("Substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("Not substantiated")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    CREATE = "create", _("Received")
    INVESTIGATE = "investigate", _("Investigation opened")
    SUBSTANTIATE = "substantiate", _("Found substantiated")
    UNSUBSTANTIATE = "unsubstantiate", _("Found not substantiated")
    CLOSE = "close", _("Closed")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to the whistle-blower")
    SUPPLEMENT = "supplement", _("More information from the reporter")
    SET_UNIT = "set_unit", _("Unit concerned set")


# The reporter who holds the secret follow-up code.
REPORTER = "reporter"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    Action.INVESTIGATE: Transition(frozenset({Status.RECEIVED}), Status.INVESTIGATING),
    Action.SUBSTANTIATE: Transition(frozenset({Status.INVESTIGATING}), Status.SUBSTANTIATED),
    Action.UNSUBSTANTIATE: Transition(frozenset({Status.INVESTIGATING}), Status.UNSUBSTANTIATED),
    Action.CLOSE: Transition(
        frozenset({Status.SUBSTANTIATED, Status.UNSUBSTANTIATED}), Status.CLOSED
    ),
}

# Transitions whose note (the finding) may not be left empty.
NOTE_REQUIRED = frozenset({Action.SUBSTANTIATE, Action.UNSUBSTANTIATE})

# Staff actions that leave the status alone, and the ledgers they exist in.
NON_TRANSITIONS: dict[str, frozenset[str]] = {
    Action.NOTE: frozenset({Ledger.INACTION, Ledger.INTERMEDIARY}),
    # Only intermediary reports have a follow-up code, so only they can be replied to.
    Action.REPLY: frozenset({Ledger.INTERMEDIARY}),
    # Reports routed from the channels (intake.routing) come without the unit they are
    # about; its audience names it (which also hides the report from that unit's own staff).
    Action.SET_UNIT: frozenset({Ledger.INACTION, Ledger.INTERMEDIARY}),
}

# Actions a staff member can pick on the report page, in workflow order.
STAFF_ACTIONS = (*TRANSITIONS, *NON_TRANSITIONS)


def may_handle(role: str, ledger: str) -> bool:
    return role in AUDIENCE[ledger]


def allowed_actions(*, ledger: str, status: str, role: str) -> list[str]:
    """Actions this role may take on a report of this ledger in this status."""
    if not may_handle(role, ledger):
        return []
    actions = [a for a, t in TRANSITIONS.items() if status in t.sources]
    if status != Status.CLOSED:
        actions += [a for a, ledgers in NON_TRANSITIONS.items() if ledger in ledgers]
    return actions
