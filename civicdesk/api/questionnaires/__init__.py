"""Questionnaires, as on the staff pages: build them (settings, sections, questions with their
options, versions), publish and close them, read the results, export every response, and
import paper forms typed into a workbook.

Who may do what is the pages' rule (questionnaires.access): clerks, supervisors and
administrators build and import; leaders read; other roles get a 403 here (the pages answer
404). A section or question of another questionnaire is 404. Every change is the app's
service, which refuses changes to a published version (409: start a new version first).
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    READ_ERRORS,
    XLSX,
    ImportErrorOut,
    Page,
    file_download,
    forbid_unless,
    import_errors,
    person,
    reads,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.questionnaires.schemas import (
    CaseOpenedOut,
    Direction,
    MoveIn,
    NoCaseOut,
    PaperImportOut,
    QuestionIn,
    QuestionnaireActionIn,
    QuestionnaireDetailOut,
    QuestionnaireIn,
    QuestionnaireOut,
    ResponseToConfirmOut,
    ResultsOut,
    SectionIn,
)
from civicdesk.questionnaires import access, services
from civicdesk.questionnaires.concerns import (
    response_no_case,
    response_open_case,
    responses_to_confirm,
)
from civicdesk.questionnaires.models import (
    Outcome,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)
from civicdesk.questionnaires.models import (
    Status as QuestionnaireStatus,
)
from civicdesk.questionnaires.paper import MAX_UPLOAD_BYTES, paper_import, template_workbook
from civicdesk.questionnaires.results import responses_workbook, version_results

router = Router(tags=["questionnaires"], auth=staff_token)

# --- Output --------------------------------------------------------------------------------


def _public_url(questionnaire: Questionnaire) -> str:
    return reverse("questionnaires:answer", args=[questionnaire.slug])


def questionnaire_out(questionnaire: Questionnaire) -> dict:
    current = questionnaire.current_version
    return {
        "id": questionnaire.pk,
        "slug": questionnaire.slug,
        "title": questionnaire.title,
        "description": questionnaire.description,
        "audience": questionnaire.audience,
        "status": questionnaire.status,
        "one_response_per_enterprise": questionnaire.one_response_per_enterprise,
        "login_required": questionnaire.login_required,
        "low_score_threshold": questionnaire.low_score_threshold,
        "current_version": current.number if current else None,
        "public_url": _public_url(questionnaire),
        "created_by": person(questionnaire.created_by),
        "created_at": questionnaire.created_at,
    }


def question_out(question: Question) -> dict:
    return {
        "id": question.pk,
        "section": question.section_id,
        "code": question.code,
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "options": [{"id": o.pk, "label": o.label} for o in question.options.all()],
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "scale_min_label": question.scale_min_label,
        "scale_max_label": question.scale_max_label,
    }


def _version_out(version: QuestionnaireVersion) -> dict:
    return {
        "number": version.number,
        "published_at": version.published_at,
        "published_by": person(version.published_by),
        "created_at": version.created_at,
    }


def _shown_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    # As the builder page: the draft being edited if there is one, else the latest version.
    return questionnaire.draft_version() or questionnaire.latest_version()


def _detail(questionnaire_id: int, user: User) -> dict:
    questionnaire = (
        Questionnaire.objects.select_related("current_version", "created_by")
        .filter(pk=questionnaire_id)
        .get()
    )
    version = _shown_version(questionnaire)
    by_section: dict[int, list[dict]] = {}
    for question in version.ordered_questions():
        by_section.setdefault(question.section_id, []).append(question_out(question))
    can_build = access.may_build(user)
    events = questionnaire.events.select_related("actor", "version").order_by("-created_at", "-id")
    return questionnaire_out(questionnaire) | {
        "version": _version_out(version),
        "editable": can_build and not version.is_frozen,
        "can_build": can_build,
        "publish_problems": []
        if version.is_frozen
        else [str(p) for p in services.publish_problems(questionnaire, version)],
        "sections": [
            {
                "id": section.pk,
                "title": section.title,
                "description": section.description,
                "position": section.position,
                "questions": by_section.get(section.pk, []),
            }
            for section in version.sections.all()
        ],
        "versions": [
            _version_out(v) for v in questionnaire.versions.select_related("published_by")
        ][::-1],
        "events": [
            {
                "action": event.action,
                "label": event.get_action_display(),
                "version": event.version.number if event.version else None,
                "actor": person(event.actor),
                "created_at": event.created_at,
            }
            for event in events[:20]
        ],
    }


# --- Helpers -------------------------------------------------------------------------------


def _reader(user: User) -> None:
    forbid_unless(access.may_read(user))


def _readable(user: User, questionnaire_id: int) -> Questionnaire:
    _reader(user)
    return access.get_questionnaire_for_user(user, questionnaire_id)


def _buildable(user: User, questionnaire_id: int) -> Questionnaire:
    """Found first (404), then the role (403), then the write check of the access helper."""
    questionnaire = _readable(user, questionnaire_id)
    forbid_unless(access.may_build(user))
    return access.get_questionnaire_for_user(user, questionnaire.pk, write=True)


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except services.QuestionnaireError as error:
        raise ApiError(409, str(error)) from None


def _section(questionnaire: Questionnaire, section_id: int) -> Section:
    section = (
        Section.objects.select_related("version")
        .filter(pk=section_id, version__questionnaire=questionnaire)
        .first()
    )
    if section is None:
        raise Http404
    return section


def _question(questionnaire: Questionnaire, question_id: int) -> Question:
    question = (
        Question.objects.select_related("version", "section")
        .filter(pk=question_id, version__questionnaire=questionnaire)
        .first()
    )
    if question is None:
        raise Http404
    return question


def _section_named(questionnaire: Questionnaire, section_id: int) -> Section:
    """The section a body names: one of this questionnaire's, else 422."""
    try:
        return _section(questionnaire, section_id)
    except Http404:
        raise invalid(
            "body", "section", _("This questionnaire has no section %(id)d.") % {"id": section_id}
        ) from None


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- Questionnaires ------------------------------------------------------------------------


