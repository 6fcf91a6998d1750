"""Visits: each time the applicant comes in person for an application (at the window, seen by
staff, or scanned at the kiosk). The count is the number of days with an appearance, kept on
the application and in the figures of the day it finished."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.applications import figures
from civicdesk.applications.access import may_record_visit
from civicdesk.applications.models import Application, Visit, VisitKind
from civicdesk.applications.recording import ApplicationError, lock, record, refuse_unless
from civicdesk.applications.workflow import STAFF, Action, may


def visit_record(
    *,
    application: Application,
    actor: User,
    kind: str,
    note: str = "",
    at=None,
    check: bool = True,
) -> Visit:
    """The applicant came in person. Two appearances on one day are one trip: the count is
    the number of days with an appearance."""
    if kind not in VisitKind.values:
        raise ApplicationError({"kind": [_("Visit: choose window, staff or kiosk.")]})
    if check and not may_record_visit(actor):
        raise ApplicationError(_("Your role does not record visits."))
    with transaction.atomic():
        application = lock(application)
        refuse_unless(may(Action.VISIT, application.status, STAFF), application, Action.VISIT)
        now = at or timezone.now()
        day = timezone.localdate(now)
        first_that_day = not application.visits.filter(day=day).exists()
        visit = Visit.objects.create(
            application=application,
            kind=kind,
            unit=actor.unit,
            staff=actor,
            day=day,
            note=note.strip()[:200],
            created_at=now,
        )
        if first_that_day:
            before = application.visit_count
            application.visit_count += 1
            application.save(update_fields=["visit_count"])
            figures.visits_changed(application, before)
        record(
            application,
            Action.VISIT,
            actor=actor,
            note=visit.get_kind_display(),
            data={"kind": kind, "counted": first_that_day},
            at=now,
        )
        return visit
