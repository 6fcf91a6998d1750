"""Tamper-evident history: events whose hashes chain each one to the one before.

Each chained model keeps one chain per `chain` name (e.g. "measure:12" or "promises"). An
event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any event breaks every hash after it, and `civicdesk verify_chains` finds it.
Appends to one chain are serialised by a row lock on its ChainHead, so two concurrent
appends cannot both claim the same predecessor.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

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


class ChainedEvent(AppendOnly):
    """Base for append-only, hash-chained events. Subclasses list the fields that the hash
    covers in `chained_fields` (the content of the event, not its bookkeeping)."""

    chain = models.CharField(max_length=100, db_index=True, editable=False)
    position = models.PositiveIntegerField(editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    chained_fields: tuple[str, ...] = ()

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
        content["created_at"] = self.created_at
        content["chain"] = self.chain
        content["position"] = self.position
        return content

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
    """Recompute every chain of a model; an empty list means nothing was rewritten."""
    label = model._meta.label
    breaks: list[ChainBreak] = []
    heads = {h.chain: h for h in ChainHead.objects.filter(model=label)}
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
        previous_hash, expected = event.hash, expected + 1
    for chain, head in heads.items():
        last = model.objects.filter(chain=chain).order_by("-position").first()
        if last is None or last.hash != head.last_hash or last.position != head.length:
            breaks.append(
                ChainBreak(label, chain, head.length, "events at the end of the chain were removed")
            )
    return breaks


def chained_models() -> list[type[ChainedEvent]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ChainedEvent) and not model._meta.abstract
    ]