@router.get("", response=reads(list[QuestionnaireOut]), summary="Questionnaires, newest first")
@paginate(Page, serialize=questionnaire_out)
def list_questionnaires(request: HttpRequest, status: QuestionnaireStatus | None = None) -> Any:
    _reader(request.auth)
    questionnaires = access.questionnaires_for_user(request.auth).select_related("created_by")
    return questionnaires.filter(status=status) if status else questionnaires


@router.post(
    "",
    response=writes(QuestionnaireDetailOut, 201),
    summary="Create a questionnaire: a first draft version with one section",
)
def create_questionnaire(request: HttpRequest, payload: QuestionnaireIn) -> Status[dict]:
    user: User = request.auth
    _reader(user)
    forbid_unless(access.may_build(user))
    questionnaire = _service(services.questionnaire_create, **payload.dict(), actor=user)
    return Status(201, _detail(questionnaire.pk, user))


@router.get(
    "/{questionnaire_id}",
    response=reads(QuestionnaireDetailOut),
    summary="A questionnaire with its sections and questions, versions and history",
)
def get_questionnaire(request: HttpRequest, questionnaire_id: int) -> dict:
    return _detail(_readable(request.auth, questionnaire_id).pk, request.auth)


@router.put(
    "/{questionnaire_id}",
    response=writes(QuestionnaireDetailOut),
    summary="Change a questionnaire's settings (they apply to every version)",
)
def update_questionnaire(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireIn
) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(
        services.questionnaire_update, questionnaire=questionnaire, actor=user, **payload.dict()
    )
    return _detail(questionnaire.pk, user)


