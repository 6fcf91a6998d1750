"""The one way views reach ledger rows. Anything a user may not see or change is a 404.

- clerks, supervisors and administrators read and write every ledger;
- leaders read every ledger and change nothing;
- handlers read and update the rows their unit (or a unit below it) is responsible for;
- everyone else sees none of the staff pages (the utilities' public pages are for everyone).
"""

from django.db.models import QuerySet
from django.http import Http404

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.ledgers.models import BacklogCase, PromiseItem, Utility

MANAGERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
READERS = MANAGERS | {Role.LEADER}


def is_manager(user: User) -> bool:
    return user.is_authenticated and user.has_role(*MANAGERS)


def require_manager(user: User) -> None:
    """Creating rows, importing and managing utilities: clerks, supervisors, administrators."""
    if not is_manager(user):
        raise Http404


def _units_of(user: User) -> QuerySet[Unit] | None:
    if user.is_authenticated and user.has_role(Role.HANDLER) and user.unit_id:
        return Unit.objects.subtree_of(user.unit)
    return None


def can_use_ledgers(user: User) -> bool:
    return user.is_authenticated and (user.has_role(*READERS) or _units_of(user) is not None)


def ledger_rows_for_user(user: User, model: type, *, write: bool = False) -> QuerySet:
    """The rows of a ledger model the user may see (or, with write, change); 404 for none."""
    if user.is_authenticated and user.has_role(*READERS):
        if write and not user.has_role(*MANAGERS):
            raise Http404
        return model.objects.all()
    units = _units_of(user)
    if units is None:
        raise Http404
    return model.objects.filter(unit__in=units)


def can_change_rows(user: User) -> bool:
    """Whether the ledger rows the user sees are rows they may change: true for managers and
    handlers (their unit's rows), false for leaders, who only read."""
    try:
        ledger_rows_for_user(user, Utility, write=True)
    except Http404:
        return False
    return True


def _get(user: User, model: type, pk, *, write: bool):
    try:
        return ledger_rows_for_user(user, model, write=write).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_promise_for_user(user: User, item_id, *, write: bool = False) -> PromiseItem:
    return _get(user, PromiseItem, item_id, write=write)


def get_backlog_for_user(user: User, case_id, *, write: bool = False) -> BacklogCase:
    return _get(user, BacklogCase, case_id, write=write)


def get_utility_for_user(user: User, utility_id, *, write: bool = False) -> Utility:
    """Staff side of a utility: publishing a new version of its disclosure."""
    return _get(user, Utility, utility_id, write=write)


def get_public_utility(utility_id) -> Utility:
    try:
        return Utility.objects.select_related("unit").get(pk=int(utility_id))
    except (Utility.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_import_report_for_user(user: User, report_id):
    """A rejected-rows report is for the person whose upload it describes."""
    from civicdesk.ledgers.models import ImportReport

    require_manager(user)
    try:
        return ImportReport.objects.get(pk=int(report_id), created_by=user)
    except (ImportReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_reader(user: User) -> None:
    if not can_use_ledgers(user):
        raise Http404
