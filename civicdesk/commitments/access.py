"""Who may see the staff commitment pages. District-wide staff roles see every measure; a
handler sees the measures of their unit and the units below it. Anything else is a 404."""

from django.db.models import Q
from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.commitments.models import Measure
from civicdesk.commitments.workflow import READERS
from civicdesk.problems.models import Problem


def is_reader(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member and user.role in READERS


def _pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def get_measure_for_user(user: User, pk) -> Measure:
    if not is_reader(user):
        raise Http404
    measure = (
        Measure.objects.visible_to(user)
        .select_related("unit", "problem", "problem__lead_unit")
        .filter(pk=_pk(pk))
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def problems_visible_to(user: User):
    if not is_reader(user):
        return Problem.objects.none()
    if user.role != Role.HANDLER:
        return Problem.objects.all()
    if user.unit is None:
        return Problem.objects.none()
    path = user.unit.path
    return Problem.objects.filter(
        Q(measures__unit__path__startswith=path)
        | Q(lead_unit__path__startswith=path)
        | Q(co_units__path__startswith=path)
    ).distinct()


def get_problem_for_user(user: User, pk) -> Problem:
    problem = (
        problems_visible_to(user).select_related("lead_unit", "category").filter(pk=_pk(pk)).first()
    )
    if problem is None:
        raise Http404
    return problem
