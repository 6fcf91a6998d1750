"""The one way views reach imports. Anyone else gets a 404, so nothing says the pages exist.

Clerks, supervisors and administrators import messages from other channels and see every
import (imports are district-wide work, shared between them); handlers, leaders, discipline
inspectors and the public see none.
"""

from django.db.models import QuerySet
from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.imports.models import ImportJob

IMPORTERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})


def may_import(user: User) -> bool:
    return user.is_authenticated and user.has_role(*IMPORTERS)


def may_set_answers_authors(user: User) -> bool:
    """Whether the user may let a source's authors hear the answer (intake.Source): the
    office's promise to people who did not write to it, so administrators only."""
    return user.is_authenticated and user.has_role(Role.ADMIN)


def jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("channel", "created_by")
    return jobs if may_import(user) else jobs.none()


def get_job_for_user(user: User, pk) -> ImportJob:
    try:
        return jobs_visible_to(user).get(pk=int(pk))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None
