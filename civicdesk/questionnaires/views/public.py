"""The public page that answers a questionnaire: anonymous unless the questionnaire says so,
rate-limited like the other public forms, and one response per enterprise where configured."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.core.ratelimit import over_limit
from civicdesk.questionnaires import access
from civicdesk.questionnaires.forms import AnswerForm
from civicdesk.questionnaires.models import Questionnaire, Response, ResponseChannel, Status
from civicdesk.questionnaires.responses import ResponseRejected, response_create, version_questions


def _page(request, questionnaire: Questionnaire, form: AnswerForm, status: int = 200):
    context = {
        "questionnaire": questionnaire,
        "version": questionnaire.current_version,
        "form": form,
        "preview": False,
    }
    return render(request, "questionnaires/answer.html", context, status=status)


def _already_received(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse:
    messages.info(request, _("Your answers were already received. Thank you."))
    return redirect("questionnaires:thanks", questionnaire.slug)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = access.get_public_questionnaire(slug)
    if questionnaire.status == Status.CLOSED:
        return render(
            request, "questionnaires/closed.html", {"questionnaire": questionnaire}, status=410
        )
    if questionnaire.login_required and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    version = questionnaire.current_version
    questions = version_questions(version)
    if request.method == "GET":
        return _page(request, questionnaire, AnswerForm(questions=questions))

    form = AnswerForm(request.POST, questions=questions)
    token = form.fields["form_token"].clean(request.POST.get("form_token") or None)
    if token and Response.objects.filter(form_token=token).exists():
        return _already_received(request, questionnaire)
    if over_limit(request, "questionnaire", settings.CIVICDESK_SUBMISSION_RATE_LIMIT):
        form.is_valid()
        form.add_error(
            None, _("Too many answers were sent from your connection. Please try again later.")
        )
        return _page(request, questionnaire, form, status=429)
    if not form.is_valid():
        return _page(request, questionnaire, form, status=400)
    try:
        _response, passed = response_create(
            version=version,
            answers=form.answers(),
            channel=ResponseChannel.WEB,
            contact_name=form.cleaned_data["contact_name"],
            contact_phone=form.cleaned_data["contact_phone"],
            respondent=request.user,
            form_token=token,
            language=get_language() or "",
            questions=questions,
        )
    except ResponseRejected as rejected:
        if any(problem.part == "form_token" for problem in rejected.problems):
            return _already_received(request, questionnaire)
        for problem in rejected.problems:
            form.add_error(None, problem.message)
        return _page(request, questionnaire, form, status=400)
    if passed.followup_codes:
        # An allegation of collusion with black intermediaries was filed confidentially: its
        # follow-up code is shown on this page only (no redirect: it must not sit in a
        # message cookie), and never stored.
        return _thanks_page(request, questionnaire, passed, status=201)
    _thank(request, passed)
    return redirect("questionnaires:thanks", questionnaire.slug)


def _thank(request: HttpRequest, passed) -> None:
    if passed.case is not None:
        messages.success(
            request,
            _(
                "Thank you. Your answers were received, and the concerns you raised were passed "
                "on to be handled; follow them with the tracking code %(code)s."
            )
            % {"code": passed.case.tracking_code},
        )
    else:
        messages.success(request, _("Thank you. Your answers were received."))
    if passed.reports:
        messages.info(
            request,
            _(
                "What you wrote about misconduct of officials was passed on as a confidential "
                "report, not as a public case."
            ),
        )


def _thanks_page(request: HttpRequest, questionnaire, passed, status: int = 200) -> HttpResponse:
    _thank(request, passed)
    response = render(
        request,
        "questionnaires/thanks.html",
        {"questionnaire": questionnaire, "followup_codes": passed.followup_codes},
        status=status,
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = access.get_public_questionnaire(slug)
    return render(request, "questionnaires/thanks.html", {"questionnaire": questionnaire})