def _act(request: HttpRequest, questionnaire_id: int, call) -> dict:
    user: User = request.auth
    _service(call, questionnaire=_buildable(user, questionnaire_id), actor=user)
    return _detail(questionnaire_id, user)


@router.post(
    "/{questionnaire_id}/new-version",
    response=writes(QuestionnaireDetailOut),
    summary="Start a new draft version, a copy of the latest (the published one stays live)",
)
def start_questionnaire_version(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireActionIn
) -> dict:
    return _act(request, questionnaire_id, services.version_draft)


@router.post(
    "/{questionnaire_id}/discard",
    response=writes(QuestionnaireDetailOut),
    summary="Throw the draft version away (not the first version)",
)
def discard_questionnaire_version(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireActionIn
) -> dict:
    return _act(request, questionnaire_id, services.version_discard)


@router.post(
    "/{questionnaire_id}/publish",
    response=writes(QuestionnaireDetailOut),
    summary="Publish the draft version: freeze it and make it the one people answer",
)
def publish_questionnaire(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireActionIn
) -> dict:
    return _act(request, questionnaire_id, services.questionnaire_publish)


@router.post(
    "/{questionnaire_id}/close",
    response=writes(QuestionnaireDetailOut),
    summary="Stop taking answers on the web (results and paper imports stay)",
)
def close_questionnaire(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireActionIn
) -> dict:
    return _act(request, questionnaire_id, services.questionnaire_close)


@router.post(
    "/{questionnaire_id}/reopen",
    response=writes(QuestionnaireDetailOut),
    summary="Take answers again with the version that was current when it closed",
)
def reopen_questionnaire(
    request: HttpRequest, questionnaire_id: int, payload: QuestionnaireActionIn
) -> dict:
    return _act(request, questionnaire_id, services.questionnaire_reopen)


# --- Sections ------------------------------------------------------------------------------


@router.post(
    "/{questionnaire_id}/sections",
    response=writes(QuestionnaireDetailOut, 201),
    summary="Add a section at the end of the draft version",
)
def add_section(request: HttpRequest, questionnaire_id: int, payload: SectionIn) -> Status[dict]:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(
        services.section_save, version=_shown_version(questionnaire), actor=user, **payload.dict()
    )
    return Status(201, _detail(questionnaire.pk, user))


@router.put(
    "/{questionnaire_id}/sections/{section_id}",
    response=writes(QuestionnaireDetailOut),
    summary="Change a section's title and introduction",
)
def update_section(
    request: HttpRequest, questionnaire_id: int, section_id: int, payload: SectionIn
) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    section = _section(questionnaire, section_id)
    _service(
        services.section_save,
        version=section.version,
        section=section,
        actor=user,
        **payload.dict(),
    )
    return _detail(questionnaire.pk, user)


@router.delete(
    "/{questionnaire_id}/sections/{section_id}",
    response=writes(QuestionnaireDetailOut),
    summary="Delete an empty section",
)
def delete_section(request: HttpRequest, questionnaire_id: int, section_id: int) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(services.section_delete, section=_section(questionnaire, section_id), actor=user)
    return _detail(questionnaire.pk, user)


@router.post(
    "/{questionnaire_id}/sections/{section_id}/move",
    response=writes(QuestionnaireDetailOut),
    summary="Move a section one place up or down",
)
def move_section(
    request: HttpRequest, questionnaire_id: int, section_id: int, payload: MoveIn
) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(
        services.section_move,
        section=_section(questionnaire, section_id),
        direction=-1 if payload.direction == Direction.UP else 1,
        actor=user,
    )
    return _detail(questionnaire.pk, user)


# --- Questions -----------------------------------------------------------------------------


def _save_question(
    user: User, questionnaire: Questionnaire, payload: QuestionIn, question: Question | None
) -> None:
    values = payload.dict()
    section = _section_named(questionnaire, values.pop("section"))
    _service(services.question_save, section=section, question=question, actor=user, **values)


