"""Tamper-evident history: events whose hashes chain each one to the one before.

Each chained model keeps one chain per `chain` name (e.g. "measure:12" or "promises"). An
event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any event breaks every hash after it, and `civicdesk verify_chains` finds it.
Appends to one chain are serialised by a row lock on its ChainHead, so two concurrent
appends cannot both claim the same predecessor.

The live rows are covered too. An event names the rows it changed (`subjects`); a model whose
rows are chained lists in `chained_state` the fields an event vouches for, and each event
records those fields as they stood once it was recorded (`state`, hashed with the rest). A row
edited behind the services' back (a raw UPDATE) then no longer matches the state its last
event recorded, and `verify` names the row, the field and both values.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from civicdesk.core.history import AppendOnly

GENESIS = "0" * 64

_recorded_as_of: ContextVar[datetime | None] = ContextVar("chain_recorded_as_of", default=None)


@contextmanager
def recorded_as_of(moment: datetime) -> Iterator[None]:
    """Date the events appended inside this block at `moment` instead of now.

    For loading a past that was not recorded here as it happened: the demo district's history
    of measures, ledgers and reports. The date is part of the hashed content, as always."""
    if moment > timezone.now():
        raise ValueError("chained events cannot be dated in the future")
    token = _recorded_as_of.set(moment)
    try:
        yield
    finally:
        _recorded_as_of.reset(token)


def recorded_now() -> datetime:
    """The moment events appended now are dated: now, or the moment of `recorded_as_of`.
    Services stamp the rows they change with it, so a row and its event agree on when."""
    return _recorded_as_of.get() or timezone.now()


def canonical(payload: dict) -> str:
    """One spelling of the content, so the same content always hashes the same."""

    def default(value):
        if isinstance(value, datetime):
            # One instant, one spelling: the database hands dates back in UTC, whatever zone
            # they were written in.
            return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return str(value)

    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )


def digest(previous: str, payload: dict) -> str:
    return hashlib.sha256(f"{previous}\n{canonical(payload)}".encode()).hexdigest()


class ChainHead(models.Model):
    """The newest hash of each chain; locking this row serialises appends to the chain."""

    model = models.CharField(max_length=100)
    chain = models.CharField(max_length=100)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    length = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(fields=["model", "chain"], name="one_head_per_chain")
        ]

    def __str__(self) -> str:
        return f"{self.model}/{self.chain}"


def plain(value: Any) -> Any:
    """A field's value as plain JSON, one spelling per value (see `canonical`)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 150000, 150000.0 and 150000.00 are one amount, whatever the database hands back.
        return format(value.normalize(), "f")
    if isinstance(value, UUID):
        return str(value)
    return value


def row_key(model: type[models.Model], pk: Any) -> str:
    return f"{model._meta.label_lower}:{pk}"


def row_states(model: type[models.Model], pks: list) -> dict[Any, dict]:
    """The `chained_state` fields of these rows as they are in the database now, in plain
    values (a many-to-many field as its sorted ids), by primary key; rows gone are left out."""
    fields = [model._meta.get_field(name) for name in model.chained_state]
    columns = [f for f in fields if not f.many_to_many]
    states: dict[Any, dict] = {}
    for row in model._base_manager.filter(pk__in=pks).values("pk", *[f.attname for f in columns]):
        states[row["pk"]] = {f.name: plain(row[f.attname]) for f in columns}
    for field in (f for f in fields if f.many_to_many):
        for state in states.values():
            state[field.name] = []
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_name()
        links = through._base_manager.filter(**{f"{source}__in": list(states)})
        for owner, linked in links.values_list(source, target).order_by(target):
            states[owner][field.name].append(plain(linked))
    return states


