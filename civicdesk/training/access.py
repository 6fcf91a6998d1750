"""Who may see and record training: every staff member (discipline inspectors aside) reads the
activities and records their own reading; supervisors and administrators organise (sessions,
assignments, contests, attendance, scores, imports). Hours: the table readers see every unit
and person, handlers their own unit and below, everyone their own."""

from django.http import Http404

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.training.models import Contest, Session, StudyAssignment

ORGANISER_ROLES = (Role.SUPERVISOR, Role.ADMIN)
ALL_HOURS_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.CLERK)


def can_use_training(user: User) -> bool:
    return user.is_staff_member and user.role != Role.DISCIPLINE


def can_organise(user: User) -> bool:
    return user.has_role(*ORGANISER_ROLES)


def hour_units_for(user: User):
    """Units whose hours (and people) the user may see."""
    if user.has_role(*ALL_HOURS_ROLES):
        return Unit.objects.all()
    if can_use_training(user) and user.unit_id is not None:
        return Unit.objects.subtree_of(user.unit)
    return Unit.objects.none()


def get_hour_unit_for_user(user: User, code: str) -> Unit:
    unit = hour_units_for(user).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit")
    return unit


def _get(model, user: User, pk):
    if not can_use_training(user):
        raise Http404
    try:
        return model.objects.select_related("unit").get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_session_for_user(user: User, pk) -> Session:
    return _get(Session, user, pk)


def get_assignment_for_user(user: User, pk) -> StudyAssignment:
    return _get(StudyAssignment, user, pk)


def get_contest_for_user(user: User, pk) -> Contest:
    return _get(Contest, user, pk)


def staff_choices():
    """The people attendance and scores may name: active staff."""
    return User.objects.filter(is_active=True).exclude(role="").select_related("unit")
