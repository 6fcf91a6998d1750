"""Where each role starts its day: after log-in and on /staff/ without a query.

A clerk routes what came in, a handler works their unit's open cases, a supervisor chases
overdue and escalated work (each a work queue, civicdesk.staff.queues), a leader reads the
dashboard and a discipline inspector the confidential reports.
"""

from django.urls import reverse

from civicdesk.accounts.models import Role, User

# Role → (URL name, its arguments). Roles not listed land on the inbox as it opens (/staff/).
LANDING: dict[str, tuple[str, tuple[str, ...]]] = {
    Role.CLERK: ("staff:queue", ("to-route",)),
    Role.ADMIN: ("staff:queue", ("to-route",)),
    Role.HANDLER: ("staff:queue", ("open",)),
    Role.SUPERVISOR: ("staff:queue", ("overdue",)),
    Role.LEADER: ("dashboard:index", ()),
    Role.DISCIPLINE: ("reports:intermediary_list", ()),
}
DEFAULT = ("staff:inbox", ())


def landing_url(user: User) -> str:
    """The page this staff member starts from; the public home page for anyone else."""
    if not (user.is_authenticated and user.is_staff_member):
        return reverse("public:home")
    url_name, args = LANDING.get(user.role, DEFAULT)
    return reverse(url_name, args=args)
