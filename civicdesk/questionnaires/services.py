"""Building questionnaires: settings, sections, questions, versions and their status.

Every change goes through here, checked and atomic. Only a draft version's sections and
questions can change; publishing freezes it, and further edits need a new draft version.
"""

import re
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.questionnaires.access import may_build
from civicdesk.questionnaires.models import (
    CHOICE_KINDS,
    SCALE_LIMITS,
    TRANSITIONS,
    Audience,
    EventAction,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireEvent,
    QuestionnaireVersion,
    Section,
    Status,
)

MAX_OPTIONS = 50
SETTINGS_FIELDS = (
    "title",
    "description",
    "audience",
    "one_response_per_enterprise",
    "login_required",
    "low_score_threshold",
    "slug",
)


class QuestionnaireError(Exception):
    """An action that is refused; the message is translated and shown as it is."""


def _check_actor(actor: User) -> None:
    if not may_build(actor):
        raise QuestionnaireError(_("You may not change questionnaires."))


def record_event(
    questionnaire: Questionnaire,
    action: str,
    actor: User | None,
    version: QuestionnaireVersion | None = None,
    **data,
) -> None:
    QuestionnaireEvent.objects.create(
        questionnaire=questionnaire, version=version, action=action, actor=actor, data=data
    )


def _lock(questionnaire: Questionnaire) -> Questionnaire:
    return Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)


def _change_status(questionnaire: Questionnaire, to: str) -> None:
    if to not in TRANSITIONS[questionnaire.status]:
        raise QuestionnaireError(
            _("A questionnaire that is %(status)s cannot become %(to)s.")
            % {"status": Status(questionnaire.status).label, "to": Status(to).label}
        )
    questionnaire.status = to


def _free_slug() -> str:
    while True:
        slug = "q" + secrets.token_hex(4)
        if not Questionnaire.objects.filter(slug=slug).exists():
            return slug


def _check_threshold(low_score_threshold: int) -> None:
    low, high = SCALE_LIMITS
    if not low <= low_score_threshold <= high:
        raise QuestionnaireError(
            _("The low score threshold must be between %(low)d and %(high)d.")
            % {"low": low, "high": high}
        )


# --- questionnaires -------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(
    *,
    title: str,
    actor: User,
    description: str = "",
    audience: str = Audience.ENTERPRISES,
    one_response_per_enterprise: bool = False,
    login_required: bool = False,
    low_score_threshold: int = 2,
    slug: str = "",
) -> Questionnaire:
    """A new questionnaire with its first draft version and one section to put questions in."""
    _check_actor(actor)
    _check_threshold(low_score_threshold)
    slug = slug.strip().lower() or _free_slug()
    if Questionnaire.objects.filter(slug=slug).exists():
        raise QuestionnaireError(_("The address “%(slug)s” is taken.") % {"slug": slug})
    questionnaire = Questionnaire.objects.create(
        slug=slug,
        title=title.strip(),
        description=description.strip(),
        audience=audience,
        one_response_per_enterprise=one_response_per_enterprise,
        login_required=login_required,
        low_score_threshold=low_score_threshold,
        created_by=actor,
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, created_by=actor
    )
    Section.objects.create(version=version, position=0)
    record_event(questionnaire, EventAction.CREATE, actor, version)
    return questionnaire


@transaction.atomic
def questionnaire_update(*, questionnaire: Questionnaire, actor: User, **values) -> Questionnaire:
    """Settings apply to every version and may change at any time, except the address once
    it has been published (printed links and QR codes point at it)."""
    _check_actor(actor)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    questionnaire = _lock(questionnaire)
    if "slug" in values:
        values["slug"] = values["slug"].strip().lower() or questionnaire.slug
        if values["slug"] != questionnaire.slug:
            if questionnaire.current_version_id is not None:
                raise QuestionnaireError(
                    _("The address cannot change once the questionnaire has been published.")
                )
            if Questionnaire.objects.filter(slug=values["slug"]).exists():
                raise QuestionnaireError(
                    _("The address “%(slug)s” is taken.") % {"slug": values["slug"]}
                )
    if "low_score_threshold" in values:
        _check_threshold(values["low_score_threshold"])
    for key in ("title", "description"):
        if key in values:
            values[key] = values[key].strip()
    changes = {}
    for key, value in values.items():
        before = getattr(questionnaire, key)
        if before != value:
            changes[key] = [before, value]
            setattr(questionnaire, key, value)
    if changes:
        questionnaire.save(update_fields=list(changes))
        record_event(questionnaire, EventAction.EDIT, actor, changes=changes)
    return questionnaire


def _draft(questionnaire: Questionnaire) -> QuestionnaireVersion:
    draft = questionnaire.draft_version()
    if draft is None:
        raise QuestionnaireError(
            _("This version is published and cannot change; start a new version to edit it.")
        )
    return draft


