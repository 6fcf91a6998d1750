"""The applicant's pages, made for a phone: the matters open online, applying, following an
application with its tracking code and a one-time code, handing in what is asked for."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.applications import otp, steps
from civicdesk.applications.access import (
    LookupThrottled,
    applicant_may_open,
    get_application_for_code,
    grant_applicant,
)
from civicdesk.applications.forms import ApplyForm, CodeForm, SupplyForm, TrackForm, WithdrawForm
from civicdesk.applications.messages import masked_contact
from civicdesk.applications.models import (
    UPLOADABLE_STATES,
    Application,
    MatterVersion,
    StepKind,
)
from civicdesk.applications.services import ApplicationError, application_submit, material_supply
from civicdesk.applications.workflow import Status
from civicdesk.catalogue.models import OnlineAvailability
from civicdesk.core.htmx import is_htmx
from civicdesk.core.ratelimit import over_limit, refused_page
from civicdesk.ratings.qr import absolute_url, qr_svg

ONLINE = (OnlineAvailability.APPLICATION, OnlineAvailability.FULL)


def _online_version(code: str) -> MatterVersion:
    version = (
        MatterVersion.objects.active()
        .filter(item__code=code, item__online__in=ONLINE)
        .select_related("item", "item__responsible_unit")
        .first()
    )
    if version is None:
        raise Http404("No such matter online")
    return version


def _too_many_lookups(request: HttpRequest, throttled: LookupThrottled) -> HttpResponse:
    return refused_page(request, "public/too_many_lookups.html", throttled)


def index(request: HttpRequest) -> HttpResponse:
    versions = (
        MatterVersion.objects.active()
        .filter(item__online__in=ONLINE)
        .select_related("item", "item__responsible_unit")
        .order_by("item__code")
    )
    return render(
        request, "applications/index.html", {"versions": versions, "track_form": TrackForm()}
    )


def matter(request: HttpRequest, code: str) -> HttpResponse:
    version = _online_version(code)
    return render(
        request,
        "applications/matter.html",
        {
            "version": version,
            "item": version.item,
            "materials": version.materials.all(),
            "steps": version.steps.select_related("unit"),
        },
    )


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "GET":
        version = _online_version(code)
        return _render_apply(request, version, ApplyForm(version=version))
    # The version the form was made for: if it was withdrawn meanwhile, the service says so.
    version = (
        MatterVersion.objects.filter(pk=request.POST.get("version", "0") or 0, item__code=code)
        .select_related("item")
        .first()
        if (request.POST.get("version") or "").isdigit()
        else None
    )
    if version is None:
        version = _online_version(code)
    form = ApplyForm(request.POST, request.FILES, version=version)
    if over_limit(request, "hall-apply", settings.CIVICDESK_SUBMISSION_RATE_LIMIT):
        form.is_valid()
        form.add_error(None, _("Too many applications were sent from your connection. Try later."))
        return _render_apply(request, version, form, status=429)
    if not form.is_valid():
        return _render_apply(request, version, form, status=400)
    try:
        application = application_submit(
            version=version, data=form.new_application(get_language() or "")
        )
    except ApplicationError as error:
        form.add_service_errors(error)
        return _render_apply(request, version, form, status=400)
    grant_applicant(request, application)
    messages.success(
        request,
        _(
            "Your application was received. Keep the tracking code %(code)s: with it and a "
            "one-time code sent to you, you can follow it from any device."
        )
        % {"code": application.tracking_code},
    )
    return redirect("applications:mine", code=application.tracking_code)


def _render_apply(request, version, form, status: int = 200) -> HttpResponse:
    return render(
        request,
        "applications/apply.html",
        {
            "version": version,
            "item": version.item,
            "form": form,
            "files_lost": bool(request.FILES) and form.is_bound and bool(form.errors),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Enter the tracking code; a one-time code goes to the contact the applicant left."""
    form = TrackForm(request.POST or request.GET or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = get_application_for_code(form.cleaned_data["code"], request=request)
        except LookupThrottled as throttled:
            return _too_many_lookups(request, throttled)
        except Http404:
            form.add_error("code", _("No application has this tracking code."))
        else:
            if applicant_may_open(request, application):
                return redirect("applications:mine", code=application.tracking_code)
            try:
                sent_to = otp.code_request(application, request=request)
            except otp.CodeError as error:
                form.add_error(None, str(error))
            else:
                return render(
                    request,
                    "applications/verify.html",
                    {"code": application.tracking_code, "sent_to": sent_to, "form": CodeForm()},
                )
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/track.html", {"form": form}, status=status)


@require_POST
def verify(request: HttpRequest, code: str) -> HttpResponse:
    try:
        application = get_application_for_code(code, request=request)
    except LookupThrottled as throttled:
        return _too_many_lookups(request, throttled)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            otp.code_verify(application, form.cleaned_data["otp"])
        except otp.CodeError as error:
            form.add_error("otp", str(error))
        else:
            grant_applicant(request, application)
            return redirect("applications:mine", code=application.tracking_code)
    return render(
        request,
        "applications/verify.html",
        {"code": application.tracking_code, "sent_to": masked_contact(application), "form": form},
        status=400,
    )


def _opened(request: HttpRequest, code: str) -> Application | HttpResponse:
    """The application if this session proved the one-time code for it, else where to go."""
    try:
        application = get_application_for_code(code, request=request)
    except LookupThrottled as throttled:
        return _too_many_lookups(request, throttled)
    if application.tracking_code != code or not applicant_may_open(request, application):
        return redirect(f"{reverse('applications:track')}?code={application.tracking_code}")
    return application


def _mine_context(request: HttpRequest, application: Application, **extra) -> dict:
    materials = application.materials.select_related("requirement").prefetch_related("uploads")
    kiosk_url = absolute_url(
        request, f"{reverse('applications:kiosk')}?code={application.tracking_code}"
    )
    notice = (
        application.notices.order_by("-number")
        .prefetch_related("items__material__requirement")
        .first()
    )
    return {
        "application": application,
        "materials": materials,
        "uploadable": UPLOADABLE_STATES,
        "notice": notice,
        "events": application.events.exclude(action__in=["take", "check"]).select_related("step"),
        "kiosk_qr": qr_svg(kiosk_url, scale=4),
        "supply_form": SupplyForm(),
        "withdraw_form": WithdrawForm() if application.is_open else None,
        "may_rate": application.status == Status.ISSUED
        and not application.rating_invitations.filter(created_by__isnull=True).exists(),
        "issue_step": application.version.steps.filter(kind=StepKind.ISSUE).first(),
        **extra,
    }


def mine(request: HttpRequest, code: str) -> HttpResponse:
    application = _opened(request, code)
    if isinstance(application, HttpResponse):
        return application
    response = render(request, "applications/mine.html", _mine_context(request, application))
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def supply(request: HttpRequest, code: str, material_id: int) -> HttpResponse:
    application = _opened(request, code)
    if isinstance(application, HttpResponse):
        return application
    material = application.materials.select_related("requirement").filter(pk=material_id).first()
    if material is None:
        raise Http404
    form = SupplyForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            material_supply(
                application=application, material=material, upload=form.cleaned_data["file"]
            )
        except ApplicationError as refused:
            error = str(refused)
    else:
        error = _("%(material)s: choose a file to hand in.") % {
            "material": material.requirement.name
        }
    application.refresh_from_db()
    if is_htmx(request):
        context = _mine_context(
            request, application, supply_error=error, error_material=material.pk
        )
        return render(
            request, "applications/_materials.html", context, status=400 if error else 200
        )
    if error:
        context = _mine_context(
            request, application, supply_error=error, error_material=material.pk
        )
        return render(request, "applications/mine.html", context, status=400)
    messages.success(
        request,
        _("Thank you: %(material)s was handed in.") % {"material": material.requirement.name},
    )
    return redirect("applications:mine", code=application.tracking_code)


@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    application = _opened(request, code)
    if isinstance(application, HttpResponse):
        return application
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        steps.application_withdraw(
            application=application, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("applications:mine", code=application.tracking_code)


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """百姓评 for an issued application: one link, tied to the matter and the issue step."""
    application = _opened(request, code)
    if isinstance(application, HttpResponse):
        return application
    if application.status != Status.ISSUED:
        messages.error(request, _("You can rate the service once the application is issued."))
        return redirect("applications:mine", code=application.tracking_code)
    invitation = application.rating_invitations.filter(created_by__isnull=True).first()
    if invitation is None:
        try:
            invitation = steps.rating_link(application=application, actor=None)
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect("applications:mine", code=application.tracking_code)
    return redirect("ratings:rate", token=invitation.token)
