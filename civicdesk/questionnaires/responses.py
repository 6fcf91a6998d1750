"""Recording responses, from the web page or from paper, and passing what needs an answer
into triage (questionnaires.concerns: one submission per response, holding its concerns), in
the same transaction as the response.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.intake.validation import clean_credit_code
from civicdesk.questionnaires.concerns import Passed, response_to_triage
from civicdesk.questionnaires.models import (
    Answer,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseChannel,
    Status,
)

MAX_TEXT = 5000


@dataclass
class AnswerValue:
    """One question's answer, whatever it came from (a web form field, a spreadsheet cell)."""

    options: list[Option] = field(default_factory=list)
    number: int | None = None
    text: str = ""
    enterprise_name: str = ""
    credit_code: str = ""

    def is_empty(self) -> bool:
        return not (
            self.options
            or self.number is not None
            or self.text.strip()
            or self.enterprise_name.strip()
            or self.credit_code.strip()
        )


@dataclass(frozen=True)
class Problem:
    """What is wrong with one answer (question None: with the response as a whole).
    part tells the enterprise name ("name") from its code ("code")."""

    question: Question | None
    message: str
    part: str = ""


class ResponseRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def question_label(question: Question) -> str:
    return f"{question.code} “{question.text}”"


def version_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(version.ordered_questions())


def check_answers(questions: list[Question], answers: dict[int, AnswerValue]) -> list[Problem]:
    """Every problem of a set of answers, each naming its question."""
    problems = []
    known = {question.pk for question in questions}
    if set(answers) - known:
        problems.append(Problem(None, _("Some answers are for questions of another version.")))
    for question in questions:
        value = answers.get(question.pk) or AnswerValue()
        label = question_label(question)
        if value.is_empty():
            if question.required:
                problems.append(Problem(question, _("%(q)s needs an answer.") % {"q": label}))
            continue
        problems.extend(_check_one(question, value, label))
    return problems


def _check_one(question: Question, value: AnswerValue, label: str) -> list[Problem]:
    kind = question.kind
    allowed = {option.pk for option in question.options.all()}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        chosen = [option.pk for option in value.options]
        if any(pk not in allowed for pk in chosen):
            return [Problem(question, _("%(q)s: choose from its options.") % {"q": label})]
        if len(set(chosen)) != len(chosen):
            return [Problem(question, _("%(q)s: an option is chosen twice.") % {"q": label})]
        if kind == QuestionKind.SINGLE and len(chosen) != 1:
            return [Problem(question, _("%(q)s: choose one option only.") % {"q": label})]
        return []
    if kind == QuestionKind.SCALE:
        if value.number is None or value.number not in question.scale_values():
            return [
                Problem(
                    question,
                    _("%(q)s: give a whole number from %(min)d to %(max)d.")
                    % {"q": label, "min": question.scale_min, "max": question.scale_max},
                )
            ]
        return []
    if kind == QuestionKind.TEXT:
        if len(value.text) > MAX_TEXT:
            return [
                Problem(
                    question,
                    _("%(q)s: write at most %(max)d characters (this has %(count)d).")
                    % {"q": label, "max": MAX_TEXT, "count": len(value.text)},
                )
            ]
        return []
    # The enterprise: both its name and its code, the code checked character by character.
    problems = []
    if not value.enterprise_name.strip():
        problems.append(
            Problem(question, _("%(q)s: give the enterprise's name.") % {"q": label}, "name")
        )
    elif len(value.enterprise_name.strip()) > 200:
        problems.append(
            Problem(question, _("%(q)s: the enterprise's name is too long.") % {"q": label}, "name")
        )
    if not value.credit_code.strip():
        problems.append(
            Problem(
                question,
                _("%(q)s: give the enterprise's unified social credit code.") % {"q": label},
                "code",
            )
        )
    else:
        try:
            clean_credit_code(value.credit_code)
        except ValidationError as error:
            problems.append(Problem(question, f"{label}: {error.messages[0]}", "code"))
    return problems


def enterprise_of(questions: list[Question], answers: dict[int, AnswerValue]) -> tuple[str, str]:
    """The (name, credit code) a response gives, or empty strings."""
    for question in questions:
        if question.kind == QuestionKind.ENTERPRISE and question.pk in answers:
            value = answers[question.pk]
            code = value.credit_code.strip().upper()
            return value.enterprise_name.strip(), code
    return "", ""