def _require_draft(version: QuestionnaireVersion) -> None:
    if version.is_frozen:
        raise QuestionnaireError(
            _("This version is published and cannot change; start a new version to edit it.")
        )


@transaction.atomic
def version_draft(*, questionnaire: Questionnaire, actor: User) -> QuestionnaireVersion:
    """Editing a published questionnaire: a new draft version, a copy of the latest one.
    The published version stays what people answer until the draft is published."""
    _check_actor(actor)
    questionnaire = _lock(questionnaire)
    if questionnaire.draft_version() is not None:
        raise QuestionnaireError(_("There is already a draft version; edit that one."))
    source = questionnaire.latest_version()
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=source.number + 1, created_by=actor
    )
    for section in source.sections.all():
        questions = list(section.questions.prefetch_related("options"))
        copy = Section.objects.create(
            version=version,
            title=section.title,
            description=section.description,
            position=section.position,
        )
        for question in questions:
            options = list(question.options.all())
            question.pk = None
            question.version = version
            question.section = copy
            question.save()
            Option.objects.bulk_create(
                Option(question=question, position=o.position, label=o.label) for o in options
            )
    record_event(questionnaire, EventAction.DRAFT, actor, version, copied_from=source.number)
    return version


@transaction.atomic
def version_discard(*, questionnaire: Questionnaire, actor: User) -> None:
    """Throw a draft away; the published version stays. The first version cannot go."""
    _check_actor(actor)
    questionnaire = _lock(questionnaire)
    draft = _draft(questionnaire)
    if questionnaire.current_version_id is None:
        raise QuestionnaireError(_("The first version cannot be discarded."))
    number = draft.number
    draft.delete()
    record_event(questionnaire, EventAction.DISCARD, actor, number=number)


def publish_problems(questionnaire: Questionnaire, version: QuestionnaireVersion) -> list[str]:
    """What keeps a draft version from being published, in words; empty when it may be."""
    questions = list(version.questions.all())
    problems = []
    if not questions:
        problems.append(_("Add at least one question."))
    identity = [q for q in questions if q.kind == QuestionKind.ENTERPRISE]
    if questionnaire.one_response_per_enterprise and not any(q.required for q in identity):
        problems.append(
            _(
                "One response per enterprise needs a required enterprise identity question, "
                "so that each response names its enterprise."
            )
        )
    return problems


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire, actor: User) -> QuestionnaireVersion:
    """Freeze the draft version and make it the one people answer."""
    _check_actor(actor)
    questionnaire = _lock(questionnaire)
    draft = _draft(questionnaire)
    problems = publish_problems(questionnaire, draft)
    if problems:
        raise QuestionnaireError(" ".join(problems))
    if questionnaire.status != Status.PUBLISHED:
        _change_status(questionnaire, Status.PUBLISHED)
    draft.published_at = timezone.now()
    draft.published_by = actor
    draft.save(update_fields=["published_at", "published_by"])
    questionnaire.current_version = draft
    questionnaire.save(update_fields=["status", "current_version"])
    record_event(questionnaire, EventAction.PUBLISH, actor, draft)
    return draft


