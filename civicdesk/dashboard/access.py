"""Who may see the dashboard and what its drill-downs list: every list goes through the
access helper of what it lists, so a drill-down never shows more than its own page would."""

from django.db.models import QuerySet

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Case
from civicdesk.commitments.models import Measure
from civicdesk.ratings.access import ratings_visible_to

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def can_read_dashboard(user: User) -> bool:
    return user.has_role(*DASHBOARD_ROLES)


def cases_for(user: User) -> QuerySet:
    return Case.objects.visible_to(user)


def ratings_for(user: User) -> QuerySet:
    return ratings_visible_to(user)


def measures_for(user: User) -> QuerySet:
    return Measure.objects.visible_to(user)
