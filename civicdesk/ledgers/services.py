"""Changes to the ledgers. Each one is atomic and appends a hash-chained LedgerEvent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case
from civicdesk.cases.services import case_assign
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create
from civicdesk.ledgers.models import (
    BacklogCase,
    Disclosure,
    Enterprise,
    LedgerEvent,
    PromiseItem,
    PromiseStatus,
    Section,
    Stage,
    Utility,
    promise_row_key,
)

DEVIATION_CHANNEL = "utility_deviation"

PROMISES, BACKLOG, UTILITIES = "promises", "backlog", "utilities"


class LedgerError(Exception):
    """A change the ledger's rules do not allow; the message is translated."""


def _plain(value: object) -> object:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record(chain: str, obj: Model, action: str, changes: dict, actor: User | None) -> LedgerEvent:
    return LedgerEvent.append(
        chain=chain,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        action=action,
        changes={k: [_plain(before), _plain(after)] for k, (before, after) in changes.items()},
        actor=actor,
    )


def _created(obj: Model, names: list[str]) -> dict:
    return {name: (None, getattr(obj, name)) for name in names}


def _apply(obj: Model, values: dict) -> dict:
    """Set the values that differ and return {field: (before, after)} for them."""
    changes = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = (before, value)
            setattr(obj, name, value)
    return changes


def enterprise_for(
    *, name: str, credit_code: str, actor: User | None, chain: str = PROMISES
) -> Enterprise:
    """The enterprise with this (already checked) code, created on first use."""
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None:
        enterprise = Enterprise.objects.create(name=name.strip(), credit_code=credit_code)
        _record(chain, enterprise, "create", _created(enterprise, ["name", "credit_code"]), actor)
    return enterprise


# --- broken promises ------------------------------------------------------------------------

PROMISE_FIELDS = ["enterprise", "promise", "promised_on", "document", "amount_owed", "unit",
                  "deadline"]  # fmt: skip


@transaction.atomic
def promise_create(
    *,
    enterprise_name: str,
    credit_code: str,
    promise: str,
    promised_on: dt.date,
    document: str = "",
    amount_owed: Decimal | None = None,
    unit: Unit,
    deadline: dt.date,
    actor: User | None,
) -> PromiseItem:
    if amount_owed is not None and amount_owed < 0:
        raise LedgerError(_("The amount owed cannot be negative."))
    if deadline < promised_on:
        raise LedgerError(_("The deadline cannot be before the day of the promise."))
    key = promise_row_key(credit_code=credit_code, promised_on=promised_on, promise=promise)
    _refuse_known_promise(key)
    enterprise = enterprise_for(name=enterprise_name, credit_code=credit_code, actor=actor)
    try:
        with transaction.atomic():
            item = PromiseItem.objects.create(
                enterprise=enterprise,
                promise=promise.strip(),
                promised_on=promised_on,
                document=document.strip(),
                amount_owed=amount_owed,
                unit=unit,
                deadline=deadline,
                row_key=key,
            )
    except IntegrityError:  # entered at the same moment by someone else
        _refuse_known_promise(key)
        raise
    _record(PROMISES, item, "create", _created(item, PROMISE_FIELDS), actor)
    return item


def _refuse_known_promise(key: str) -> None:
    known = PromiseItem.objects.filter(row_key=key).values_list("pk", flat=True).first()
    if known is not None:
        raise LedgerError(
            _(
                "This promise (the same enterprise, day and words) is already in the ledger as "
                "no. %(number)d."
            )
            % {"number": known}
        )


def _lock_promise(item: PromiseItem) -> PromiseItem:
    return PromiseItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def promise_resolve(
    *, item: PromiseItem, resolution: str, resolved_on: dt.date, actor: User
) -> PromiseItem:
    item = _lock_promise(item)
    if item.status == PromiseStatus.RESOLVED:
        raise LedgerError(_("This promise is already recorded as resolved."))
    if resolved_on < item.promised_on:
        raise LedgerError(_("It cannot be resolved before the day of the promise."))
    changes = _apply(
        item,
        {"status": PromiseStatus.RESOLVED, "resolution": resolution.strip(),
         "resolved_on": resolved_on},
    )  # fmt: skip
    item.save(update_fields=list(changes))
    _record(PROMISES, item, "resolve", changes, actor)
    return item


@transaction.atomic
def promise_confirm(*, item: PromiseItem, confirmed_on: dt.date, actor: User) -> PromiseItem:
    """Record that the enterprise confirmed the resolution."""
    item = _lock_promise(item)
    if item.status != PromiseStatus.RESOLVED:
        raise LedgerError(_("Record the resolution before the enterprise's confirmation."))
    if item.enterprise_confirmed:
        raise LedgerError(_("The enterprise's confirmation is already recorded."))
    if confirmed_on < item.resolved_on:
        raise LedgerError(_("The enterprise cannot confirm before the promise was resolved."))
    changes = _apply(item, {"enterprise_confirmed": True, "confirmed_on": confirmed_on})
    item.save(update_fields=list(changes))
    _record(PROMISES, item, "confirm", changes, actor)
    return item


