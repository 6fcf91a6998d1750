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
        _response, cases = response_create(
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
    if cases:
        codes = "、".join(case.tracking_code for case in cases)
        messages.success(
            request,
            _(
                "Thank you. Your answers were received, and your opinions were passed on to be "
                "handled; follow them with the tracking codes %(codes)s."
            )
            % {"codes": codes},
        )
    else:
        messages.success(request, _("Thank you. Your answers were received."))
    return redirect("questionnaires:thanks", questionnaire.slug)


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = access.get_public_questionnaire(slug)
    return render(request, "questionnaires/thanks.html", {"questionnaire": questionnaire})
