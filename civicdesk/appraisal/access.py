"""Who may see which appraisal scores and change the scheme; every view and API operation goes
through these. Scores of every unit: supervisors, leaders, administrators and clerks (as the
rates table); handlers: their own unit and the units below it. A unit anyone else asks for is a
404."""

from django.http import Http404

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.appraisal.models import Scheme

READ_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.CLERK)
SCHEME_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_read_all(user: User) -> bool:
    return user.has_role(*READ_ROLES)


def can_read_scores(user: User) -> bool:
    """Anyone who sees some unit's score: the table readers, and handlers for their unit."""
    return can_read_all(user) or (user.has_role(Role.HANDLER) and user.unit_id is not None)


def can_edit_schemes(user: User) -> bool:
    return user.has_role(*SCHEME_ROLES)


def units_visible_to(user: User):
    if can_read_all(user):
        return Unit.objects.all()
    if user.has_role(Role.HANDLER) and user.unit_id is not None:
        return Unit.objects.subtree_of(user.unit)
    return Unit.objects.none()


def get_unit_for_user(user: User, code: str) -> Unit:
    """A unit whose score the user may see, else Http404."""
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit")
    return unit


def get_scheme_for_user(user: User, scheme_id: int | str) -> Scheme:
    """A scheme version, for whoever reads scores (schemes are no secret among staff)."""
    if not can_read_scores(user):
        raise Http404
    try:
        return Scheme.objects.get(pk=int(scheme_id))
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such scheme") from None