# --- backlog --------------------------------------------------------------------------------

BACKLOG_FIELDS = ["case_number", "court_or_agency", "enterprise", "enterprise_name", "filed_on",
                  "stage", "target_close_on", "closed_on", "unit"]  # fmt: skip


def _check_backlog_dates(
    filed_on: dt.date, stage: str, target: dt.date | None, closed_on: dt.date | None
) -> None:
    if target is not None and target < filed_on:
        raise LedgerError(_("The target closing date cannot be before the filing date."))
    if stage == Stage.CLOSED and closed_on is None:
        raise LedgerError(_("A closed case needs the date it was closed."))
    if stage != Stage.CLOSED and closed_on is not None:
        raise LedgerError(_("Only a closed case has a closing date."))
    if closed_on is not None and closed_on < filed_on:
        raise LedgerError(_("A case cannot be closed before it was filed."))


@transaction.atomic
def backlog_create(
    *,
    case_number: str,
    court_or_agency: str,
    enterprise_name: str,
    credit_code: str = "",
    filed_on: dt.date,
    stage: str = Stage.FILED,
    target_close_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    unit: Unit | None = None,
    actor: User | None,
) -> BacklogCase:
    case_number = case_number.strip()
    if BacklogCase.objects.filter(case_number=case_number).exists():
        raise LedgerError(_("The case number %(number)s is already in the ledger.")
                          % {"number": case_number})  # fmt: skip
    _check_backlog_dates(filed_on, stage, target_close_on, closed_on)
    enterprise = (
        enterprise_for(name=enterprise_name, credit_code=credit_code, actor=actor, chain=BACKLOG)
        if credit_code
        else None
    )
    case = BacklogCase.objects.create(
        case_number=case_number,
        court_or_agency=court_or_agency.strip(),
        enterprise=enterprise,
        enterprise_name=enterprise_name.strip(),
        filed_on=filed_on,
        stage=stage,
        target_close_on=target_close_on,
        closed_on=closed_on,
        unit=unit,
    )
    _record(BACKLOG, case, "create", _created(case, BACKLOG_FIELDS), actor)
    return case


@transaction.atomic
def backlog_update(
    *,
    case: BacklogCase,
    stage: str,
    target_close_on: dt.date | None,
    closed_on: dt.date | None,
    actor: User,
) -> BacklogCase:
    case = BacklogCase.objects.select_for_update().get(pk=case.pk)
    _check_backlog_dates(case.filed_on, stage, target_close_on, closed_on)
    changes = _apply(
        case, {"stage": stage, "target_close_on": target_close_on, "closed_on": closed_on}
    )
    if not changes:
        raise LedgerError(_("Nothing was changed."))
    case.save(update_fields=list(changes))
    _record(BACKLOG, case, "update", changes, actor)
    return case


# --- utilities ------------------------------------------------------------------------------


@transaction.atomic
def utility_create(*, name: str, kind: str, unit: Unit, actor: User) -> Utility:
    utility = Utility.objects.create(name=name.strip(), kind=kind, unit=unit)
    _record(UTILITIES, utility, "create", _created(utility, ["name", "kind", "unit"]), actor)
    return utility


@transaction.atomic
def disclosure_publish(
    *,
    utility: Utility,
    service_standards: str,
    procedures: str,
    fees: str,
    legal_conditions: str,
    actor: User,
) -> Disclosure:
    """Publish a new version; earlier versions stay as they were published."""
    utility = Utility.objects.select_for_update().get(pk=utility.pk)
    latest = utility.disclosures.aggregate(n=Max("version"))["n"] or 0
    disclosure = Disclosure.objects.create(
        utility=utility,
        version=latest + 1,
        service_standards=service_standards.strip(),
        procedures=procedures.strip(),
        fees=fees.strip(),
        legal_conditions=legal_conditions.strip(),
        published_by=actor,
    )
    _record(
        UTILITIES,
        utility,
        "publish",
        {
            "version": (latest or None, disclosure.version),
            **{s.value: (None, getattr(disclosure, s.value)) for s in Section},
        },
        actor,
    )
    return disclosure


@transaction.atomic
def deviation_report(
    *,
    utility: Utility,
    disclosure: Disclosure | None,
    section: str,
    description: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "",
) -> Case:
    """A citizen's report that a utility deviates from its published standard: a case routed
    to the utility's unit at once."""
    where = disclosure and _("version %(version)d") % {"version": disclosure.version}
    section_label = Section(section).label if section in Section.values else ""
    reference = " · ".join(str(part) for part in [utility.name, where, section_label] if part)
    data = NewSubmission(
        channel=Channel.objects.get(code=DEVIATION_CHANNEL),
        description=f"【{reference}】\n{description.strip()}",
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=language,
        source_details={
            "utility": utility.pk,
            "disclosure_version": disclosure.version if disclosure else None,
            "section": section,
        },
    )
    _submission, case, _is_new = submission_create(data=data)
    return case_assign(case=case, unit=utility.unit, actor=None)
