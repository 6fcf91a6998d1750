"""Integrity signals are for discipline inspectors only (everyone else gets a 404), and an
inspector never sees signals about their own unit or a unit below it, unless their unit is the
district itself, as with the confidential reports."""

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.core.access import staff_view


def may_read_signals(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.DISCIPLINE)


def excluded_units(user: User):
    """Units whose signals this inspector may not read (their own subtree), or None."""
    unit = user.unit
    if unit is None or unit.parent_id is None:
        return None
    return Unit.objects.subtree_of(unit)


signals_view = staff_view(may_read_signals)