@router.post(
    "/{questionnaire_id}/questions",
    response=writes(QuestionnaireDetailOut, 201),
    summary="Add a question, with its options or scale, at the end of a draft section",
)
def add_question(request: HttpRequest, questionnaire_id: int, payload: QuestionIn) -> Status[dict]:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _save_question(user, questionnaire, payload, None)
    return Status(201, _detail(questionnaire.pk, user))


@router.put(
    "/{questionnaire_id}/questions/{question_id}",
    response=writes(QuestionnaireDetailOut),
    summary="Change a question of the draft version (its options are replaced)",
)
def update_question(
    request: HttpRequest, questionnaire_id: int, question_id: int, payload: QuestionIn
) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _save_question(user, questionnaire, payload, _question(questionnaire, question_id))
    return _detail(questionnaire.pk, user)


@router.delete(
    "/{questionnaire_id}/questions/{question_id}",
    response=writes(QuestionnaireDetailOut),
    summary="Delete a question of the draft version",
)
def delete_question(request: HttpRequest, questionnaire_id: int, question_id: int) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(services.question_delete, question=_question(questionnaire, question_id), actor=user)
    return _detail(questionnaire.pk, user)


@router.post(
    "/{questionnaire_id}/questions/{question_id}/move",
    response=writes(QuestionnaireDetailOut),
    summary="Move a question one place up or down within its section",
)
def move_question(
    request: HttpRequest, questionnaire_id: int, question_id: int, payload: MoveIn
) -> dict:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    _service(
        services.question_move,
        question=_question(questionnaire, question_id),
        direction=-1 if payload.direction == Direction.UP else 1,
        actor=user,
    )
    return _detail(questionnaire.pk, user)


# --- Results, export, paper forms ----------------------------------------------------------


@router.get(
    "/{questionnaire_id}/results",
    response=reads(ResultsOut),
    summary="Results of a published version: counts, percentages, averages, latest texts",
)
def questionnaire_results(
    request: HttpRequest, questionnaire_id: int, version: int | None = None
) -> dict:
    questionnaire = _readable(request.auth, questionnaire_id)
    published = questionnaire.versions.filter(published_at__isnull=False).order_by("-number")
    if version is None:
        chosen = questionnaire.current_version
    else:
        chosen = published.filter(number=version).first()
        if chosen is None:
            raise Http404
    out = {
        "version": chosen.number if chosen else None,
        "published_versions": list(published.values_list("number", flat=True)),
        "n_responses": 0,
        "results": [],
    }
    if chosen is None:
        return out
    out["n_responses"], results = version_results(chosen)
    out["results"] = [
        {
            "question": question_out(result.question),
            "answered": result.answered,
            "rows": [
                {"label": row.label, "count": row.count, "percent": row.percent}
                for row in result.rows
            ],
            "average": result.average,
            "low": result.low,
            "texts": [
                {"response": a.response_id, "text": a.text, "created_at": a.response.created_at}
                for a in result.texts
            ],
            "more_texts": result.more_texts,
        }
        for result in results
    ]
    return out


# --- Written answers staff confirm -------------------------------------------------------------


@router.get(
    "/{questionnaire_id}/to-confirm",
    response=reads(list[ResponseToConfirmOut]),
    summary="Responses whose written answers wait for staff: open a case, or none needed",
)
def responses_waiting_for_staff(request: HttpRequest, questionnaire_id: int) -> list[dict]:
    questionnaire = _readable(request.auth, questionnaire_id)
    return [
        {
            "response_id": response.pk,
            "created_at": response.created_at,
            "channel": response.channel,
            "enterprise_name": response.enterprise_name,
            "answers": [
                {
                    "question_code": answer.question.code,
                    "question": answer.question.text,
                    "text": answer.text,
                    "outcome": answer.outcome,
                }
                for answer in response.answers.select_related("question").filter(
                    outcome__in=[Outcome.TO_CONFIRM, Outcome.PRAISE]
                )
            ],
        }
        for response in responses_to_confirm(questionnaire)
    ]


