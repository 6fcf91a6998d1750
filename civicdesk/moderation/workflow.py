"""Who moderates, and the abuse reports' workflow as data."""

from civicdesk.accounts.models import Role
from civicdesk.moderation.models import AbuseStatus

# Supervisors and administrators moderate: they already see every case and answer for what
# the district publishes. Clerks and handlers do not; a handler must not take down the text
# of a complaint about their own unit.
MODERATOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

# An open report is decided once: upheld (a moderation was made for it) or dismissed.
ABUSE_TRANSITIONS: dict[str, frozenset[str]] = {
    AbuseStatus.OPEN: frozenset({AbuseStatus.UPHELD, AbuseStatus.DISMISSED}),
    AbuseStatus.UPHELD: frozenset(),
    AbuseStatus.DISMISSED: frozenset(),
}


def may_decide(source: str, target: str) -> bool:
    return target in ABUSE_TRANSITIONS[source]
