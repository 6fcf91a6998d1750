"""What of a questionnaire response is passed on, and how: one submission per response.

A response is one person (or enterprise) speaking once, so what it raises goes on as ONE
submission, with one case and one tracking code for the respondent, holding all its concerns:
every low score (at or below the questionnaire's threshold) and every written answer that
reads as a concern (civicdesk.triage.tone). Praise opens no case, and neither does "无".
A written answer the reading cannot place waits for staff (``Outcome.TO_CONFIRM``), who open
a case for it or confirm none is needed (``response_open_case``, ``response_no_case``); when
the response has a concern anyway, such answers go into its case, where staff read them.

A written answer that alleges misconduct or collusion with black intermediaries
(civicdesk.intake.routing decides, as for every channel) is filed as a confidential report of
its own and kept out of the response's case. Each answer records what became of it
(``Answer.outcome``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
from civicdesk.intake.models import Channel
from civicdesk.intake.routing import confidential_routing
from civicdesk.intake.services import NewSubmission, Received, receive
from civicdesk.questionnaires.access import may_build
from civicdesk.questionnaires.models import (
    OUTCOME_TRANSITIONS,
    Answer,
    Audience,
    EventAction,
    Outcome,
    QuestionKind,
    Response,
    ResponseChannel,
)
from civicdesk.questionnaires.services import QuestionnaireError, record_event
from civicdesk.triage.tone import Tone, read_tone

ENTERPRISE_CHANNEL = "enterprise_questionnaire"
CITIZEN_CHANNEL = "citizen_questionnaire"  # added by this app's migration 0002
PAPER_CHANNEL = "paper_questionnaire"

_OUTCOME_OF_TONE = {
    Tone.CONCERN: Outcome.CASE,
    Tone.PRAISE: Outcome.PRAISE,
    Tone.NOTHING: Outcome.NOTHING,
    Tone.UNSURE: Outcome.TO_CONFIRM,
}


@dataclass
class Passed:
    """What a response's triage did: its case (None without one), the confidential reports
    filed for its allegations (with the follow-up code to show, if any), and how many
    written answers wait for staff."""

    case: Case | None = None
    reports: list[Received] = field(default_factory=list)
    to_confirm: int = 0

    @property
    def followup_codes(self) -> list[str]:
        return [r.followup_code for r in self.reports if r.followup_code]


def triage_channel_code(response: Response) -> str:
    if response.channel == ResponseChannel.PAPER:
        return PAPER_CHANNEL
    if response.questionnaire.audience == Audience.ENTERPRISES:
        return ENTERPRISE_CHANNEL
    return CITIZEN_CHANNEL


def external_id(response: Response, answer: Answer | None = None) -> str:
    """Stable per response (its case) and per answer (a confidential report): a second pass
    over the same response creates nothing."""
    return f"q{response.pk}" if answer is None else f"q{response.pk}-{answer.question_id}"


def _ordered_answers(response: Response) -> list[Answer]:
    return list(
        response.answers.select_related("question").order_by(
            "question__section__position", "question__position", "question_id", "id"
        )
    )


def _is_low_score(answer: Answer, threshold: int) -> bool:
    return (
        answer.question.kind == QuestionKind.SCALE
        and answer.number is not None
        and answer.number <= threshold
    )


def _part(response: Response, answer: Answer) -> str:
    """One concern of the response as the case's text shows it."""
    question = answer.question
    if question.kind == QuestionKind.TEXT:
        return f"{question.code} {question.text}：\n{answer.text.strip()}"
    ends = ""
    if question.scale_min_label or question.scale_max_label:
        low = question.scale_min_label or question.scale_min
        high = question.scale_max_label or question.scale_max
        ends = f" ({low} … {high})"
    return _("Low score %(score)d on a scale from %(min)d to %(max)d%(ends)s: %(text)s") % {
        "score": answer.number,
        "min": question.scale_min,
        "max": question.scale_max,
        "ends": ends,
        "text": f"{question.code} {question.text}",
    }


def _source_line(response: Response) -> str:
    return _("Questionnaire “%(title)s” (version %(version)d), response %(response)d.") % {
        "title": response.questionnaire.title,
        "version": response.version.number,
        "response": response.pk,
    }


def _new_submission(
    response: Response, channel: Channel, answers: list[Answer], key: str
) -> NewSubmission:
    texts = [_part(response, answer) for answer in answers]
    is_enterprise = bool(response.enterprise_credit_code or response.enterprise_name)
    return NewSubmission(
        channel=channel,
        description="\n\n".join([*texts, _source_line(response)]),
        contact_name=response.contact_name,
        contact_phone=response.contact_phone,
        for_enterprise=is_enterprise,
        enterprise_name=response.enterprise_name,
        enterprise_credit_code=response.enterprise_credit_code,
        language=response.language,
        external_id=key,
        source_details={
            "questionnaire": response.questionnaire_id,
            "questionnaire_title": response.questionnaire.title,
            "version": response.version.number,
            "response": response.pk,
            "questions": [answer.question.code for answer in answers],
            "answers": [answer.pk for answer in answers],
            "response_channel": response.channel,
            "paper_number": response.paper_number,
        },
        received_at=response.created_at,
        recorded_by=response.entered_by,
    )


