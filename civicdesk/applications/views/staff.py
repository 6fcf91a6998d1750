"""Staff pages of the hall: the list of applications, typing one in at the window, an
application's page with its step actions, its files, and the kiosk that counts visits."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.applications import services, steps, visits
from civicdesk.applications.access import (
    applications_visible_to,
    get_application_for_user,
    get_upload_for_user,
    hall_staff_view,
    may_act_on_step,
    may_enter_at_window,
    may_record_visit,
    may_request_late,
)
from civicdesk.applications.forms import (
    ApplyForm,
    CheckForm,
    KioskForm,
    ListFilterForm,
    NoteForm,
    ReasonForm,
    StaffSupplyForm,
    VisitForm,
)
from civicdesk.applications.models import (
    UPLOADABLE_STATES,
    Application,
    ApplicationMaterial,
    MaterialState,
    MatterVersion,
    StepKind,
    VisitKind,
)
from civicdesk.applications.services import ApplicationError
from civicdesk.applications.workflow import Action, Status, staff_actions
from civicdesk.core.downloads import upload_response
from civicdesk.core.paging import CappedPaginator

PAGE_SIZE = 30


@require_GET
@hall_staff_view
def application_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    applications = applications_visible_to(request.user).select_related(
        "item", "step", "step__unit", "holder"
    )
    late_follow_up = ApplicationMaterial.objects.follow_up_overdue().filter(
        application=OuterRef("pk")
    )
    applications = applications.annotate(follow_up_late=Exists(late_follow_up))
    if form.is_valid():
        data = form.cleaned_data
        if data["matter"]:
            applications = applications.filter(item__code=data["matter"])
        if data["status"] in Status.values:
            applications = applications.filter(status=data["status"])
        if data["mine"]:
            applications = applications.filter(holder=request.user)
        if data["overdue"]:
            applications = applications.overdue()
        if data["follow_up"]:
            applications = applications.follow_up_overdue()
    page = CappedPaginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    versions = MatterVersion.objects.active().select_related("item").order_by("item__code")
    return render(
        request,
        "applications/staff_list.html",
        {
            "page": page,
            "form": form,
            "statuses": Status.choices,
            "matters": [version.item for version in versions],
            "enterable": [v for v in versions if may_enter_at_window(request.user, v.first_step)],
        },
    )


@require_http_methods(["GET", "POST"])
@hall_staff_view
def application_new(request: HttpRequest) -> HttpResponse:
    """Type in an application handed in at the window (which is the applicant's visit)."""
    code = request.POST.get("matter") or request.GET.get("matter", "")
    version = MatterVersion.objects.active().select_related("item").filter(item__code=code).first()
    if version is None or not may_enter_at_window(request.user, version.first_step):
        raise Http404
    form = ApplyForm(request.POST or None, request.FILES or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                version=version,
                data=form.new_application(get_language() or ""),
                actor=request.user,
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Application %(code)s was entered; give the applicant its tracking code.")
                % {"code": application.tracking_code},
            )
            return redirect("applications:staff_detail", pk=application.pk)
    return render(
        request,
        "applications/staff_new.html",
        {"form": form, "version": version, "item": version.item},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, application: Application, **extra) -> dict:
    user = request.user
    acts = may_act_on_step(user, application.step)
    actions = staff_actions(application.status) if acts else []
    step = application.step
    if step is not None and step.kind == StepKind.ACCEPT:
        actions = [a for a in actions if a not in {Action.COMPLETE, Action.ISSUE}]
    elif Action.ACCEPT in actions:
        actions.remove(Action.ACCEPT)
    if step is not None and step.kind == StepKind.ISSUE:
        actions = [a for a in actions if a != Action.COMPLETE]
    elif Action.ISSUE in actions:
        actions.remove(Action.ISSUE)
    if application.holder_id == user.pk and Action.TAKE in actions:
        actions.remove(Action.TAKE)
    late = (
        may_request_late(user)
        and application.notice_count > 0
        and application.status in {Status.SUBMITTED, Status.IN_PROGRESS}
    )
    return {
        "application": application,
        "materials": application.materials.select_related("requirement").prefetch_related(
            "uploads"
        ),
        "notices": application.notices.prefetch_related(
            "items__material__requirement"
        ).select_related("actor", "unit", "step"),
        "runs": application.step_runs.select_related(
            "step", "step__unit", "holder", "completed_by"
        ),
        "visits": application.visits.select_related("staff", "unit"),
        "events": application.events.select_related("actor", "step"),
        "actions": actions,
        "can_check": acts and Action.CHECK in staff_actions(application.status),
        "can_late_notice": late,
        "can_visit": may_record_visit(user),
        "uploadable": UPLOADABLE_STATES,
        "checkable": {MaterialState.PROVIDED, MaterialState.ACCEPTED},
        "check_form": CheckForm(),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
        "visit_form": VisitForm(),
        "supply_form": StaffSupplyForm(),
        **extra,
    }


@require_GET
@hall_staff_view
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk)
    return render(request, "applications/staff_detail.html", _detail_context(request, application))