@transaction.atomic
def questionnaire_close(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Stop taking answers on the web; results and paper imports stay available."""
    _check_actor(actor)
    questionnaire = _lock(questionnaire)
    _change_status(questionnaire, Status.CLOSED)
    questionnaire.save(update_fields=["status"])
    record_event(questionnaire, EventAction.CLOSE, actor, questionnaire.current_version)
    return questionnaire


@transaction.atomic
def questionnaire_reopen(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Take answers again with the version that was current when it closed."""
    _check_actor(actor)
    questionnaire = _lock(questionnaire)
    if questionnaire.current_version_id is None:
        raise QuestionnaireError(_("This questionnaire was never published."))
    _change_status(questionnaire, Status.PUBLISHED)
    questionnaire.save(update_fields=["status"])
    record_event(
        questionnaire, EventAction.PUBLISH, actor, questionnaire.current_version, reopened=True
    )
    return questionnaire


# --- sections -------------------------------------------------------------------------------


@transaction.atomic
def section_save(
    *,
    version: QuestionnaireVersion,
    actor: User,
    title: str,
    description: str = "",
    section: Section | None = None,
) -> Section:
    _check_actor(actor)
    _require_draft(version)
    if section is None:
        position = (version.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        section = Section(version=version, position=position)
    elif section.version_id != version.pk:
        raise QuestionnaireError(_("That section belongs to another version."))
    section.title = title.strip()
    section.description = description.strip()
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: Section, actor: User) -> None:
    _check_actor(actor)
    _require_draft(section.version)
    if section.questions.exists():
        raise QuestionnaireError(
            _("Move or delete the questions of this section before deleting it.")
        )
    if section.version.sections.count() == 1:
        raise QuestionnaireError(_("A questionnaire keeps at least one section."))
    section.delete()


def _swap(items: list, item, direction: int) -> list:
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + (1 if direction > 0 else -1)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    return items


@transaction.atomic
def section_move(*, section: Section, direction: int, actor: User) -> None:
    _check_actor(actor)
    _require_draft(section.version)
    sections = _swap(list(section.version.sections.order_by("position", "id")), section, direction)
    for position, item in enumerate(sections):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


# --- questions ------------------------------------------------------------------------------


def _next_code(version: QuestionnaireVersion) -> str:
    taken = set(version.questions.values_list("code", flat=True))
    number = len(taken) + 1
    while f"Q{number}" in taken:
        number += 1
    return f"Q{number}"


def _clean_options(kind: str, options: Sequence[str]) -> list[str]:
    if kind not in CHOICE_KINDS:
        return []
    labels = [label.strip() for label in options if label.strip()]
    if len(labels) < 2:
        raise QuestionnaireError(_("A choice question needs at least two options."))
    if len(labels) > MAX_OPTIONS:
        raise QuestionnaireError(
            _("A question has at most %(max)d options.") % {"max": MAX_OPTIONS}
        )
    folded = [label.casefold() for label in labels]
    repeated = sorted(
        {label for label, f in zip(labels, folded, strict=True) if folded.count(f) > 1}
    )
    if repeated:
        raise QuestionnaireError(
            _("Each option must differ from the others; repeated: %(options)s.")
            % {"options": "、".join(repeated)}
        )
    if any(len(label) > 200 for label in labels):
        raise QuestionnaireError(_("An option has at most 200 characters."))
    return labels


def _check_scale(scale_min: int | None, scale_max: int | None) -> None:
    low, high = SCALE_LIMITS
    if scale_min is None or scale_max is None or not low <= scale_min < scale_max <= high:
        raise QuestionnaireError(
            _("A scale runs from a lower to a higher whole number, within %(low)d to %(high)d.")
            % {"low": low, "high": high}
        )


@transaction.atomic
def question_save(
    *,
    section: Section,
    actor: User,
    kind: str,
    text: str,
    required: bool = False,
    help_text: str = "",
    code: str = "",
    options: Sequence[str] = (),
    scale_min: int | None = None,
    scale_max: int | None = None,
    scale_min_label: str = "",
    scale_max_label: str = "",
    question: Question | None = None,
) -> Question:
    """Add a question at the end of its section, or change one (it may move to another
    section of the same version, at that section's end)."""
    _check_actor(actor)
    version = section.version
    _require_draft(version)
    if question is not None and question.version_id != version.pk:
        raise QuestionnaireError(_("That question belongs to another version."))
    if kind not in QuestionKind.values:
        raise QuestionnaireError(_("Choose a kind of question from the list."))
    text = text.strip()
    if not text:
        raise QuestionnaireError(_("Write the question."))
    labels = _clean_options(kind, options)
    if kind == QuestionKind.SCALE:
        _check_scale(scale_min, scale_max)
    else:
        scale_min = scale_max = None
        scale_min_label = scale_max_label = ""
    if kind == QuestionKind.ENTERPRISE:
        others = version.questions.filter(kind=QuestionKind.ENTERPRISE)
        if question is not None:
            others = others.exclude(pk=question.pk)
        if others.exists():
            raise QuestionnaireError(
                _("A questionnaire has at most one enterprise identity question.")
            )
    code = code.strip().upper() or (question.code if question else _next_code(version))
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9._-]{0,19}", code):
        raise QuestionnaireError(
            _("A question code has up to 20 letters, digits, dots, dashes or underscores.")
        )
    clash = version.questions.filter(code=code)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        raise QuestionnaireError(
            _("Another question of this version has the code %(code)s.") % {"code": code}
        )
    if question is None:
        question = Question(version=version)
    if question.pk is None or question.section_id != section.pk:
        question.position = (section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question.section = section
    question.kind = kind
    question.text = text
    question.help_text = help_text.strip()
    question.required = required
    question.code = code
    question.scale_min, question.scale_max = scale_min, scale_max
    question.scale_min_label = scale_min_label.strip()
    question.scale_max_label = scale_max_label.strip()
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        raise QuestionnaireError(
            _("Another question of this version has the code %(code)s.") % {"code": code}
        ) from None
    # A draft version has no answers, so its options can simply be replaced.
    question.options.all().delete()
    Option.objects.bulk_create(
        Option(question=question, position=position, label=label)
        for position, label in enumerate(labels)
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User) -> None:
    _check_actor(actor)
    _require_draft(question.version)
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: int, actor: User) -> None:
    """One place up or down within its section."""
    _check_actor(actor)
    _require_draft(question.version)
    questions = _swap(
        list(question.section.questions.order_by("position", "id")), question, direction
    )
    for position, item in enumerate(questions):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