class ChainedEvent(AppendOnly):
    """Base for append-only, hash-chained events. Subclasses list the fields that the hash
    covers in `chained_fields` (the content of the event, not its bookkeeping), and in
    `subject_field` the foreign key to the row the event changes (or override `subjects`)."""

    chain = models.CharField(max_length=100, db_index=True, editable=False)
    position = models.PositiveIntegerField(editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # {"app.model:pk": {field: value, …}}: the rows this event changed, as they stood once it
    # was recorded (the fields their model lists in `chained_state`). None on events recorded
    # before rows were, and on events that change no chained row.
    state = models.JSONField(null=True, blank=True, editable=False)

    chained_fields: tuple[str, ...] = ()
    # Fields added to `chained_fields` after events were recorded without them: hashed only
    # when set, so the events recorded before keep their hashes.
    later_chained_fields: tuple[str, ...] = ()
    subject_field: str | None = None

    class Meta:
        abstract = True
        ordering = ["chain", "position"]

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.hash:
            raise ValueError("Create chained events with append(), which links them.")
        super().save(*args, **kwargs)

    def payload(self) -> dict:
        content = {}
        for name in self.chained_fields:
            field = self._meta.get_field(name)
            content[name] = getattr(self, field.attname)
        for name in ("state", *self.later_chained_fields):
            value = getattr(self, self._meta.get_field(name).attname)
            if value not in (None, "", {}, []):
                content[name] = value
        content["created_at"] = self.created_at
        content["chain"] = self.chain
        content["position"] = self.position
        return content

    def subjects(self) -> list[tuple[type[models.Model], Any]]:
        """The rows this event changed, as (model, primary key)."""
        if self.subject_field is None:
            return []
        field = self._meta.get_field(self.subject_field)
        pk = getattr(self, field.attname)
        return [] if pk is None else [(field.related_model, pk)]

    def record_state(self) -> None:
        """Record the chained fields of the rows this event changed, read from the database
        (after the change was saved, within the same transaction)."""
        state = {}
        for model, pk in self.subjects():
            if getattr(model, "chained_state", ()):
                found = row_states(model, [pk])
                if pk in found:
                    state[row_key(model, pk)] = found[pk]
        self.state = state or None

    @classmethod
    def append(cls, *, chain: str, **fields) -> "ChainedEvent":
        """Add an event at the end of its chain."""
        label = cls._meta.label
        moment = _recorded_as_of.get()
        if moment is not None:
            fields.setdefault("created_at", moment)
        with transaction.atomic():
            ChainHead.objects.get_or_create(model=label, chain=chain)
            head = ChainHead.objects.select_for_update().get(model=label, chain=chain)
            event = cls(
                chain=chain, position=head.length + 1, previous_hash=head.last_hash, **fields
            )
            event.record_state()
            event.hash = digest(head.last_hash, event.payload())
            event.save()
            head.last_hash = event.hash
            head.length = event.position
            head.save(update_fields=["last_hash", "length"])
        return event


@dataclass(frozen=True)
class ChainBreak:
    model: str
    chain: str
    position: int
    reason: str

    def __str__(self) -> str:
        return f"{self.model} chain {self.chain!r}, event {self.position}: {self.reason}"


def verify(model: type[ChainedEvent]) -> list[ChainBreak]:
    """Recompute every chain of a model and compare each row its events changed with the
    state its last event recorded; an empty list means nothing was rewritten."""
    label = model._meta.label
    breaks: list[ChainBreak] = []
    heads = {h.chain: h for h in ChainHead.objects.filter(model=label)}
    # For each row an event changed: (event pk, chain, position, recorded fields) of the
    # last such event. Appends are numbered in the order they happened, across chains too.
    latest: dict[str, tuple[int, str, int, dict]] = {}
    previous_chain, previous_hash, expected = None, GENESIS, 1
    for event in model.objects.order_by("chain", "position").iterator():
        if event.chain != previous_chain:
            previous_chain, previous_hash, expected = event.chain, GENESIS, 1
        if event.position != expected:
            breaks.append(ChainBreak(label, event.chain, expected, "an event is missing"))
            expected = event.position
        if event.previous_hash != previous_hash:
            breaks.append(
                ChainBreak(
                    label, event.chain, event.position, "it does not follow the event before it"
                )
            )
        if digest(event.previous_hash, event.payload()) != event.hash:
            breaks.append(
                ChainBreak(
                    label,
                    event.chain,
                    event.position,
                    "its content was changed after it was recorded",
                )
            )
        for key, fields in (event.state or {}).items():
            if key not in latest or latest[key][0] < event.pk:
                latest[key] = (event.pk, event.chain, event.position, fields)
        previous_hash, expected = event.hash, expected + 1
    for chain, head in heads.items():
        last = model.objects.filter(chain=chain).order_by("-position").first()
        if last is None or last.hash != head.last_hash or last.position != head.length:
            breaks.append(
                ChainBreak(label, chain, head.length, "events at the end of the chain were removed")
            )
    return breaks + _live_row_breaks(label, latest)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _live_row_breaks(label: str, latest: dict[str, tuple[int, str, int, dict]]) -> list[ChainBreak]:
    """The rows whose fields in the database differ from what their last event recorded."""
    by_model: dict[str, dict[str, tuple[int, str, int, dict]]] = {}
    for key, recorded in latest.items():
        by_model.setdefault(key.rsplit(":", 1)[0], {})[key] = recorded
    breaks = []
    for model_label, rows in sorted(by_model.items()):
        model = apps.get_model(model_label)
        pks = {key: model._meta.pk.to_python(key.rsplit(":", 1)[1]) for key in rows}
        live = row_states(model, list(pks.values()))
        chained = set(getattr(model, "chained_state", ()))
        for key, (_pk, chain, position, recorded) in sorted(rows.items()):
            pk = pks[key]
            if pk not in live:
                breaks.append(ChainBreak(label, chain, position, f"{key}: the row was deleted"))
                continue
            # A field no longer chained, or chained since this event, is not compared.
            changed = [
                name
                for name, value in recorded.items()
                if name in chained and live[pk][name] != value
            ]
            if not changed:
                continue
            name = str(model._base_manager.get(pk=pk))[:60]
            for field in changed:
                breaks.append(
                    ChainBreak(
                        label,
                        chain,
                        position,
                        f"{key} ({name}): {field} is {_shown(live[pk][field])} in the database"
                        f" but {_shown(recorded[field])} in the last event that changed it",
                    )
                )
    return breaks


def chained_models() -> list[type[ChainedEvent]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ChainedEvent) and not model._meta.abstract
    ]
