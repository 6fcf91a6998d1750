"""Who may see and change the knowledge base: the public reads published entries; every staff
member reads all of them; the call centre and supervisors keep them up to date."""

from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.cases.access import get_case_for_user
from civicdesk.cases.models import Case
from civicdesk.knowledge.models import Entry

EDIT_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
# Who answers cases, and so inserts entries into answers (the case workflow decides the rest).
ANSWER_ROLES = (Role.HANDLER, Role.SUPERVISOR, Role.ADMIN)


def can_read_staff_list(user: User) -> bool:
    return user.is_staff_member and user.role != Role.DISCIPLINE


def can_edit_entries(user: User) -> bool:
    return user.has_role(*EDIT_ROLES)


def entries_visible_to(user: User | None):
    """Staff see withdrawn entries too; everyone else the published ones."""
    if user is not None and user.is_authenticated and can_read_staff_list(user):
        return Entry.objects.all()
    return Entry.objects.published()


def get_entry_for_user(user: User | None, entry_id: int | str) -> Entry:
    try:
        return (
            entries_visible_to(user)
            .select_related("category", "service_item", "updated_by")
            .get(pk=int(entry_id))
        )
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404("No such entry") from None


def get_public_entry(entry_id: int | str) -> Entry:
    return get_entry_for_user(None, entry_id)


def may_insert(user: User) -> bool:
    return user.has_role(*ANSWER_ROLES)


def get_case_for_answering(user: User, case_id: int | str) -> Case:
    """A case the user sees (cases.access) and whose answer they may write, else Http404."""
    if not may_insert(user):
        raise Http404
    return get_case_for_user(user, case_id)
