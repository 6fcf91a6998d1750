"""What every change to an application shares: the refusal it raises, the row lock it takes,
and the event it writes into the application's history."""

from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.applications.access import may_act_on_step
from civicdesk.applications.models import ActorKind, Application, ApplicationEvent
from civicdesk.applications.workflow import Action

NON_FIELD = ""


class ApplicationError(Exception):
    """A refused change. `errors` maps a field (or a material's requirement id, or "" for the
    whole) to translated messages; str() joins them."""

    def __init__(self, errors: str | dict[str, list[str]]) -> None:
        self.errors = {NON_FIELD: [errors]} if isinstance(errors, str) else errors
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))


def lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("version", "item", "step", "step__unit")
        .get(pk=application.pk)
    )


def record(
    application: Application,
    action: str,
    *,
    actor: User | None = None,
    actor_kind: str = ActorKind.STAFF,
    from_status: str = "",
    note: str = "",
    data: dict | None = None,
    at=None,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status if from_status else "",
        step=application.step,
        actor=actor,
        actor_kind=actor_kind,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )


def refuse_unless(allowed: bool, application: Application, action: str) -> None:
    if not allowed:
        raise ApplicationError(
            _("“%(action)s” is not possible now: the application is %(status)s.")
            % {"action": Action(action).label, "status": application.get_status_display()}
        )


def require_step_actor(actor: User, application: Application) -> None:
    if not may_act_on_step(actor, application.step):
        step = application.step
        raise ApplicationError(
            _("The step “%(step)s” is worked on by the role %(role)s at %(unit)s.")
            % {"role": step.get_role_display(), "unit": step.unit.name, "step": step.label}
            if step
            else _("This application is at no step.")
        )
