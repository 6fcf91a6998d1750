"""Staff pages that build questionnaires: settings, sections, questions, versions, status."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.core.access import staff_view
from civicdesk.core.htmx import is_htmx
from civicdesk.questionnaires import access, services
from civicdesk.questionnaires.forms import (
    AnswerForm,
    MoveForm,
    QuestionForm,
    QuestionnaireForm,
    SectionForm,
)
from civicdesk.questionnaires.models import (
    Outcome,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)
from civicdesk.questionnaires.responses import version_questions

reader_view = staff_view(access.may_read)
builder_view = staff_view(access.may_build)


def _shown_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The draft being edited if there is one, else the version people answer."""
    return questionnaire.draft_version() or questionnaire.latest_version()


def _structure(version: QuestionnaireVersion) -> list[tuple[Section, list[Question]]]:
    questions = version.ordered_questions()
    by_section: dict[int, list[Question]] = {}
    for question in questions:
        by_section.setdefault(question.section_id, []).append(question)
    return [(section, by_section.get(section.pk, [])) for section in version.sections.all()]


def _builder_context(request: HttpRequest, questionnaire: Questionnaire) -> dict:
    version = _shown_version(questionnaire)
    can_build = access.may_build(request.user)
    return {
        "questionnaire": questionnaire,
        "version": version,
        "structure": _structure(version),
        "editable": can_build and not version.is_frozen,
        "can_build": can_build,
        "problems": services.publish_problems(questionnaire, version)
        if not version.is_frozen
        else [],
        "public_url": request.build_absolute_uri(
            reverse("questionnaires:answer", args=[questionnaire.slug])
        ),
        "versions": questionnaire.versions.order_by("-number"),
        "to_confirm": questionnaire.responses.filter(answers__outcome=Outcome.TO_CONFIRM)
        .distinct()
        .count(),
        "events": questionnaire.events.select_related("actor", "version").order_by("-created_at")[
            :20
        ],
    }


def _back(questionnaire: Questionnaire) -> HttpResponse:
    return redirect("questionnaires:detail", questionnaire.pk)


def _get_section(questionnaire: Questionnaire, section_id) -> Section:
    section = (
        Section.objects.select_related("version")
        .filter(pk=section_id, version__questionnaire=questionnaire)
        .first()
    )
    if section is None:
        raise Http404
    return section


def _get_question(questionnaire: Questionnaire, question_id) -> Question:
    question = (
        Question.objects.select_related("version", "section")
        .prefetch_related("options")
        .filter(pk=question_id, version__questionnaire=questionnaire)
        .first()
    )
    if question is None:
        raise Http404
    return question


@require_GET
@reader_view
def index(request: HttpRequest) -> HttpResponse:
    questionnaires = access.questionnaires_for_user(request.user)
    return render(
        request,
        "questionnaires/index.html",
        {"questionnaires": questionnaires, "can_build": access.may_build(request.user)},
    )


@require_http_methods(["GET", "POST"])
@builder_view
def create(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.questionnaire_create(**form.cleaned_data, actor=request.user)
        except services.QuestionnaireError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The questionnaire was created; now add its questions."))
            return _back(questionnaire)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "questionnaires/settings.html",
        {"form": form, "questionnaire": None},
        status=status,
    )


@require_GET
@reader_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk)
    return render(request, "questionnaires/detail.html", _builder_context(request, questionnaire))


@require_http_methods(["GET", "POST"])
@builder_view
def edit_settings(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    initial = {name: getattr(questionnaire, name) for name in services.SETTINGS_FIELDS}
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if questionnaire.current_version_id is not None:
        form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_update(
                questionnaire=questionnaire, actor=request.user, **form.cleaned_data
            )
        except services.QuestionnaireError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The settings were saved."))
            return _back(questionnaire)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "questionnaires/settings.html",
        {"form": form, "questionnaire": questionnaire},
        status=status,
    )


def _action(request: HttpRequest, pk: int, run, done: str) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    try:
        run(questionnaire=questionnaire, actor=request.user)
    except services.QuestionnaireError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(questionnaire)


@require_POST
@builder_view
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        services.version_draft,
        _(
            "A new draft version was started; people keep answering the published "
            "one until you publish the draft."
        ),
    )


@require_POST
@builder_view
def discard_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, services.version_discard, _("The draft version was discarded."))


