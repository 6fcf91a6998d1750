"""Supervision letters and leaders' instructions through the API (/api/v1/supervision), with
the pages' access rules: what the caller may not see is a 404, what their role may not do a
403, a letter not in the state for it a 409, bad input a 422 naming the field."""

from django.db.models import Model
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import code_name, forbid_unless, reads, unit_by_code, writes
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.workorder_schemas import (
    AcknowledgeIn,
    InstructionIn,
    InstructionOut,
    LetterIn,
    LetterNoteIn,
    LetterOut,
    LetterReplyIn,
)
from civicdesk.supervision import access, services
from civicdesk.supervision.models import LeaderInstruction, LetterStatus, SupervisionLetter

router = Router(tags=["supervision"], auth=staff_token)


def _subject(obj: LeaderInstruction | SupervisionLetter) -> dict:
    subject = obj.subject
    kind = obj.subject_kind
    label = subject.tracking_code if kind == "case" else subject.title
    return {"kind": kind, "id": subject.pk, "label": label}


def _history(events) -> list[dict]:
    return [
        {
            "position": event.position,
            "action": event.action,
            "label": event.get_action_display(),
            "note": event.note,
            "actor": event.actor.get_username() if event.actor else None,
            "created_at": event.created_at,
            "hash": event.hash,
        }
        for event in events.select_related("actor")
    ]


def letter_out(letter: SupervisionLetter) -> dict:
    return {
        "id": letter.pk,
        "number": letter.number,
        "unit": code_name(letter.unit),
        "subject": _subject(letter),
        "requirement": letter.requirement,
        "deadline": letter.deadline,
        "status": letter.status,
        "issued_at": letter.issued_at,
        "reply": letter.reply,
        "replied_at": letter.replied_at,
        "reminded_at": letter.reminded_at,
        "escalated_at": letter.escalated_at,
        "closed_at": letter.closed_at,
        "late": letter.is_late(),
        "answered_late": letter.answered_late,
        "history": _history(letter.events.all()),
    }


def instruction_out(instruction: LeaderInstruction) -> dict:
    return {
        "id": instruction.pk,
        "unit": code_name(instruction.unit),
        "subject": _subject(instruction),
        "text": instruction.text,
        "leader": instruction.leader.get_username() if instruction.leader else None,
        "given_at": instruction.given_at,
        "acknowledgement": instruction.acknowledgement,
        "acknowledged_at": instruction.acknowledged_at,
        "history": _history(instruction.events.all()),
    }


def _subject_for(user: User, kind: str, pk: int) -> Model:
    return access.get_subject_for_user(user, kind, pk)


def _refused(error: services.SupervisionError) -> ApiError | Exception:
    if error.field:
        return invalid("body", error.field, error.message)
    return ApiError(409, error.message)


class LetterFilters(Schema):
    status: LetterStatus | None = None
    late: bool | None = None


@router.get("/letters", response=reads(list[LetterOut]), summary="Supervision letters")
def list_letters(request: HttpRequest, filters: Query[LetterFilters]) -> list[dict]:
    user: User = request.auth
    forbid_unless(access.can_read(user))
    letters = access.letters_visible_to(user).select_related("unit", "case", "problem", "measure")
    if filters.status:
        letters = letters.filter(status=filters.status)
    if filters.late is True:
        letters = letters.late()
    return [letter_out(letter) for letter in letters[:200]]


@router.post("/letters", response=writes(LetterOut, 201), summary="Issue a supervision letter")
def issue_letter(request: HttpRequest, payload: LetterIn) -> Status[dict]:
    user: User = request.auth
    subject = _subject_for(user, payload.subject.kind, payload.subject.id)
    forbid_unless(access.can_issue(user))
    unit = unit_by_code("body", "unit", payload.unit) if payload.unit else None
    try:
        letter = services.letter_issue(
            subject=subject,
            actor=user,
            requirement=payload.requirement,
            deadline=payload.deadline,
            unit=unit,
        )
    except services.SupervisionError as error:
        raise _refused(error) from None
    return Status(201, letter_out(letter))


