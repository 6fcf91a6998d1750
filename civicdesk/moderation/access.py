"""The one access helper of moderation: who may moderate, and which cases can be flagged."""

from django.http import Http404

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
from civicdesk.moderation.workflow import MODERATOR_ROLES


def is_moderator(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member and user.role in MODERATOR_ROLES


def get_case_for_moderator(user: User, case_id: int) -> Case:
    """The case a moderator moderates (every case: moderators see all); 404 otherwise."""
    if not is_moderator(user):
        raise Http404
    case = Case.objects.visible_to(user).select_related("submission").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case
