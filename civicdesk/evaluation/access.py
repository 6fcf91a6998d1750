"""Who may see what in evaluation; every staff view goes through `staff_view` with these.

The reporter reaches a follow-up by the token of its link only; wrong tokens count in the
budget shared by every token link (civicdesk.core.tokens)."""

from django.http import HttpRequest

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Case
from civicdesk.core.tokens import find_by_token
from civicdesk.evaluation.models import FollowUp

# Clerks read the table too; nothing on it changes data.
TABLE_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.CLERK)
CALL_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.HANDLER, Role.ADMIN)


def can_read_table(user: User) -> bool:
    return user.has_role(*TABLE_ROLES)


def can_read_own_unit(user: User) -> bool:
    return user.has_role(Role.HANDLER) and user.unit_id is not None


def can_read_monthly(user: User) -> bool:
    """The monthly report: table readers for every unit, handlers for their own unit."""
    return can_read_table(user) or can_read_own_unit(user)


def can_record_calls(user: User) -> bool:
    return user.has_role(*CALL_ROLES)


def cases_for_calls(user: User):
    """Cases on which this user may record a return call: handlers only their unit's."""
    return Case.objects.visible_to(user) if can_record_calls(user) else Case.objects.none()


def get_followup_for_token(token: str, *, request: HttpRequest) -> FollowUp:
    """Http404 for a wrong token, TokenThrottled once this client sent too many of them."""
    return find_by_token(
        request,
        lambda: (
            FollowUp.objects.select_related("case").filter(token=token).first()
            if token and len(token) <= 64
            else None
        ),
        what="No such follow-up",
    )