def _material(application: Application, raw) -> object:
    try:
        return application.materials.select_related("requirement").get(pk=int(raw))
    except (ValueError, TypeError, application.materials.model.DoesNotExist):
        raise ApplicationError(_("Choose a material of this application.")) from None


def _run_action(request: HttpRequest, application: Application, action: str) -> str:
    """Do the action; return the success message (ApplicationError when refused)."""
    user, post = request.user, request.POST
    if action == "check":
        form = CheckForm(post)
        if not form.is_valid():
            raise ApplicationError(_("Choose whether the material is accepted or refused."))
        material = _material(application, form.cleaned_data["material"])
        accept = form.cleaned_data["decision"] == "accept"
        services.material_check(
            application=application,
            material=material,
            actor=user,
            accept=accept,
            problem=form.cleaned_data["problem"],
        )
        return (_("%(material)s accepted.") if accept else _("%(material)s refused.")) % {
            "material": material.requirement.name
        }
    if action == "notice":
        form = ReasonForm(post)
        form.is_valid()
        notice = services.notice_send(
            application=application, actor=user, reason=form.cleaned_data.get("reason", "")
        )
        return _("The notice listing %(count)d missing materials was sent.") % {
            "count": notice.items.count()
        }
    if action == "accept":
        form = NoteForm(post)
        form.is_valid()
        steps.application_accept(
            application=application, actor=user, note=form.cleaned_data.get("note", "")
        )
        return _("The application was accepted.")
    if action == "take":
        steps.step_take(application=application, actor=user)
        return _("You have taken the application up.")
    if action == "complete":
        form = NoteForm(post)
        form.is_valid()
        application = steps.step_complete(
            application=application, actor=user, note=form.cleaned_data.get("note", "")
        )
        if application.status == Status.ISSUED:
            return _("The application was issued.")
        return _("The step was completed.")
    if action == "refuse":
        form = ReasonForm(post)
        form.is_valid()
        steps.application_refuse(
            application=application, actor=user, reason=form.cleaned_data.get("reason", "")
        )
        return _("The application was refused.")
    if action == "visit":
        form = VisitForm(post)
        if not form.is_valid():
            raise ApplicationError(_("Visit: choose window, staff or kiosk."))
        visits.visit_record(
            application=application,
            actor=user,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
        return _("The visit was recorded.")
    if action == "supply":
        form = StaffSupplyForm(post, request.FILES)
        if not form.is_valid():
            raise ApplicationError(_("Choose the file to hand in."))
        material = _material(application, form.cleaned_data["material"])
        services.material_supply(
            application=application, material=material, upload=form.cleaned_data["file"], actor=user
        )
        return _("%(material)s was handed in.") % {"material": material.requirement.name}
    raise Http404


@require_POST
@hall_staff_view
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_application_for_user(request.user, pk)
    if action == "rating":
        try:
            invitation = steps.rating_link(application=application, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect("applications:staff_detail", pk=application.pk)
        return redirect("ratings:invitation", pk=invitation.pk)
    try:
        message = _run_action(request, application, action)
    except ApplicationError as error:
        application.refresh_from_db()
        context = _detail_context(request, application, error=str(error), failed_action=action)
        return render(request, "applications/staff_detail.html", context, status=400)
    messages.success(request, message)
    return redirect("applications:staff_detail", pk=application.pk)


@require_GET
@hall_staff_view
def upload_file(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_upload_for_user(request.user, pk)
    extension = upload.file.name.rsplit(".", 1)[-1]
    return upload_response(
        upload.file.open("rb"),
        content_type=upload.content_type,
        filename=f"material-{upload.pk}.{extension}",
    )


@require_http_methods(["GET", "POST"])
@hall_staff_view
def kiosk(request: HttpRequest) -> HttpResponse:
    """The hall's kiosk: scanning an application's QR code (or typing its tracking code)
    records that the applicant is here in person."""
    if not may_record_visit(request.user):
        raise Http404
    form = KioskForm(request.POST or request.GET or None)
    application = None
    if form.is_bound and form.is_valid():
        application = (
            applications_visible_to(request.user)
            .select_related("item", "step")
            .filter(tracking_code=form.cleaned_data["code"])
            .first()
        )
        if application is None:
            form.add_error("code", _("No application you may see has this tracking code."))
    if request.method == "POST" and application is not None:
        try:
            visits.visit_record(application=application, actor=request.user, kind=VisitKind.KIOSK)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Visit recorded for %(code)s (%(count)d so far).")
                % {
                    "code": application.tracking_code,
                    "count": application.visits.values("day").distinct().count(),
                },
            )
            return redirect(f"{reverse('applications:kiosk')}")
    status = 400 if form.errors else 200
    return render(
        request,
        "applications/kiosk.html",
        {"form": form, "application": application},
        status=status,
    )
