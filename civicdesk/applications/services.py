"""Every change to an application goes through here: checked, atomic, and written into the
application's history (one event per transition). Step changes live in `steps.py`.

Errors are ApplicationError, whose messages are translated and name the field or material
they are about; nothing is saved when one is raised (files included).
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.applications.access import (
    may_act_on_step,
    may_enter_at_window,
    may_request_late,
)
from civicdesk.applications.messages import queue_notice
from civicdesk.applications.models import (
    ActorKind,
    Application,
    ApplicationMaterial,
    MaterialDecision,
    MaterialKind,
    MaterialState,
    MatterVersion,
    Notice,
    NoticeItem,
    StepRun,
    Upload,
    VisitKind,
    phone_key,
)
from civicdesk.applications.recording import (
    NON_FIELD,
    ApplicationError,
    lock,
    record,
    refuse_unless,
    require_step_actor,
)
from civicdesk.applications.workflow import APPLICANT, STAFF, SYSTEM, Action, Status, may
from civicdesk.catalogue.models import ApplicantType, Channel, OnlineAvailability
from civicdesk.commitments.validation import EvidenceError, check_evidence, max_evidence_bytes
from civicdesk.core.credit_code import credit_code_error, normalize_credit_code
from civicdesk.core.deadlines import work_calendar
from civicdesk.core.files import is_disk_full, save_file
from civicdesk.core.tracking import new_tracking_code


@dataclass
class NewApplication:
    applicant_type: str
    applicant_name: str
    contact_phone: str = ""
    contact_email: str = ""
    credit_code: str = ""
    agent_name: str = ""
    agent_phone: str = ""
    language: str = ""
    # Requirement id → uploaded file.
    files: dict[int, object] = field(default_factory=dict)


def _check_applicant(data: NewApplication) -> tuple[dict[str, list[str]], str]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.applicant_type not in ApplicantType.values:
        add("applicant_type", _("Applicant: choose a citizen or an enterprise."))
    name = " ".join(data.applicant_name.split())
    if not name:
        add("applicant_name", _("Applicant: give the name of the person or enterprise."))
    elif len(name) > 120:
        add("applicant_name", _("Applicant: the name is longer than 120 characters."))
    code = normalize_credit_code(data.credit_code)
    if data.applicant_type == ApplicantType.ENTERPRISE:
        problem = credit_code_error(code) if code else "missing"
        texts = {
            "missing": _("Credit code: an enterprise gives its unified social credit code."),
            "length": _("Credit code: it has 18 characters."),
            "characters": _(
                "Credit code: only digits and capital letters except I, O, S, V and Z."
            ),
            "check_digit": _("Credit code: the last character does not match; check for typos."),
        }
        if problem:
            add("credit_code", texts[problem])
    elif code:
        add("credit_code", _("Credit code: only enterprises give a credit code."))
    phone = data.contact_phone.strip()
    email = data.contact_email.strip()
    if not phone and not email:
        add(
            "contact_phone",
            _("Contact: give a mobile phone or an e-mail address for the one-time code."),
        )
    digits = phone_key(phone)
    if phone and not 7 <= len(digits) <= 15:
        add("contact_phone", _("Mobile phone: give 7 to 15 digits."))
    if email and ("@" not in email or len(email) > 254 or " " in email):
        add("contact_email", _("E-mail: this is not an e-mail address."))
    if data.agent_phone.strip() and not 7 <= len(phone_key(data.agent_phone)) <= 15:
        add("agent_phone", _("Agent's phone: give 7 to 15 digits."))
    if data.agent_phone.strip() and not data.agent_name.strip():
        add("agent_name", _("Agent: give the name of the person filing for the applicant."))
    if len(data.agent_name) > 80:
        add("agent_name", _("Agent: the name is longer than 80 characters."))
    return errors, code


def _checked_files(version: MatterVersion, files: dict[int, object]) -> tuple[dict, dict]:
    """(requirement id → CheckedFile, errors by requirement id), every file checked."""
    requirements = {r.pk: r for r in version.materials.all()}
    checked, errors = {}, {}
    limit = max_evidence_bytes()
    for requirement_id, upload in files.items():
        requirement = requirements.get(requirement_id)
        if requirement is None:
            errors[NON_FIELD] = [_("A file was sent for a material that is not on the checklist.")]
            continue
        label = requirement.name
        if getattr(upload, "size", 0) > limit:
            errors[str(requirement_id)] = [
                _("%(material)s: the file is larger than %(limit)s.")
                % {"material": label, "limit": filesizeformat(limit)}
            ]
            continue
        try:
            checked[requirement_id] = check_evidence(
                upload.read(), getattr(upload, "name", "") or "file"
            )
        except EvidenceError as error:
            errors[str(requirement_id)] = [
                _("%(material)s: %(problem)s") % {"material": label, "problem": str(error)}
            ]
    return checked, errors


def _store(material: ApplicationMaterial, checked, name: str, actor: User | None, stored: list):
    upload = Upload(
        material=material,
        original_name=(name or "file")[:200],
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    try:
        stored.append(
            save_file(upload.file, f"material.{checked.extension}", ContentFile(checked.content))
        )
    except OSError as error:
        if not is_disk_full(error):
            raise
        raise ApplicationError(
            _(
                "The files could not be stored: the server has no storage space left. Nothing "
                "was saved; please try again later."
            )
        ) from None
    upload.save()
    return upload


def _remove(stored: list, storage) -> None:
    for name in stored:
        storage.delete(name)


# --- Submission ----------------------------------------------------------------------------


def application_submit(
    *,
    version: MatterVersion,
    data: NewApplication,
    actor: User | None = None,
    at=None,
) -> Application:
    """An application made online (actor None) or typed in at the window by `actor`, with its
    files. All of it is checked before anything is stored; a refusal saves nothing."""
    if version.status != "active" or not version.item.is_active:
        raise ApplicationError(
            _(
                "Version %(number)d of “%(matter)s” was withdrawn; apply under the version "
                "now in force."
            )
            % {"number": version.number, "matter": version.item.name}
        )
    first_step = version.first_step
    if actor is None and version.item.online == OnlineAvailability.NOT_ONLINE:
        raise ApplicationError(_("This matter cannot be applied for online; apply at the window."))
    if actor is not None and not may_enter_at_window(actor, first_step):
        raise ApplicationError(
            _("Only the acceptance window of this matter types in its applications.")
        )
    errors, credit_code = _check_applicant(data)
    checked, file_errors = _checked_files(version, data.files)
    errors.update(file_errors)
    if errors:
        raise ApplicationError(errors)
    stored: list[str] = []
    storage = Upload._meta.get_field("file").storage
    try:
        with transaction.atomic():
            return _create(version, data, credit_code, checked, actor, stored, at)
    except BaseException:
        _remove(stored, storage)
        raise


def _create(version, data, credit_code, checked, actor, stored, at) -> Application:
    now = at or timezone.now()
    first_step = version.first_step
    name = " ".join(data.applicant_name.split())
    common = {
        "version": version,
        "item": version.item,
        "channel": Channel.WINDOW if actor else Channel.ONLINE,
        "applicant_type": data.applicant_type,
        "applicant_name": name,
        "credit_code": credit_code,
        "applicant_key": credit_code or name,
        "contact_phone": data.contact_phone.strip(),
        "contact_email": data.contact_email.strip(),
        "phone_key": phone_key(data.contact_phone),
        "agent_name": data.agent_name.strip(),
        "agent_phone": data.agent_phone.strip(),
        "agent_key": phone_key(data.agent_phone),
        "language": data.language[:10],
        "window": first_step.unit if actor else None,
        "entered_by": actor,
        "status": Status.SUBMITTED,
        "step": first_step,
        "submitted_at": now,
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    tracking_code=new_tracking_code(), **common
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 30**9 codes
        raise ApplicationError(_("No free tracking code was found; please try again."))
    names = {pk: getattr(f, "name", "") for pk, f in data.files.items()}
    for requirement in version.materials.all():
        material = ApplicationMaterial.objects.create(
            application=application,
            requirement=requirement,
            state=MaterialState.PROVIDED if requirement.pk in checked else MaterialState.ABSENT,
        )
        if requirement.pk in checked:
            _store(material, checked[requirement.pk], names[requirement.pk], actor, stored)
    StepRun.objects.create(application=application, step=first_step, arrived_at=now)
    record(
        application,
        Action.SUBMIT,
        actor=actor,
        actor_kind=ActorKind.STAFF if actor else ActorKind.APPLICANT,
        data={"channel": application.channel, "files": len(checked)},
        at=now,
    )
    if actor is not None:
        from civicdesk.applications.visits import visit_record

        visit_record(
            application=application, actor=actor, kind=VisitKind.WINDOW, at=now, check=False
        )
    return application


# --- Materials -----------------------------------------------------------------------------


def _resume_if_complete(application: Application, now) -> None:
    """Once every requested material is in, the application goes back to where it was asked
    from, and the time it waited is the applicant's, not the office's."""
    if application.status != Status.WAITING:
        return
    if application.materials.filter(state=MaterialState.REQUESTED).exists():
        return
    waited = max(0, int((now - application.waiting_since).total_seconds()))
    run = application.step_runs.open().first()
    if run is not None:
        StepRun.objects.filter(pk=run.pk).update(
            applicant_wait_seconds=run.applicant_wait_seconds + waited
        )
    application.applicant_wait_seconds += waited
    before = application.status
    if application.accepted_at is not None:
        calendar = work_calendar()
        days = calendar.working_days_between(
            timezone.localdate(application.waiting_since), timezone.localdate(now)
        )
        if days > 0:
            application.suspended_days += days
            application.due_at = calendar.add_working_days(
                timezone.localtime(application.due_at), days
            )
        application.status = Status.IN_PROGRESS
    else:
        application.status = Status.SUBMITTED
    refuse_unless(may(Action.RESUME, before, SYSTEM), application, Action.RESUME)
    application.waiting_since = None
    application.save()
    record(
        application,
        Action.RESUME,
        actor_kind=ActorKind.SYSTEM,
        from_status=before,
        data={"waited_seconds": waited},
        at=now,
    )


def material_supply(
    *, application: Application, material: ApplicationMaterial, upload, actor: User | None = None
) -> Upload:
    """The applicant (actor None), or staff at the window for them, hands a material in."""
    if not may(Action.SUPPLY, application.status, APPLICANT):
        raise ApplicationError(
            _("The application is %(status)s; no more materials are taken.")
            % {"status": application.get_status_display()}
        )
    name = material.requirement.name
    limit = max_evidence_bytes()
    if getattr(upload, "size", 0) > limit:
        raise ApplicationError(
            {
                str(material.requirement_id): [
                    _("%(material)s: the file is larger than %(limit)s.")
                    % {"material": name, "limit": filesizeformat(limit)}
                ]
            }
        )
    try:
        checked = check_evidence(upload.read(), getattr(upload, "name", "") or "file")
    except EvidenceError as error:
        raise ApplicationError(
            {
                str(material.requirement_id): [
                    _("%(material)s: %(problem)s") % {"material": name, "problem": str(error)}
                ]
            }
        ) from None
    stored: list[str] = []
    storage = Upload._meta.get_field("file").storage
    try:
        with transaction.atomic():
            application = lock(application)
            material = ApplicationMaterial.objects.select_for_update().get(pk=material.pk)
            if material.application_id != application.pk:
                raise ApplicationError(_("This material belongs to another application."))
            if material.state not in {
                MaterialState.ABSENT,
                MaterialState.REQUESTED,
                MaterialState.DEFERRED,
            }:
                raise ApplicationError(
                    {
                        str(material.requirement_id): [
                            _("%(material)s is %(state)s; it is not asked for.")
                            % {"material": name, "state": material.get_state_display()}
                        ]
                    }
                )
            stored_upload = _store(material, checked, getattr(upload, "name", ""), actor, stored)
            material.state = MaterialState.PROVIDED
            material.save(update_fields=["state"])
            now = timezone.now()
            record(
                application,
                Action.SUPPLY,
                actor=actor,
                actor_kind=ActorKind.STAFF if actor else ActorKind.APPLICANT,
                note=name,
                at=now,
            )
            _resume_if_complete(application, now)
            return stored_upload
    except BaseException:
        _remove(stored, storage)
        raise


@transaction.atomic
def material_check(
    *,
    application: Application,
    material: ApplicationMaterial,
    actor: User,
    accept: bool,
    problem: str = "",
) -> ApplicationMaterial:
    """Staff at the current step accept a handed-in material, or refuse it saying what is
    wrong (it then goes on the next notice)."""
    application = lock(application)
    refuse_unless(may(Action.CHECK, application.status, STAFF), application, Action.CHECK)
    material = (
        ApplicationMaterial.objects.select_for_update()
        .select_related("requirement")
        .get(pk=material.pk, application=application)
    )
    # A material that follows after acceptance (容缺) is checked by the window that accepted
    # it, wherever the application is by then; anything else by the current step's staff.
    follows = application.accepted_at is not None and material.follow_up_due is not None
    if not (follows and may_act_on_step(actor, application.version.first_step)):
        require_step_actor(actor, application)
    name = material.requirement.name
    if material.state not in {MaterialState.PROVIDED, MaterialState.ACCEPTED}:
        raise ApplicationError(
            _("%(material)s was not handed in; there is nothing to check.") % {"material": name}
        )
    problem = " ".join(problem.split())
    if not accept and not problem:
        raise ApplicationError(
            {"problem": [_("%(material)s: say what is wrong with it.") % {"material": name}]}
        )
    if len(problem) > 300:
        raise ApplicationError({"problem": [_("What is wrong: at most 300 characters.")]})
    material.state = MaterialState.ACCEPTED if accept else MaterialState.ABSENT
    material.problem = "" if accept else problem
    material.save(update_fields=["state", "problem"])
    MaterialDecision.objects.create(
        material=material,
        application=application,
        name=name,
        unit=application.step.unit,
        actor=actor,
        decision=MaterialDecision.ACCEPTED if accept else MaterialDecision.REFUSED,
        reason=problem,
    )
    record(
        application,
        Action.CHECK,
        actor=actor,
        note=f"{name}: {problem}" if problem else name,
        data={"material": name, "accepted": accept},
    )
    return material


@transaction.atomic
def notice_send(*, application: Application, actor: User, reason: str = "") -> Notice:
    """一次性告知: ask for everything that is missing, at once. After the first notice, a
    notice needs a reason; asking for a material that was not on the first list needs a
    supervisor, and counts against the step's unit."""
    application = lock(application)
    refuse_unless(may(Action.NOTICE, application.status, STAFF), application, Action.NOTICE)
    materials = list(application.materials.select_for_update().select_related("requirement"))
    unchecked = [m.requirement.name for m in materials if m.state == MaterialState.PROVIDED]
    if unchecked:
        raise ApplicationError(
            _("Check every handed-in material first, so that the notice is complete: %(names)s.")
            % {"names": "、".join(unchecked)}
        )
    missing = [
        m
        for m in materials
        if m.state == MaterialState.ABSENT and m.requirement.kind == MaterialKind.REQUIRED
    ]
    if not missing:
        raise ApplicationError(
            _("No required material is missing; there is nothing to ask the applicant for.")
        )
    first = application.notice_count == 0
    late = [m for m in missing if not first and not m.on_first_notice]
    reason = reason.strip()
    if not first and not reason:
        raise ApplicationError(
            {
                "reason": [
                    _(
                        "Reason: the applicant was already told once what is missing; say why "
                        "they are asked again."
                    )
                ]
            }
        )
    if late:
        if not may_request_late(actor):
            raise ApplicationError(
                _(
                    "%(names)s was not on the first notice. Only a supervisor may ask for it "
                    "now, giving the reason; it counts against the unit."
                )
                % {"names": "、".join(m.requirement.name for m in late)}
            )
    else:
        require_step_actor(actor, application)
    now = timezone.now()
    notice = Notice.objects.create(
        application=application,
        number=application.notice_count + 1,
        step=application.step,
        unit=application.step.unit,
        actor=actor,
        reason=reason,
        late_items=len(late),
        created_at=now,
    )
    for material in missing:
        on_first = first or material.on_first_notice
        NoticeItem.objects.create(
            notice=notice, material=material, problem=material.problem, on_first_notice=on_first
        )
        material.state = MaterialState.REQUESTED
        material.on_first_notice = on_first
        material.save(update_fields=["state", "on_first_notice"])
    before = application.status
    application.status = Status.WAITING
    application.waiting_since = now
    application.notice_count += 1
    application.late_requests += len(late)
    application.save()
    record(
        application,
        Action.NOTICE,
        actor=actor,
        from_status=before,
        note=reason,
        data={
            "notice": notice.number,
            "materials": [m.requirement.name for m in missing],
            "late": [m.requirement.name for m in late],
        },
        at=now,
    )
    queue_notice(notice)
    return notice
