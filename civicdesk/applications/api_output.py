"""What the hall's API operations answer: applications, versions and refusals as JSON."""

from ninja.errors import ValidationError as NinjaValidationError

from civicdesk.accounts.models import User
from civicdesk.api.common import code_name, person
from civicdesk.api.errors import ApiError, field_error
from civicdesk.applications.access import get_application_for_user, may_act_on_step
from civicdesk.applications.models import Application, MatterVersion, StepKind
from civicdesk.applications.recording import NON_FIELD, ApplicationError
from civicdesk.applications.workflow import staff_actions


def material_out(requirement) -> dict:
    return {
        "id": requirement.pk,
        "name": requirement.name,
        "kind": requirement.kind,
        "follow_up_days": requirement.follow_up_days,
        "note": requirement.note,
    }


def step_out(step) -> dict:
    return {
        "position": step.position,
        "kind": step.kind,
        "label": step.label,
        "role": step.role,
        "unit": code_name(step.unit),
        "time_limit_days": step.time_limit_days,
        "online_possible": step.online_possible,
    }


def version_out(version: MatterVersion) -> dict:
    return {
        "id": version.pk,
        "matter": code_name(version.item),
        "number": version.number,
        "status": version.status,
        "time_limit_days": version.time_limit_days,
        "note": version.note,
        "created_at": version.created_at,
        "materials": [material_out(m) for m in version.materials.all()],
        "steps": [step_out(s) for s in version.steps.select_related("unit")],
    }


def lines(application: Application) -> list[dict]:
    return [
        {
            "id": line.pk,
            "name": line.requirement.name,
            "kind": line.requirement.kind,
            "state": line.state,
            "problem": line.problem,
            "follow_up_due": line.follow_up_due,
            "files": line.uploads.count(),
        }
        for line in application.materials.select_related("requirement")
    ]


def notices(application: Application) -> list[dict]:
    return [
        {
            "number": notice.number,
            "created_at": notice.created_at,
            "materials": [i.material.requirement.name for i in notice.items.all()],
            "reason": notice.reason,
            "late_items": notice.late_items,
        }
        for notice in application.notices.prefetch_related("items__material__requirement")
    ]


def timeline(application: Application, *, public: bool) -> list[dict]:
    events = application.events.select_related("step")
    if public:
        events = events.exclude(action__in=["take", "check"])
    return [
        {
            "action": event.action,
            "label": str(event.get_action_display()),
            "step": event.step.label if event.step else None,
            "note": event.note if not public or event.action in {"notice", "refuse"} else "",
            "at": event.created_at,
        }
        for event in events
    ]


def application_out(application: Application) -> dict:
    step = application.step if application.is_open else None
    return {
        "id": application.pk,
        "tracking_code": application.tracking_code,
        "matter": code_name(application.item),
        "version": application.version.number,
        "channel": application.channel,
        "status": application.status,
        "applicant_name": application.applicant_name,
        "applicant_type": application.applicant_type,
        "step": step.label if step else None,
        "step_unit": code_name(step.unit) if step else None,
        "holder": person(application.holder),
        "submitted_at": application.submitted_at,
        "accepted_at": application.accepted_at,
        "due_at": application.due_at,
        "finished_at": application.finished_at,
        "overdue": application.is_overdue,
        "visits": application.visit_count,
        "notices": application.notice_count,
        "late_requests": application.late_requests,
    }


def allowed(user: User, application: Application) -> list[str]:
    if not may_act_on_step(user, application.step):
        return []
    actions = staff_actions(application.status)
    kind = application.step.kind
    if kind != StepKind.ACCEPT:
        actions = [a for a in actions if a != "accept"]
    else:
        actions = [a for a in actions if a not in {"complete", "issue"}]
    if kind == StepKind.ISSUE:
        actions = [a for a in actions if a != "complete"]
    else:
        actions = [a for a in actions if a != "issue"]
    return actions


def detail_out(application: Application, user: User) -> dict:
    application = get_application_for_user(user, application.pk)
    return application_out(application) | {
        "credit_code": application.credit_code,
        "contact_phone": application.contact_phone,
        "contact_email": application.contact_email,
        "agent_name": application.agent_name,
        "agent_phone": application.agent_phone,
        "outcome_note": application.outcome_note,
        "materials": lines(application),
        "notices": notices(application),
        "runs": [
            {
                "step": run.step.label,
                "unit": code_name(run.step.unit),
                "arrived_at": run.arrived_at,
                "taken_at": run.taken_at,
                "holder": person(run.holder),
                "completed_at": run.completed_at,
                "handle_seconds": run.handle_seconds,
                "queue_seconds": run.queue_seconds,
            }
            for run in application.step_runs.select_related("step__unit", "holder")
        ],
        "visit_events": [
            {
                "kind": visit.kind,
                "day": visit.day,
                "staff": person(visit.staff),
                "unit": code_name(visit.unit),
                "at": visit.created_at,
            }
            for visit in application.visits.select_related("staff", "unit")
        ],
        "timeline": timeline(application, public=False),
        "allowed_actions": allowed(user, application),
    }


def applicant_out(application: Application) -> dict:
    return {
        "tracking_code": application.tracking_code,
        "matter": code_name(application.item),
        "version": application.version.number,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "step": application.step.label if application.step and application.is_open else None,
        "due_at": application.due_at,
        "visits": application.visit_count,
        "materials": lines(application),
        "notices": notices(application),
        "timeline": timeline(application, public=True),
    }


def refused(error: ApplicationError, source: str = "body") -> Exception:
    """422 naming the fields for a refusal about fields, else 409 with the message."""
    named = {key: messages for key, messages in error.errors.items() if key != NON_FIELD}
    if named:
        errors = []
        for key, messages in named.items():
            field = f"material_{key}" if key.isdigit() else key
            errors += [field_error(source, field, message) for message in messages]
        errors += [field_error(source, "", m) for m in error.errors.get(NON_FIELD, [])]
        return NinjaValidationError(errors)
    return ApiError(409, str(error))