@require_POST
@builder_view
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request, pk, services.questionnaire_publish, _("The questionnaire was published.")
    )


@require_POST
@builder_view
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        services.questionnaire_close,
        _("The questionnaire was closed; it takes no more answers on the web."),
    )


@require_POST
@builder_view
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request, pk, services.questionnaire_reopen, _("The questionnaire takes answers again.")
    )


@require_GET
@reader_view
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk)
    version = _shown_version(questionnaire)
    form = AnswerForm(questions=version_questions(version))
    return render(
        request,
        "questionnaires/answer.html",
        {"questionnaire": questionnaire, "version": version, "form": form, "preview": True},
    )


# --- sections -------------------------------------------------------------------------------


@require_POST
@builder_view
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_save(
                version=_shown_version(questionnaire), actor=request.user, **form.cleaned_data
            )
        except services.QuestionnaireError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The section was added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back(questionnaire)


@require_http_methods(["GET", "POST"])
@builder_view
def section_edit(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    section = _get_section(questionnaire, section_id)
    form = SectionForm(
        request.POST or None, initial={"title": section.title, "description": section.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.section_save(
                version=section.version, section=section, actor=request.user, **form.cleaned_data
            )
        except services.QuestionnaireError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The section was saved."))
            return _back(questionnaire)
    return render(
        request,
        "questionnaires/section.html",
        {"form": form, "questionnaire": questionnaire, "section": section},
        status=400 if form.is_bound else 200,
    )


@require_POST
@builder_view
def section_delete(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    section = _get_section(questionnaire, section_id)
    try:
        services.section_delete(section=section, actor=request.user)
    except services.QuestionnaireError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The section was deleted."))
    return _back(questionnaire)


def _moved(request: HttpRequest, questionnaire: Questionnaire, move, item) -> HttpResponse:
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            move(item, form.cleaned_data["direction"])
        except services.QuestionnaireError as error:
            messages.error(request, str(error))
    if is_htmx(request):
        return render(
            request, "questionnaires/_structure.html", _builder_context(request, questionnaire)
        )
    return _back(questionnaire)


@require_POST
@builder_view
def section_move(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    section = _get_section(questionnaire, section_id)
    return _moved(
        request,
        questionnaire,
        lambda s, d: services.section_move(section=s, direction=d, actor=request.user),
        section,
    )


# --- questions ------------------------------------------------------------------------------


def _question_page(request, questionnaire, form, question=None, status=200) -> HttpResponse:
    return render(
        request,
        "questionnaires/question.html",
        {"form": form, "questionnaire": questionnaire, "question": question},
        status=status,
    )


def _save_question(request, questionnaire, form, question=None) -> HttpResponse | None:
    data = dict(form.cleaned_data)
    section = data.pop("section")
    try:
        services.question_save(section=section, question=question, actor=request.user, **data)
    except services.QuestionnaireError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, _("The question was saved."))
    return _back(questionnaire)


@require_http_methods(["GET", "POST"])
@builder_view
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    version = questionnaire.draft_version()
    if version is None:
        messages.error(request, _("Start a new version to add questions."))
        return _back(questionnaire)
    initial = {"section": request.GET.get("section"), "scale_min": 1, "scale_max": 5}
    form = QuestionForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _save_question(request, questionnaire, form)
        if done:
            return done
    return _question_page(request, questionnaire, form, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@builder_view
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    question = _get_question(questionnaire, question_id)
    form = QuestionForm(
        request.POST or None, version=question.version, initial=QuestionForm.initial_for(question)
    )
    if request.method == "POST" and form.is_valid():
        done = _save_question(request, questionnaire, form, question)
        if done:
            return done
    status = 400 if form.is_bound else 200
    return _question_page(request, questionnaire, form, question, status=status)


@require_POST
@builder_view
def question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    question = _get_question(questionnaire, question_id)
    try:
        services.question_delete(question=question, actor=request.user)
    except services.QuestionnaireError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The question was deleted."))
    return _back(questionnaire)


@require_POST
@builder_view
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, pk, write=True)
    question = _get_question(questionnaire, question_id)
    return _moved(
        request,
        questionnaire,
        lambda q, d: services.question_move(question=q, direction=d, actor=request.user),
        question,
    )
