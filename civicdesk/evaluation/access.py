"""Who may see what in evaluation; every staff view goes through `staff_view` with these.

The reporter reaches a follow-up by the token of its link only; wrong tokens count in the
budget shared by every token link (civicdesk.core.tokens)."""

from django.http import Http404, HttpRequest

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Case
from civicdesk.core.tokens import find_by_token
from civicdesk.evaluation.models import FollowUp, Praise, ReturnVisit, SamplingRule, VisitScript

# Clerks read the table too; nothing on it changes data.
TABLE_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.CLERK)
CALL_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.HANDLER, Role.ADMIN)


def can_read_table(user: User) -> bool:
    return user.has_role(*TABLE_ROLES)


def can_read_own_unit(user: User) -> bool:
    return user.has_role(Role.HANDLER) and user.unit_id is not None


def can_read_monthly(user: User) -> bool:
    """The monthly report: table readers for every unit, handlers for their own unit."""
    return can_read_table(user) or can_read_own_unit(user)


def can_record_calls(user: User) -> bool:
    return user.has_role(*CALL_ROLES)


def cases_for_calls(user: User):
    """Cases on which this user may record a return call: handlers only their unit's."""
    return Case.objects.visible_to(user) if can_record_calls(user) else Case.objects.none()


def get_followup_for_token(token: str, *, request: HttpRequest) -> FollowUp:
    """Http404 for a wrong token, TokenThrottled once this client sent too many of them."""
    return find_by_token(
        request,
        lambda: (
            FollowUp.objects.select_related("case").filter(token=token).first()
            if token and len(token) <= 64
            else None
        ),
        what="No such follow-up",
    )


# --- Return visits and praise --------------------------------------------------------------

# The call centre works the queue; leaders read it. Handlers never see it: the visits judge
# their unit's answers.
VISIT_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
VISIT_READ_ROLES = (*VISIT_ROLES, Role.LEADER)
VISIT_RULE_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_read_visits(user: User) -> bool:
    return user.has_role(*VISIT_READ_ROLES)


def can_work_visits(user: User) -> bool:
    return user.has_role(*VISIT_ROLES)


def can_edit_visit_rules(user: User) -> bool:
    """Sampling rules and scripts: supervisors and administrators; the queue's readers read."""
    return user.has_role(*VISIT_RULE_ROLES)


def visits_visible_to(user: User):
    return ReturnVisit.objects.all() if can_read_visits(user) else ReturnVisit.objects.none()


def get_visit_for_user(user: User, visit_id: int | str):
    """A return visit the user may see, else Http404."""
    try:
        return (
            visits_visible_to(user)
            .select_related(
                "case", "case__submission", "case__category", "case__unit", "rule", "visited_by"
            )
            .get(pk=int(visit_id))
        )
    except (ReturnVisit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such return visit") from None


def get_rule_for_user(user: User, rule_id: int | str):
    """A sampling rule the user may read (the queue's readers), else Http404."""
    if not can_read_visits(user):
        raise Http404
    try:
        return SamplingRule.objects.get(pk=int(rule_id))
    except (SamplingRule.DoesNotExist, ValueError, TypeError):
        raise Http404("No such rule") from None


def get_script_for_user(user: User, script_id: int | str):
    """A return-visit script the user may read (the queue's readers), else Http404."""
    if not can_read_visits(user):
        raise Http404
    try:
        return VisitScript.objects.select_related("category").get(pk=int(script_id))
    except (VisitScript.DoesNotExist, ValueError, TypeError):
        raise Http404("No such script") from None


def can_record_praise(user: User) -> bool:
    """Praise comes in by phone, letter or banner: the call centre and supervisors record it."""
    return user.has_role(*VISIT_ROLES)


def praise_visible_to(user: User):
    """Supervisors, leaders, administrators and clerks see all praise; handlers their own
    unit's (and below); nobody else any."""
    if user.has_role(*VISIT_READ_ROLES):
        return Praise.objects.all()
    if can_read_own_unit(user):
        return Praise.objects.for_unit_subtree(user.unit)
    return Praise.objects.none()


def can_read_praise(user: User) -> bool:
    return user.has_role(*VISIT_READ_ROLES) or can_read_own_unit(user)
