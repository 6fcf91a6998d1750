"""Driving each planned case through the real services, then backdating its timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.db.models import Model

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case, CaseEvent, Category
from civicdesk.cases.services import (
    case_accept,
    case_add_note,
    case_answer,
    case_assign,
    case_close,
    case_escalate,
    case_merge,
    case_reopen,
    case_return,
)
from civicdesk.cases.workflow import Status
from civicdesk.demo.generator.plan import ONLINE_CHANNELS
from civicdesk.demo.generator.specs import Spec, Step
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission
from civicdesk.reports.workflow import CATEGORY_LEDGERS


def _new_submission(
    spec: Spec,
    channels: dict[str, Channel],
    categories: dict[str, Category],
    users: dict[str, User],
) -> NewSubmission:
    return NewSubmission(
        channel=channels[spec.channel],
        description=spec.description,
        # Reporters pick a category on the self-service forms only; elsewhere staff sort it,
        # except an allegation of misconduct, which the person recording it files as one.
        category=(
            categories.get(spec.category)
            if spec.channel in ONLINE_CHANNELS or spec.category in CATEGORY_LEDGERS
            else None
        ),
        address=spec.address,
        latitude=spec.latitude,
        longitude=spec.longitude,
        contact_name=spec.contact_name,
        contact_phone=spec.contact_phone,
        for_enterprise=spec.for_enterprise,
        enterprise_name=spec.enterprise_name,
        enterprise_credit_code=spec.enterprise_credit_code,
        consent_publish=spec.consent_publish,
        language="zh-hans",
        source_details=spec.source_details,
        external_id=spec.external_id,
        received_at=spec.received_at,
        recorded_by=users[spec.recorded_by] if spec.recorded_by else None,
    )


def _run_steps(
    spec: Spec,
    case: Case,
    users: dict[str, User],
    units: dict[str, Unit],
    into: Case | None,
    event_times: dict[int, datetime],
) -> Case:
    """Drive the case through the services; remember when each new event should have been."""

    def actor(step: Step) -> User | None:
        return users[step.actor] if step.actor else None

    calls: dict[str, Callable[[Step, Case], Case]] = {
        "assign": lambda s, c: case_assign(
            case=c, unit=units[s.unit or ""], actor=actor(s), note=s.text
        ),
        "accept": lambda s, c: case_accept(case=c, actor=users[s.actor or ""], note=s.text),
        "answer": lambda s, c: case_answer(case=c, actor=users[s.actor or ""], text=s.text),
        "close": lambda s, c: case_close(case=c, actor=actor(s), note=s.text),
        "reopen": lambda s, c: case_reopen(case=c, actor=actor(s), reason=s.text),
        "return": lambda s, c: case_return(case=c, actor=users[s.actor or ""], reason=s.text),
        "escalate": lambda s, c: case_escalate(case=c, actor=actor(s), note=s.text),
    }
    for step in spec.steps:
        if step.action == "note":
            case_add_note(case=case, actor=users[step.actor or ""], text=step.text)
        elif step.action == "merge":
            if into is None:
                continue
            case = case_merge(case=case, into=into, actor=users[step.actor or ""], note=step.text)
            # case_merge also writes a note on the surviving case, at the same moment.
            note_id = (
                CaseEvent.objects.filter(case_id=into.pk)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            if note_id is not None and step.at is not None:
                event_times[note_id] = step.at
        else:
            case = calls[step.action](step, case)
    ids = list(
        CaseEvent.objects.filter(case_id=case.pk).order_by("id").values_list("id", flat=True)
    )
    # The first event is the 'create' one, already dated at received_at by case_open.
    done = [step for step in spec.steps if step.action != "merge" or into is not None]
    for event_id, step in zip(ids[1:], done, strict=True):
        if step.at is not None:
            event_times[event_id] = step.at
    return case


def _case_times(spec: Spec, case: Case) -> Case:
    """The case's own timestamps, matching the backdated timeline."""

    def last(*actions: str) -> datetime | None:
        times = [s.at for s in spec.steps if s.action in actions]
        return times[-1] if times else None

    first_response = next((s.at for s in spec.steps if s.action in {"accept", "answer"}), None)
    return Case(
        pk=case.pk,
        assigned_at=last("assign"),
        first_responded_at=first_response,
        answered_at=last("answer"),
        closed_at=last("close") if case.status == Status.CLOSED else None,
        escalated_at=last("escalate"),
    )


def _backdate(model: type[Model], fields: list[str], rows: list[tuple[int, list]]) -> None:
    """Set datetime columns row by row with one executemany.

    A raw UPDATE on purpose: CaseEvent.save() refuses to edit an event (the timeline is
    append-only for the application), and bulk_update's CASE expressions grow with the batch
    and were several times slower here.
    """
    if not rows:
        return
    ops = connection.ops
    assignments = ", ".join(
        f"{ops.quote_name(model._meta.get_field(name).column)} = %s" for name in fields
    )
    sql = (
        # Only names from the model's metadata are interpolated; values go in as parameters.
        f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {ops.quote_name(model._meta.pk.column)} = %s"
    )
    params = [
        [ops.adapt_datetimefield_value(value) for value in values] + [pk] for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