def _set_outcome(answers: list[Answer], outcome: str) -> None:
    for answer in answers:
        answer.outcome = outcome
    Answer.objects.bulk_update(answers, ["outcome"])


@transaction.atomic
def response_to_triage(*, response: Response) -> Passed:
    """Read the response's answers and pass on what needs it (once: a response already
    read is left as it is)."""
    answers = _ordered_answers(response)
    if response.submission_id is not None or any(answer.outcome for answer in answers):
        return Passed()
    channel = Channel.objects.get(code=triage_channel_code(response))
    threshold = response.questionnaire.low_score_threshold
    passed = Passed()
    concerns: list[Answer] = []
    unsure: list[Answer] = []
    for answer in answers:
        if _is_low_score(answer, threshold):
            concerns.append(answer)
            continue
        if answer.question.kind != QuestionKind.TEXT or not answer.text.strip():
            continue
        if confidential_routing(category=None, description=answer.text) is not None:
            received = receive(
                data=_new_submission(response, channel, [answer], external_id(response, answer))
            )
            passed.reports.append(received)
            _set_outcome([answer], Outcome.CONFIDENTIAL)
            continue
        outcome = _OUTCOME_OF_TONE[read_tone(answer.text).tone]
        if outcome == Outcome.CASE:
            concerns.append(answer)
        elif outcome == Outcome.TO_CONFIRM:
            unsure.append(answer)
        else:
            _set_outcome([answer], outcome)
    if concerns:
        # The case exists anyway: the answers the reading could not place go into it, where
        # staff read them, rather than waiting for a second look.
        passed.case = _open_case(response, channel, concerns + unsure)
    else:
        _set_outcome(unsure, Outcome.TO_CONFIRM)
        passed.to_confirm = len(unsure)
    return passed


def _open_case(response: Response, channel: Channel, answers: list[Answer]) -> Case | None:
    order = {answer.pk: index for index, answer in enumerate(_ordered_answers(response))}
    answers = sorted(answers, key=lambda answer: order[answer.pk])
    received = receive(data=_new_submission(response, channel, answers, external_id(response)))
    if received.is_confidential:
        _set_outcome(answers, Outcome.CONFIDENTIAL)
        return None
    _set_outcome(answers, Outcome.CASE)
    response.submission = received.submission
    response.save(update_fields=["submission"])
    return received.case


def _decide(response: Response, actor: User, to: str) -> tuple[Response, list[Answer]]:
    if not may_build(actor):
        raise QuestionnaireError(_("You may not change questionnaires."))
    response = Response.objects.select_for_update().get(pk=response.pk)
    answers = [
        answer
        for answer in _ordered_answers(response)
        if to in OUTCOME_TRANSITIONS.get(answer.outcome, frozenset())
        # Praise can only be turned into a case while the response has none.
        and (answer.outcome == Outcome.TO_CONFIRM or response.submission_id is None)
    ]
    if not answers:
        raise QuestionnaireError(_("This response has no written answers waiting for this."))
    return response, answers


@transaction.atomic
def response_open_case(*, response: Response, actor: User) -> Case:
    """Staff decide that the response's unplaced (or praise-read) written answers need a
    case: they become the response's submission and case."""
    response, answers = _decide(response, actor, Outcome.CASE)
    if response.submission_id is not None:
        raise QuestionnaireError(_("This response has a case already."))
    channel = Channel.objects.get(code=triage_channel_code(response))
    case = _open_case(response, channel, answers)
    if case is None:
        raise QuestionnaireError(_("These answers were filed as a confidential report."))
    record_event(
        response.questionnaire,
        EventAction.CONFIRM_CASE,
        actor,
        response.version,
        response=response.pk,
        questions=[answer.question.code for answer in answers],
        case=case.tracking_code,
    )
    return case


@transaction.atomic
def response_no_case(*, response: Response, actor: User) -> int:
    """Staff confirm that the response's unplaced written answers need no case."""
    response, answers = _decide(response, actor, Outcome.NO_CASE)
    answers = [answer for answer in answers if answer.outcome == Outcome.TO_CONFIRM]
    if not answers:
        raise QuestionnaireError(_("This response has no written answers waiting for this."))
    _set_outcome(answers, Outcome.NO_CASE)
    record_event(
        response.questionnaire,
        EventAction.CONFIRM_NO_CASE,
        actor,
        response.version,
        response=response.pk,
        questions=[answer.question.code for answer in answers],
    )
    return len(answers)


def responses_to_confirm(questionnaire) -> list[Response]:
    """The questionnaire's responses with written answers waiting for staff, oldest first."""
    return list(
        questionnaire.responses.filter(answers__outcome=Outcome.TO_CONFIRM)
        .distinct()
        .select_related("version")
        .order_by("created_at", "id")
    )
