"""Who may see and change the triage pages: district-wide roles only; others get a 404."""

from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.problems.models import ClusterRun, Problem, ProblemCluster

READERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
EDITORS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})


def can_read(user: User) -> bool:
    return user.is_authenticated and user.has_role(*READERS)


def can_edit(user: User) -> bool:
    return user.is_authenticated and user.has_role(*EDITORS)


def _get(queryset, user: User, pk):
    if not can_read(user):
        raise Http404
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_run_for_user(user: User, pk) -> ClusterRun:
    return _get(ClusterRun.objects.all(), user, pk)


def get_cluster_for_user(user: User, pk) -> ProblemCluster:
    return _get(ProblemCluster.objects.select_related("run", "problem"), user, pk)


def get_problem_for_user(user: User, pk) -> Problem:
    return _get(Problem.objects.select_related("category"), user, pk)
