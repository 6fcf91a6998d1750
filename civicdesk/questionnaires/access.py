"""The one way views reach questionnaires. Anything a user may not see is a 404.

- clerks, supervisors and administrators build questionnaires, publish and close them,
  import paper forms, and read results;
- leaders read questionnaires and their results, and change nothing;
- everyone else sees none of the staff pages; the public answer page is for everyone
  (or for logged-in users, where a questionnaire says so).
"""

from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.questionnaires.models import PaperImportReport, Questionnaire, Status

BUILDERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
READERS = BUILDERS | {Role.LEADER}


def may_read(user: User) -> bool:
    return user.is_authenticated and user.has_role(*READERS)


def may_build(user: User) -> bool:
    return user.is_authenticated and user.has_role(*BUILDERS)


def require_builder(user: User) -> None:
    if not may_build(user):
        raise Http404


def questionnaires_for_user(user: User):
    if not may_read(user):
        raise Http404
    return Questionnaire.objects.select_related("current_version")


def get_questionnaire_for_user(user: User, pk, *, write: bool = False) -> Questionnaire:
    if write:
        require_builder(user)
    try:
        return questionnaires_for_user(user).get(pk=int(pk))
    except (Questionnaire.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_public_questionnaire(slug: str) -> Questionnaire:
    """What the public may answer: published, with a current version. Drafts and closed
    questionnaires are not found (a closed one gets its own page in the view)."""
    questionnaire = (
        Questionnaire.objects.select_related("current_version")
        .filter(slug=slug)
        .exclude(status=Status.DRAFT)
        .first()
    )
    if questionnaire is None or questionnaire.current_version_id is None:
        raise Http404
    return questionnaire


def get_import_report_for_user(user: User, report_id) -> PaperImportReport:
    """A rejected-rows report is for the person whose upload it describes."""
    require_builder(user)
    try:
        return PaperImportReport.objects.get(pk=int(report_id), created_by=user)
    except (PaperImportReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