def already_answered_problem(questionnaire: Questionnaire, credit_code: str) -> Problem:
    return Problem(
        None,
        _(
            "An answer from the enterprise with the code %(code)s was already received; each "
            "enterprise answers this questionnaire once."
        )
        % {"code": credit_code},
        "code",
    )


def enterprise_has_answered(questionnaire: Questionnaire, credit_code: str) -> bool:
    return questionnaire.responses.filter(enterprise_key=credit_code).exists()


@transaction.atomic
def response_create(
    *,
    version: QuestionnaireVersion,
    answers: dict[int, AnswerValue],
    channel: str,
    contact_name: str = "",
    contact_phone: str = "",
    respondent: User | None = None,
    entered_by: User | None = None,
    paper_number: str = "",
    filled_on: date | None = None,
    source_file: str = "",
    source_row: int | None = None,
    form_token: UUID | None = None,
    language: str = "",
    at: datetime | None = None,
    questions: list[Question] | None = None,
) -> tuple[Response, Passed]:
    """Store one response with its answers and pass on its concerns (one case at most);
    everything or nothing. Raises ResponseRejected naming each problem's question."""
    questionnaire = version.questionnaire
    if not version.is_frozen or questionnaire.current_version_id != version.pk:
        raise ResponseRejected(
            [Problem(None, _("This version of the questionnaire is not the one being answered."))]
        )
    if channel == ResponseChannel.WEB and questionnaire.status != Status.PUBLISHED:
        raise ResponseRejected([Problem(None, _("This questionnaire is closed."))])
    if channel == ResponseChannel.PAPER and entered_by is None:
        raise ResponseRejected([Problem(None, _("Paper forms are typed in by a staff member."))])
    questions = questions if questions is not None else version_questions(version)
    answers = {pk: value for pk, value in answers.items() if not value.is_empty()}
    problems = check_answers(questions, answers)
    name, code = enterprise_of(questions, answers)
    key = code if questionnaire.one_response_per_enterprise else ""
    if questionnaire.one_response_per_enterprise and not code and not problems:
        problems.append(
            Problem(
                None,
                _(
                    "Give the enterprise's unified social credit code: "
                    "each enterprise answers once."
                ),
            )
        )
    if key and not problems and enterprise_has_answered(questionnaire, key):
        problems.append(already_answered_problem(questionnaire, key))
    paper_number = paper_number.strip()
    if paper_number and questionnaire.responses.filter(paper_number=paper_number).exists():
        problems.append(
            Problem(
                None,
                _("The paper form number %(number)s was already imported.")
                % {"number": paper_number},
                "paper_number",
            )
        )
    if problems:
        raise ResponseRejected(problems)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire=questionnaire,
                version=version,
                channel=channel,
                enterprise_name=name,
                enterprise_credit_code=code,
                enterprise_key=key,
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
                respondent=respondent if respondent and respondent.is_authenticated else None,
                entered_by=entered_by,
                paper_number=paper_number,
                filled_on=filled_on,
                source_file=source_file[:200],
                source_row=source_row,
                form_token=form_token,
                language=language,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        # A double click, or another request with the same enterprise, won the race.
        if form_token and Response.objects.filter(form_token=form_token).exists():
            raise ResponseRejected(
                [Problem(None, _("This response was already received."), "form_token")]
            ) from None
        raise ResponseRejected([already_answered_problem(questionnaire, key)]) from None
    Answer.objects.bulk_create(_answer_rows(response, questions, answers))
    return response, response_to_triage(response=response)


def _answer_rows(response: Response, questions: list[Question], answers) -> list[Answer]:
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if value is None:
            continue
        if question.is_choice:
            rows.extend(
                Answer(response=response, question=question, option=o) for o in value.options
            )
        elif question.kind == QuestionKind.SCALE:
            rows.append(Answer(response=response, question=question, number=value.number))
        elif question.kind == QuestionKind.TEXT:
            rows.append(Answer(response=response, question=question, text=value.text.strip()))
        else:
            rows.append(
                Answer(
                    response=response,
                    question=question,
                    text=value.enterprise_name.strip(),
                    credit_code=value.credit_code.strip().upper(),
                )
            )
    return rows