def _waiting_response(request: HttpRequest, questionnaire_id: int, response_id: int):
    questionnaire = _buildable(request.auth, questionnaire_id)
    response = questionnaire.responses.filter(pk=response_id).first()
    if response is None:
        raise Http404
    return response


@router.post(
    "/{questionnaire_id}/to-confirm/{response_id}/open-case",
    response=writes(CaseOpenedOut),
    summary="Open the response's case for its written answers waiting for staff",
)
def open_case_for_response(
    request: HttpRequest, questionnaire_id: int, response_id: int, payload: QuestionnaireActionIn
) -> dict:
    response = _waiting_response(request, questionnaire_id, response_id)
    case = _service(response_open_case, response=response, actor=request.auth)
    return {"tracking_code": case.tracking_code}


@router.post(
    "/{questionnaire_id}/to-confirm/{response_id}/no-case",
    response=writes(NoCaseOut),
    summary="Record that the response's written answers waiting for staff need no case",
)
def confirm_no_case_for_response(
    request: HttpRequest, questionnaire_id: int, response_id: int, payload: QuestionnaireActionIn
) -> dict:
    response = _waiting_response(request, questionnaire_id, response_id)
    return {"answers": _service(response_no_case, response=response, actor=request.auth)}


@router.get(
    "/{questionnaire_id}/export",
    response=READ_ERRORS,
    openapi_extra=file_download(XLSX, "Every response, one sheet per version answered."),
    summary="Download every response as an XLSX workbook",
)
def export_questionnaire_responses(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _readable(request.auth, questionnaire_id)
    name = f"questionnaire-{questionnaire.slug}-{timezone.localdate().isoformat()}.xlsx"
    return _xlsx(responses_workbook(questionnaire), name)


@router.get(
    "/{questionnaire_id}/paper-template",
    response=READ_ERRORS,
    openapi_extra=file_download(XLSX, "An empty workbook to type paper forms into."),
    summary="Download the workbook to type paper forms of the current version into",
)
def paper_template(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _buildable(request.auth, questionnaire_id)
    version = questionnaire.current_version
    if version is None:
        raise Http404
    name = f"questionnaire-{questionnaire.slug}-v{version.number}-paper.xlsx"
    return _xlsx(template_workbook(questionnaire), name)


@router.post(
    "/{questionnaire_id}/paper",
    response={**writes(PaperImportOut), 422: ImportErrorOut},
    summary="Import paper forms typed into the template: every row, or none",
)
def import_paper_forms(
    request: HttpRequest, questionnaire_id: int, file: File[UploadedFile]
) -> Any:
    user: User = request.auth
    questionnaire = _buildable(user, questionnaire_id)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(
            413,
            _("The workbook is larger than %(limit)s.")
            % {"limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    outcome = paper_import(
        questionnaire=questionnaire, file_name=file.name or "", content=file.read(), actor=user
    )
    if outcome.errors:
        report = outcome.report
        url = reverse("api-v1:paper_import_report", args=[report.pk]) if report else None
        return Status(422, import_errors(outcome.errors, url))
    return {"created": outcome.created, "cases": outcome.cases, "to_confirm": outcome.to_confirm}


@router.get(
    "/import-reports/{report_id}",
    response=READ_ERRORS,
    openapi_extra=file_download(XLSX, "The rejected rows with their errors."),
    summary="Download the rejected rows of a failed paper import (the uploader's own)",
)
def paper_import_report(request: HttpRequest, report_id: int) -> HttpResponse:
    _reader(request.auth)
    forbid_unless(access.may_build(request.auth))
    report = access.get_import_report_for_user(request.auth, report_id)
    return _xlsx(bytes(report.content), report.file_name)
