"""Staff confirm what the reading of written answers could not place: open a case for a
response's answers, or confirm that they need none (questionnaires.concerns)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.core.access import staff_view
from civicdesk.questionnaires import access
from civicdesk.questionnaires.concerns import (
    response_no_case,
    response_open_case,
    responses_to_confirm,
)
from civicdesk.questionnaires.models import Outcome, QuestionKind
from civicdesk.questionnaires.services import QuestionnaireError

reader_view = staff_view(access.may_read)
builder_view = staff_view(access.may_build)


@require_GET
@reader_view
def to_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk)
    responses = responses_to_confirm(questionnaire)
    answers = {
        response.pk: [
            answer
            for answer in response.answers.select_related("question").order_by(
                "question__section__position", "question__position", "id"
            )
            if answer.question.kind == QuestionKind.TEXT and answer.outcome
        ]
        for response in responses
    }
    context = {
        "questionnaire": questionnaire,
        "rows": [(response, answers[response.pk]) for response in responses],
        "can_build": access.may_build(request.user),
        "TO_CONFIRM": Outcome.TO_CONFIRM,
    }
    return render(request, "questionnaires/to_confirm.html", context)


def _decide(request: HttpRequest, pk: int, response_id: int, decide) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    response = get_object_or_404(questionnaire.responses, pk=response_id)
    try:
        message = decide(response)
    except QuestionnaireError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect("questionnaires:to_confirm", questionnaire.pk)


@require_POST
@builder_view
def open_case(request: HttpRequest, pk: int, response_id: int) -> HttpResponse:
    def decide(response) -> str:
        case = response_open_case(response=response, actor=request.user)
        return _("A case was opened: %(code)s.") % {"code": case.tracking_code}

    return _decide(request, pk, response_id, decide)


@require_POST
@builder_view
def no_case(request: HttpRequest, pk: int, response_id: int) -> HttpResponse:
    def decide(response) -> str:
        response_no_case(response=response, actor=request.user)
        return _("Recorded: these answers need no case.")

    return _decide(request, pk, response_id, decide)
