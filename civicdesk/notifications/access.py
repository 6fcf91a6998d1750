"""Who may see the outbox: supervisors and administrators (it lists people's addresses,
masked, and what was sent to them). Every staff view goes through `staff_view` with this."""

from civicdesk.accounts.models import Role, User

OUTBOX_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_see_outbox(user: User) -> bool:
    return user.has_role(*OUTBOX_ROLES)
