"""The one way to reach a confidential report. Anything not allowed is a 404, never a 403.

- Inaction and misconduct reports: supervisors and administrators only.
- Black-intermediary reports: discipline inspectors only (administrators do not see them).
- Conflict of interest: a supervisor or inspector never sees a report against their own unit
  or a unit below it, unless their unit is the district itself (the root of the tree).
- The whistle-blower reaches their own report with the secret follow-up code; failed
  look-ups are counted per client and, past the limit, every look-up from that client is
  refused (429) for the rest of the window, so a hit cannot be told apart from a miss.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Unit, User
from civicdesk.core.ratelimit import LimitReached, guarded_lookup
from civicdesk.reports.codes import followup_digest
from civicdesk.reports.models import ImportRejection, Report
from civicdesk.reports.workflow import Ledger, may_handle


def reports_visible_to(user: User, ledger: str) -> QuerySet[Report]:
    """The reports of a ledger this user may see; a 404 for anyone outside its audience."""
    if not (user.is_authenticated and user.is_active and may_handle(user.role, ledger)):
        raise Http404("No such page")
    reports = Report.objects.filter(ledger=ledger)
    unit = user.unit
    if unit is not None and unit.parent_id is not None:
        reports = reports.exclude(reported_unit__in=Unit.objects.subtree_of(unit))
    return reports


def get_report_for_user(user: User, ledger: str, report_id: int | str) -> Report:
    reports = reports_visible_to(user, ledger)
    try:
        return reports.select_related("reported_unit", "filed_by").get(pk=int(report_id))
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def get_rejection_for_user(user: User, ledger: str, rejection_id: int | str) -> ImportRejection:
    """A rejected-rows workbook is for the person who uploaded the file, and only while they
    may see the ledger it was meant for."""
    reports_visible_to(user, ledger)
    try:
        return ImportRejection.objects.get(pk=int(rejection_id), ledger=ledger, created_by=user)
    except (ImportRejection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None


class FollowUpThrottled(LimitReached):
    """Too many failed follow-up look-ups from one client."""


def _report_with_code(raw_code: str) -> Report | None:
    digest = followup_digest(raw_code or "")
    if not digest:
        return None
    return Report.objects.filter(ledger=Ledger.INTERMEDIARY, followup_digest=digest).first()


def get_report_for_followup_code(raw_code: str, *, request: HttpRequest) -> Report:
    """The whistle-blower's own report; failed look-ups are counted per client by the
    shared guarded look-up (core.ratelimit), and past the limit every look-up is refused."""
    try:
        report = guarded_lookup(
            request,
            "report-followup-miss",
            settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT,
            lambda: _report_with_code(raw_code),
        )
    except LimitReached as reached:
        raise FollowUpThrottled(reached.retry_after) from None
    if report is None:
        raise Http404("No such report")
    return report
