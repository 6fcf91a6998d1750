"""Who may see the staff commitment pages. District-wide staff roles see every measure; a
handler sees the measures of their unit and the units below it. Anything else is a 404.

The public reaches a subscription by the token of its confirm and stop links only; wrong
tokens count in the budget shared by every token link (civicdesk.core.tokens)."""

from django.db.models import Q
from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Role, User
from civicdesk.commitments.models import Measure, Subscription
from civicdesk.commitments.workflow import READERS
from civicdesk.core.tokens import find_by_token
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


def get_subscription_for_token(token: str, *, request: HttpRequest) -> Subscription:
    """Http404 for a wrong token, TokenThrottled once this client sent too many of them."""
    return find_by_token(
        request,
        lambda: (
            Subscription.objects.select_related("problem").filter(token=token).first()
            if token and len(token) <= 64
            else None
        ),
        what="No such subscription",
    )
