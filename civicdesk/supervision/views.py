"""Supervision pages: the queue (letters and instructions, by what waits for whom), issuing a
letter, giving an instruction, and one letter or instruction with its history."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.accounts.models import Role
from civicdesk.core.access import staff_view
from civicdesk.supervision import access, services
from civicdesk.supervision.forms import (
    AcknowledgeForm,
    CloseForm,
    InstructionForm,
    LetterForm,
    ReplyForm,
    SendBackForm,
)
from civicdesk.supervision.models import LetterStatus

# Rows shown per section of the queue; the counts say how many there are.
SECTION_ROWS = 100


def _section(queryset) -> dict:
    return {"rows": list(queryset[:SECTION_ROWS]), "count": queryset.count()}


@require_GET
@staff_view(access.can_read)
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    letters = access.letters_visible_to(user).select_related("unit", "case", "problem", "measure")
    instructions = access.instructions_visible_to(user).select_related(
        "unit", "leader", "case", "problem", "measure"
    )
    context = {
        "instructions": _section(instructions.unacknowledged()),
        "waiting": _section(letters.awaiting_reply().order_by("deadline", "id")),
        "replied": _section(letters.filter(status=LetterStatus.REPLIED).order_by("replied_at")),
        "escalated": _section(
            letters.awaiting_reply().filter(escalated_at__isnull=False).order_by("deadline")
        )
        if user.role in {Role.LEADER, Role.SUPERVISOR, Role.ADMIN}
        else None,
        "closed": _section(letters.filter(status=LetterStatus.CLOSED).order_by("-closed_at")),
        "now": timezone.now(),
    }
    return render(request, "supervision/queue.html", context)


def _subject_context(kind: str, subject) -> dict:
    return {"kind": kind, "subject": subject}


@require_http_methods(["GET", "POST"])
@staff_view(access.can_issue)
def letter_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject = access.get_subject_for_user(request.user, kind, pk)
    units = services.involved_units(subject)
    form = LetterForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = services.letter_issue(
                subject=subject,
                actor=request.user,
                requirement=data["requirement"],
                deadline=data["deadline"],
                unit=data["unit"],
            )
        except services.SupervisionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Supervision letter %(number)s sent.") % {"number": letter.number}
            )
            return redirect("supervision:letter", pk=letter.pk)
    status = 400 if form.is_bound else 200
    context = _subject_context(kind, subject) | {"form": form, "units": units}
    return render(request, "supervision/letter_new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view(access.can_instruct)
def instruction_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject = access.get_subject_for_user(request.user, kind, pk)
    units = services.involved_units(subject)
    form = InstructionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instruction = services.instruction_give(
                subject=subject, actor=request.user, text=data["text"], unit=data["unit"]
            )
        except services.SupervisionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Your instruction was sent to %(unit)s.") % {"unit": instruction.unit}
            )
            return redirect("supervision:instruction", pk=instruction.pk)
    status = 400 if form.is_bound else 200
    context = _subject_context(kind, subject) | {"form": form, "units": units}
    return render(request, "supervision/instruction_new.html", context, status=status)


def _letter_forms(user, letter, bound: tuple[str, object] | None = None) -> dict:
    forms = {}
    if letter.status == LetterStatus.OPEN and access.may_reply(user, letter.unit.path):
        forms["reply"] = ReplyForm(prefix="reply")
    if letter.status == LetterStatus.REPLIED and access.can_issue(user):
        forms["close"] = CloseForm(prefix="close")
        forms["send_back"] = SendBackForm(prefix="send_back")
    if bound is not None:
        forms[bound[0]] = bound[1]
    return forms


def _render_letter(request, letter, bound=None, status: int = 200) -> HttpResponse:
    context = {
        "letter": letter,
        "events": letter.events.select_related("actor"),
        "forms": _letter_forms(request.user, letter, bound),
        "now": timezone.now(),
    }
    return render(request, "supervision/letter.html", context, status=status)


@require_GET
@staff_view(access.can_read)
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_letter(request, access.get_letter_for_user(request.user, pk))


LETTER_FORMS = {"reply": ReplyForm, "close": CloseForm, "send_back": SendBackForm}


@require_POST
@staff_view(access.can_read)
def letter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    letter = access.get_letter_for_user(request.user, pk)
    if action not in LETTER_FORMS:
        raise Http404
    form = LETTER_FORMS[action](request.POST, prefix=action)
    if action not in _letter_forms(request.user, letter):
        messages.error(request, _("This action is not possible on this letter now."))
        return _render_letter(request, letter, status=409)
    if not form.is_valid():
        return _render_letter(request, letter, (action, form), status=400)
    data, user = form.cleaned_data, request.user
    try:
        if action == "reply":
            services.letter_reply(letter=letter, actor=user, text=data["reply"])
            message = _("Your reply was sent.")
        elif action == "close":
            services.letter_close(letter=letter, actor=user, note=data["note"])
            message = _("The letter was closed.")
        else:
            services.letter_send_back(letter=letter, actor=user, note=data["note"])
            message = _("The reply was sent back to the unit.")
    except services.SupervisionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_letter(request, letter, (action, form), status=409)
    messages.success(request, message)
    return redirect("supervision:letter", pk=letter.pk)


@require_http_methods(["GET", "POST"])
@staff_view(access.can_read)
def instruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = access.get_instruction_for_user(request.user, pk)
    may_acknowledge = instruction.acknowledged_at is None and access.may_reply(
        request.user, instruction.unit.path
    )
    form = AcknowledgeForm(request.POST or None) if may_acknowledge else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.instruction_acknowledge(
                    instruction=instruction,
                    actor=request.user,
                    text=form.cleaned_data["acknowledgement"],
                )
            except services.SupervisionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The instruction was acknowledged."))
                return redirect("supervision:instruction", pk=instruction.pk)
        status = 400
    context = {
        "instruction": instruction,
        "events": instruction.events.select_related("actor"),
        "form": form,
    }
    return render(request, "supervision/instruction.html", context, status=status)
