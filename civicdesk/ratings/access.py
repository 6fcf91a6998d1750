"""The one way views reach windows, invitations and ratings: what a user may not see is a 404."""

from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Role, Unit, UnitKind, User

# TokenThrottled is what the views catch; it is raised by the shared helper.
from civicdesk.core.tokens import TokenThrottled as TokenThrottled
from civicdesk.core.tokens import find_by_token
from civicdesk.ratings.models import Rating, RatingInvitation

# Units that face the public and can be rated.
RATED_KINDS = (UnitKind.WINDOW, UnitKind.ENTERPRISE_DESK)
_DISTRICT_WIDE = frozenset({Role.CLERK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
_ISSUERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.ADMIN})


def _reaches(user: User, unit: Unit) -> bool:
    return user.unit is not None and unit.path.startswith(user.unit.path)


def may_see_ratings(user: User) -> bool:
    return user.is_authenticated and user.has_role(*_DISTRICT_WIDE, Role.HANDLER)


def may_decide_appeals(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.SUPERVISOR, Role.ADMIN)


def may_issue(user: User, window: Unit) -> bool:
    """Staff of the window or a unit above it, plus clerks, supervisors and administrators."""
    if not user.is_authenticated or not user.has_role(*_ISSUERS):
        return False
    return user.role != Role.HANDLER or _reaches(user, window)


def may_appeal(user: User, rating: Rating) -> bool:
    """The window's unit (its handlers, or those of a unit above it) appeals its own ratings."""
    return user.has_role(Role.HANDLER, Role.ADMIN) and (
        user.role == Role.ADMIN or _reaches(user, rating.window)
    )


def windows_visible_to(user: User):
    units = Unit.objects.active().filter(kind__in=RATED_KINDS)
    if not may_see_ratings(user):
        return units.none()
    if user.role in _DISTRICT_WIDE:
        return units
    if user.unit is None:
        return units.none()
    return units.subtree_of(user.unit)


def ratings_visible_to(user: User):
    ratings = Rating.objects.select_related("window", "staff", "case", "invitation")
    if not may_see_ratings(user):
        return ratings.none()
    if user.role in _DISTRICT_WIDE:
        return ratings
    if user.unit is None:
        return ratings.none()
    return ratings.for_unit_subtree(user.unit)


def get_window_for_user(user: User, code: str) -> Unit:
    window = windows_visible_to(user).filter(code=code).first()
    if window is None:
        raise Http404("No such window")
    return window


def get_invitation_for_user(user: User, pk: int | str) -> RatingInvitation:
    try:
        invitation = RatingInvitation.objects.select_related("window", "staff").get(pk=int(pk))
    except (RatingInvitation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invitation") from None
    if not may_issue(user, invitation.window):
        raise Http404("No such invitation")
    return invitation


def get_rating_for_user(user: User, pk: int | str) -> Rating:
    try:
        return ratings_visible_to(user).get(pk=int(pk))
    except (Rating.DoesNotExist, ValueError, TypeError):
        raise Http404("No such rating") from None


# The public: the token itself is the secret that grants access. Wrong tokens are counted per
# client in the budget shared by every token link (civicdesk.core.tokens): past it, every
# rating link from that client is refused, right or wrong, while other clients rate as usual.


def get_invitation_for_token(token: str, *, request: HttpRequest | None = None) -> RatingInvitation:
    return find_by_token(
        request,
        lambda: (
            RatingInvitation.objects.select_related("window", "staff").filter(token=token).first()
            if token and len(token) <= 64
            else None
        ),
        what="No such invitation",
    )


def get_rating_for_rerate_token(token: str, *, request: HttpRequest | None = None) -> Rating:
    return find_by_token(
        request,
        lambda: (
            Rating.objects.select_related("window", "staff", "case", "invitation")
            .filter(rerate_token=token)
            .first()
            if token and len(token) <= 64
            else None
        ),
        what="No such rating",
    )


def get_public_window(code: str, staff_id: int | None = None) -> tuple[Unit, User | None]:
    """A window (and optionally one of its staff) for the walk-in QR code."""
    window = Unit.objects.active().filter(kind__in=RATED_KINDS, code=code).first()
    if window is None:
        raise Http404("No such window")
    staff = None
    if staff_id is not None:
        staff = (
            User.objects.filter(pk=staff_id, is_active=True, unit__path__startswith=window.path)
            .exclude(role="")
            .first()
        )
        if staff is None:
            raise Http404("No such staff member")
    return window, staff