@router.get("/letters/{letter_id}", response=reads(LetterOut), summary="One letter, with history")
def get_letter(request: HttpRequest, letter_id: int) -> dict:
    return letter_out(access.get_letter_for_user(request.auth, letter_id))


def _letter_action(request: HttpRequest, letter_id: int, run) -> dict:
    user: User = request.auth
    letter = access.get_letter_for_user(user, letter_id)
    try:
        run(letter, user)
    except services.SupervisionError as error:
        raise _refused(error) from None
    return letter_out(SupervisionLetter.objects.get(pk=letter.pk))


@router.post("/letters/{letter_id}/reply", response=writes(LetterOut), summary="The unit replies")
def reply_letter(request: HttpRequest, letter_id: int, payload: LetterReplyIn) -> dict:
    forbid_unless(request.auth.role == "handler")
    return _letter_action(
        request,
        letter_id,
        lambda letter, user: services.letter_reply(letter=letter, actor=user, text=payload.reply),
    )


@router.post(
    "/letters/{letter_id}/close", response=writes(LetterOut), summary="Accept the reply and close"
)
def close_letter(request: HttpRequest, letter_id: int, payload: LetterNoteIn) -> dict:
    letter = access.get_letter_for_user(request.auth, letter_id)
    forbid_unless(access.can_issue(request.auth))
    return _letter_action(
        request,
        letter.pk,
        lambda letter, user: services.letter_close(letter=letter, actor=user, note=payload.note),
    )


@router.post(
    "/letters/{letter_id}/send-back",
    response=writes(LetterOut),
    summary="Send the reply back: the unit must reply again",
)
def send_back_letter(request: HttpRequest, letter_id: int, payload: LetterNoteIn) -> dict:
    letter = access.get_letter_for_user(request.auth, letter_id)
    forbid_unless(access.can_issue(request.auth))
    return _letter_action(
        request,
        letter.pk,
        lambda letter, user: services.letter_send_back(
            letter=letter, actor=user, note=payload.note
        ),
    )


@router.get("/instructions", response=reads(list[InstructionOut]), summary="Leaders' instructions")
def list_instructions(request: HttpRequest) -> list[dict]:
    user: User = request.auth
    forbid_unless(access.can_read(user))
    instructions = access.instructions_visible_to(user).select_related(
        "unit", "leader", "case", "problem", "measure"
    )
    return [instruction_out(instruction) for instruction in instructions[:200]]


@router.post(
    "/instructions", response=writes(InstructionOut, 201), summary="Give an instruction (leaders)"
)
def give_instruction(request: HttpRequest, payload: InstructionIn) -> Status[dict]:
    user: User = request.auth
    subject = _subject_for(user, payload.subject.kind, payload.subject.id)
    forbid_unless(access.can_instruct(user))
    unit = unit_by_code("body", "unit", payload.unit) if payload.unit else None
    try:
        instruction = services.instruction_give(
            subject=subject, actor=user, text=payload.text, unit=unit
        )
    except services.SupervisionError as error:
        raise _refused(error) from None
    return Status(201, instruction_out(instruction))


@router.get(
    "/instructions/{instruction_id}", response=reads(InstructionOut), summary="One instruction"
)
def get_instruction(request: HttpRequest, instruction_id: int) -> dict:
    return instruction_out(access.get_instruction_for_user(request.auth, instruction_id))


@router.post(
    "/instructions/{instruction_id}/acknowledge",
    response=writes(InstructionOut),
    summary="The unit says how it carries the instruction out",
)
def acknowledge_instruction(
    request: HttpRequest, instruction_id: int, payload: AcknowledgeIn
) -> dict:
    user: User = request.auth
    instruction = access.get_instruction_for_user(user, instruction_id)
    forbid_unless(user.role == "handler")
    try:
        services.instruction_acknowledge(
            instruction=instruction, actor=user, text=payload.acknowledgement
        )
    except services.SupervisionError as error:
        raise _refused(error) from None
    return instruction_out(LeaderInstruction.objects.get(pk=instruction.pk))
