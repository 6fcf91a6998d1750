"""Results of a questionnaire version (counted in SQL) and the XLSX export of every response."""

import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.ledgers.spreadsheets import safe_cell
from civicdesk.questionnaires.models import (
    Answer,
    Outcome,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from civicdesk.questionnaires.paper import CREDIT_CODE_HEADERS, ENTERPRISE_NAME_HEADERS

TEXTS_SHOWN = 50


@dataclass
class Row:
    label: str
    count: int
    percent: float | None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    average: float | None = None
    low: int = 0  # scale answers at or below the threshold
    texts: list[Answer] = field(default_factory=list)
    more_texts: int = 0

    @property
    def chart_id(self) -> str:
        return f"chart-q{self.question.pk}"

    @property
    def chart(self) -> dict | None:
        if not self.rows:
            return None
        return {"labels": [r.label for r in self.rows], "values": [r.count for r in self.rows]}


def _percent(count: int, of: int) -> float | None:
    return round(100 * count / of, 1) if of else None


def version_results(version: QuestionnaireVersion) -> tuple[int, list[QuestionResult]]:
    """(number of responses, one result per question in order)."""
    threshold = version.questionnaire.low_score_threshold
    answers = Answer.objects.filter(question__version=version)
    answered = dict(answers.values_list("question").annotate(n=Count("response", distinct=True)))
    by_option = dict(
        answers.filter(option__isnull=False).values_list("option").annotate(n=Count("id"))
    )
    by_number: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, number, n in (
        answers.filter(number__isnull=False)
        .values_list("question", "number")
        .annotate(n=Count("id"))
    ):
        by_number[question_id][number] = n
    results = []
    for question in version.ordered_questions():
        result = QuestionResult(question, answered=answered.get(question.pk, 0))
        if question.is_choice:
            result.rows = [
                Row(
                    o.label,
                    by_option.get(o.pk, 0),
                    _percent(by_option.get(o.pk, 0), result.answered),
                )
                for o in question.options.all()
            ]
        elif question.kind == QuestionKind.SCALE:
            counts = by_number.get(question.pk, {})
            result.rows = [
                Row(
                    _scale_label(question, value),
                    counts.get(value, 0),
                    _percent(counts.get(value, 0), result.answered),
                )
                for value in question.scale_values()
            ]
            total = sum(counts.values())
            if total:
                result.average = round(sum(v * n for v, n in counts.items()) / total, 2)
            result.low = sum(n for v, n in counts.items() if v <= threshold)
        elif question.kind == QuestionKind.TEXT:
            # An allegation filed as a confidential report is for its audience only.
            texts = (
                answers.filter(question=question)
                .exclude(text="")
                .exclude(outcome=Outcome.CONFIDENTIAL)
            )
            result.texts = list(
                texts.select_related("response").order_by("-response__created_at", "-id")[
                    :TEXTS_SHOWN
                ]
            )
            result.more_texts = max(0, result.answered - len(result.texts))
        results.append(result)
    return version.responses.count(), results


def _scale_label(question: Question, value: int) -> str:
    if value == question.scale_min and question.scale_min_label:
        return f"{value} {question.scale_min_label}"
    if value == question.scale_max and question.scale_max_label:
        return f"{value} {question.scale_max_label}"
    return str(value)


# --- export ---------------------------------------------------------------------------------

# Fixed columns in Chinese, like the paper template (whose details columns they match).
_DETAIL_HEADERS = [
    "编号",
    "版本",
    "渠道",
    "提交时间",
    ENTERPRISE_NAME_HEADERS[0],
    CREDIT_CODE_HEADERS[0],
    "联系人",
    "联系电话",
    "问卷编号",
    "填写日期",
    "录入人",
]


def _answer_text(question: Question, answers: list[Answer]) -> object:
    if question.is_choice:
        return "、".join(a.option.label for a in answers if a.option_id)
    if question.kind == QuestionKind.SCALE:
        return answers[0].number
    if answers[0].outcome == Outcome.CONFIDENTIAL:
        return _("(filed as a confidential report)")
    return answers[0].text


def responses_workbook(questionnaire: Questionnaire) -> bytes:
    """Every response, one sheet per version answered (its columns are its questions); each
    cell formula-safe, so an answer such as "=HYPERLINK(…)" stays text in Excel."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    versions = questionnaire.versions.filter(responses__isnull=False).distinct().order_by("number")
    for version in versions:
        questions = [q for q in version.ordered_questions() if q.kind != QuestionKind.ENTERPRISE]
        sheet = workbook.create_sheet(f"v{version.number}")
        sheet.append(
            [safe_cell(h) for h in _DETAIL_HEADERS + [f"{q.code} {q.text}" for q in questions]]
        )
        grouped: dict[int, dict[int, list[Answer]]] = defaultdict(lambda: defaultdict(list))
        for answer in (
            Answer.objects.filter(response__version=version)
            .exclude(question__kind=QuestionKind.ENTERPRISE)
            .select_related("option")
            .order_by("response_id", "option__position", "id")
        ):
            grouped[answer.response_id][answer.question_id].append(answer)
        responses = (
            Response.objects.filter(version=version).select_related("entered_by").order_by("id")
        )
        for response in responses:
            answers = grouped.get(response.pk, {})
            row = [
                response.pk,
                version.number,
                response.get_channel_display(),
                timezone.localtime(response.created_at),
                response.enterprise_name,
                response.enterprise_credit_code,
                response.contact_name,
                response.contact_phone,
                response.paper_number,
                response.filled_on,
                str(response.entered_by) if response.entered_by else "",
            ]
            row += [_answer_text(q, answers[q.pk]) if q.pk in answers else None for q in questions]
            sheet.append([safe_cell(value) for value in row])
    if not versions:
        sheet = workbook.create_sheet(_("Responses")[:31])
        sheet.append([safe_cell(h) for h in _DETAIL_HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
