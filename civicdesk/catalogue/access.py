"""Who may record service cases, read the staff figures and edit the catalogue.

Every staff view goes through `catalogue_staff_view`; objects are fetched through the
helpers below, which answer 404 for anything the user may not touch.
"""

from django.http import Http404

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.catalogue.models import ServiceItem
from civicdesk.core.access import staff_view

EDITORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def can_record(user: User) -> bool:
    """Any staff member attached to a unit, except discipline inspectors."""
    return (
        user.is_authenticated
        and user.is_staff_member
        and user.unit_id is not None
        and user.role != Role.DISCIPLINE
    )


def can_edit_items(user: User) -> bool:
    return can_record(user) and user.has_role(*EDITORS)


def units_for(user: User):
    """Units whose windows the user may record for and whose figures they may read: the
    whole district for district-wide roles, else their own unit and the units below it."""
    if not can_record(user):
        return Unit.objects.none()
    units = Unit.objects.active()
    return units if user.sees_all_cases else units.subtree_of(user.unit)


def get_public_item(code: str) -> ServiceItem:
    try:
        return ServiceItem.objects.active().select_related("responsible_unit").get(code=code)
    except ServiceItem.DoesNotExist:
        raise Http404 from None


def get_item_for_editor(user: User, code: str) -> ServiceItem:
    if not can_edit_items(user):
        raise Http404
    try:
        return ServiceItem.objects.get(code=code)
    except ServiceItem.DoesNotExist:
        raise Http404 from None


catalogue_staff_view = staff_view(can_record)
