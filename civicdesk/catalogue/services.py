"""Changes to the service catalogue and its records; every rule about them lives here."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.catalogue.access import can_edit_items, units_for
from civicdesk.catalogue.models import (
    MAX_VISITS_RECORDED,
    ApplicantType,
    Channel,
    OnlineAvailability,
    ServiceItem,
    ServiceRecord,
    VisitsNeeded,
)

RESERVED_CODES = frozenset({"staff"})


class CatalogueError(Exception):
    """A refused change, with a translated message for the user."""


@transaction.atomic
def service_record_create(
    *,
    actor: User,
    item: ServiceItem,
    unit: Unit,
    channel: str,
    visits: int,
    completed_on_spot: bool,
    applicant_type: str = "",
    recorded_at: dt.datetime | None = None,
) -> ServiceRecord:
    """Record one service case handled by `actor` at `unit`'s window or online."""
    if not units_for(actor).filter(pk=unit.pk).exists():
        raise CatalogueError(_("You cannot record service cases for this window."))
    if not item.is_active:
        raise CatalogueError(_("This service item is no longer offered."))
    if channel not in Channel.values:
        raise CatalogueError(_("Choose whether the case was handled online or at the window."))
    if applicant_type and applicant_type not in ApplicantType.values:
        raise CatalogueError(_("Unknown applicant type."))
    if not 0 <= visits <= MAX_VISITS_RECORDED:
        raise CatalogueError(
            _("Visits must be between 0 and %(max)d.") % {"max": MAX_VISITS_RECORDED}
        )
    if channel == Channel.ONLINE:
        if item.online == OnlineAvailability.NOT_ONLINE:
            raise CatalogueError(_("This service item cannot be handled online."))
        if visits != 0:
            raise CatalogueError(_("A case handled online has 0 visits."))
        if completed_on_spot:
            raise CatalogueError(_("Only a case at the window can be completed on the spot."))
    elif visits < 1:
        raise CatalogueError(_("A case at the window takes at least one visit."))
    now = timezone.now()
    if recorded_at is not None and recorded_at > now:
        raise CatalogueError(_("A service case cannot be recorded in the future."))
    return ServiceRecord.objects.create(
        item=item,
        unit=unit,
        staff=actor,
        channel=channel,
        visits=visits,
        completed_on_spot=completed_on_spot,
        applicant_type=applicant_type,
        recorded_at=recorded_at or now,
    )


@transaction.atomic
def service_item_save(
    *,
    actor: User,
    item: ServiceItem | None,
    code: str,
    name: str,
    name_en: str,
    responsible_unit: Unit | None,
    materials: str,
    legal_days: int,
    promised_days: int,
    online: str,
    max_visits: int,
    is_active: bool,
) -> ServiceItem:
    """Create a catalogue item (item=None) or change one."""
    if not can_edit_items(actor):
        raise CatalogueError(_("You cannot edit the service catalogue."))
    code = code.strip()
    if code in RESERVED_CODES:
        raise CatalogueError(_("This code is reserved; choose another."))
    clash = ServiceItem.objects.filter(code=code)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise CatalogueError(_("Another service item already has this code."))
    if legal_days < 1 or promised_days < 1:
        raise CatalogueError(_("Time limits are at least one working day."))
    if promised_days > legal_days:
        raise CatalogueError(
            _("The promised time limit cannot be longer than the legal time limit.")
        )
    if online not in OnlineAvailability.values or max_visits not in VisitsNeeded.values:
        raise CatalogueError(_("Choose an online availability and the visits needed."))
    if online == OnlineAvailability.FULL and max_visits != VisitsNeeded.NONE:
        raise CatalogueError(_("A fully online item needs no visit."))
    item = item or ServiceItem()
    item.code = code
    item.name = name.strip()
    item.name_en = name_en.strip()
    item.responsible_unit = responsible_unit
    item.materials = "\n".join(line.strip() for line in materials.splitlines() if line.strip())
    item.legal_days = legal_days
    item.promised_days = promised_days
    item.online = online
    item.max_visits = max_visits
    item.is_active = is_active
    item.save()
    return item
