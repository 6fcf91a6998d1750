"""The one way views reach applications: what a user may not see is a 404.

- Staff: district-wide roles (intake clerks, supervisors, leaders, administrators) see every
  application; a handler sees the applications whose matter has a step at their unit or a unit
  below it, and those handed in at such a window. Discipline inspectors see none here: they
  read the integrity signals (civicdesk.integrity), where each view is logged.
- A step is worked on by staff of the step's role at the step's unit or a unit above it.
- A supervisor alone asks for a material that was not on the first notice.
- The applicant holds the tracking code and proves it with a one-time code sent to the
  contact they left; the session then opens that application (and only it) for a while.
"""

import time

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.applications.models import Application, ProcessStep, Upload
from civicdesk.core.access import staff_view
from civicdesk.core.ratelimit import LimitReached, guarded_lookup
from civicdesk.core.tracking import normalize_tracking_code

SESSION_KEY = "hall_access"
ACCESS_SECONDS = 2 * 3600
_WRITERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.ADMIN})


def may_use_hall(user: User) -> bool:
    """Staff pages of the hall: every staff role but discipline inspectors."""
    return user.is_authenticated and user.is_staff_member and user.role != Role.DISCIPLINE


def applications_visible_to(user: User):
    applications = Application.objects.all()
    if not may_use_hall(user):
        return applications.none()
    if user.sees_all_cases:
        return applications
    if user.unit is None:
        return applications.none()
    subtree = Unit.objects.subtree_of(user.unit)
    versions = ProcessStep.objects.filter(unit__in=subtree).values("version")
    return applications.filter(Q(version__in=versions) | Q(window__in=subtree))


def get_application_for_user(user: User, pk: int | str) -> Application:
    try:
        return (
            applications_visible_to(user)
            .select_related("item", "version", "step", "step__unit", "holder", "window")
            .get(pk=int(pk))
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application") from None


def get_upload_for_user(user: User, pk: int | str) -> Upload:
    try:
        upload = Upload.objects.select_related("material").get(pk=int(pk))
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None
    get_application_for_user(user, upload.material.application_id)
    return upload


def may_act_on_step(user: User, step: ProcessStep | None) -> bool:
    """Staff of the step's role, at the step's unit or a unit above it."""
    return (
        step is not None
        and user.is_authenticated
        and user.is_staff_member
        and user.role == step.role
        and user.unit is not None
        and step.unit.path.startswith(user.unit.path)
    )


def may_request_late(user: User) -> bool:
    """Asking for a material that was not on the first notice needs a supervisor."""
    return user.is_authenticated and user.has_role(Role.SUPERVISOR)


def may_record_visit(user: User) -> bool:
    return may_use_hall(user) and user.role in _WRITERS


def may_enter_at_window(user: User, step: ProcessStep | None) -> bool:
    """Typing in an application handed in at the window is the acceptance step's work."""
    return may_act_on_step(user, step)


hall_staff_view = staff_view(may_use_hall)


# The applicant.


def grant_applicant(request: HttpRequest, application: Application) -> None:
    """Open this application to the session for ACCESS_SECONDS."""
    granted = dict(request.session.get(SESSION_KEY, {}))
    now = time.time()
    granted = {code: until for code, until in granted.items() if until > now}
    granted[application.tracking_code] = now + ACCESS_SECONDS
    request.session[SESSION_KEY] = granted


def applicant_may_open(request: HttpRequest, application: Application) -> bool:
    until = request.session.get(SESSION_KEY, {}).get(application.tracking_code)
    return until is not None and until > time.time()


class LookupThrottled(LimitReached):
    """Too many wrong tracking codes from this client (shared with the cases' look-ups)."""


def get_application_for_code(raw_code: str, *, request: HttpRequest | None) -> Application:
    """The applicant's look-up by tracking code: misses count in the same per-client budget
    as the cases' tracking codes, and past it every look-up is refused alike."""

    def find() -> Application | None:
        code = normalize_tracking_code(raw_code)
        if code is None:
            return None
        return (
            Application.objects.select_related("item", "version", "step")
            .filter(tracking_code=code)
            .first()
        )

    try:
        application = guarded_lookup(
            request, "lookup-miss", settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT, find
        )
    except LimitReached as reached:
        raise LookupThrottled(reached.retry_after) from None
    if application is None:
        raise Http404("No such application")
    return application
