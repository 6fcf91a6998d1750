"""Checking and saving appraisal schemes: every line is checked before anything is saved, and
each error names its line, so a scheme is saved whole or not at all."""

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.appraisal import lines
from civicdesk.appraisal.models import Scheme, SchemeLine

MAX_POINTS = Decimal("1000")


class SchemeError(Exception):
    """A scheme that cannot be saved; `errors` are translated sentences, each naming a line
    (or the scheme's own field)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ParsedLine:
    kind: str
    target: str
    points: Decimal
    cap: Decimal | None


def _text(value) -> str:
    # Full-width digits and points typed with a Chinese input method read as ASCII ones.
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def _number(value) -> Decimal:
    """A number of points: at most two decimals, from 0 to MAX_POINTS; ValueError if not."""
    text = _text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite() or number < 0 or number > MAX_POINTS:
        raise ValueError
    if number != number.quantize(Decimal("0.01")):
        raise ValueError
    return number.quantize(Decimal("0.01"))


def _is_blank(row: dict) -> bool:
    return not any(_text(row.get(key)) for key in ("kind", "target", "points", "cap"))


def _name(number: int, kind: lines.LineKind | None) -> str:
    if kind is None:
        return _("Line %(n)d") % {"n": number}
    return _("Line %(n)d (%(kind)s)") % {"n": number, "kind": kind.label}


def parse_lines(rows: list[dict]) -> list[ParsedLine]:
    """Check the rows of a scheme (dicts with kind, target, points, cap; blank rows are left
    out and do not count) and return them parsed; SchemeError lists every problem."""
    errors: list[str] = []
    parsed: list[ParsedLine] = []
    seen: dict[tuple[str, str], int] = {}
    known = lines.kinds()
    number = 0
    for row in rows:
        if _is_blank(row):
            continue
        number += 1
        code, target = _text(row.get("kind")), _text(row.get("target"))
        kind = known.get(code)
        name = _name(number, kind)
        if kind is None:
            errors.append(
                _("%(line)s: “%(kind)s” is not a kind of line; use one of: %(kinds)s.")
                % {
                    "line": name,
                    "kind": code,
                    "kinds": ", ".join(f"{k.code} ({k.label})" for k in known.values()),
                }
            )
            continue
        if kind.targets is not None:
            targets = kind.targets()
            if target not in targets:
                errors.append(
                    _("%(line)s: choose which rate (one of: %(rates)s).")
                    % {"line": name, "rates": ", ".join(targets)}
                )
                continue
        elif target:
            errors.append(_("%(line)s: only a rate line names a rate.") % {"line": name})
            continue
        try:
            points = _number(row.get("points"))
        except ValueError:
            errors.append(
                _(
                    "%(line)s: the points “%(points)s” are not a number of points; write a "
                    "number from 0 to 1000 with at most two decimals, e.g. 2 or 0.5."
                )
                % {"line": name, "points": _text(row.get("points"))}
            )
            continue
        cap = None
        if _text(row.get("cap")):
            if kind.effect not in (lines.DEDUCTION, lines.BONUS):
                errors.append(
                    _("%(line)s: only a deduction or a bonus has an upper limit.") % {"line": name}
                )
                continue
            try:
                cap = _number(row.get("cap"))
            except ValueError:
                errors.append(
                    _(
                        "%(line)s: the upper limit “%(cap)s” is not a number of points; write "
                        "a number from 0 to 1000 with at most two decimals."
                    )
                    % {"line": name, "cap": _text(row.get("cap"))}
                )
                continue
        key = (code, target)
        if key in seen:
            errors.append(
                _("%(line)s repeats line %(first)d.") % {"line": name, "first": seen[key]}
            )
            continue
        seen[key] = number
        parsed.append(ParsedLine(kind=code, target=target, points=points, cap=cap))
    if not errors and not parsed:
        errors.append(_("A scheme needs at least one line."))
    if errors:
        raise SchemeError(errors)
    return parsed


@transaction.atomic
def scheme_create(
    *, name: str, valid_from: date, rows: list[dict], actor: User, note: str = ""
) -> Scheme:
    """A new version of the scheme, from the month `valid_from`; all of it or nothing."""
    errors = []
    if not name.strip():
        errors.append(_("Name the scheme."))
    try:
        parsed = parse_lines(rows)
    except SchemeError as error:
        errors += error.errors
    if errors:
        raise SchemeError(errors)
    scheme = Scheme.objects.create(
        name=name.strip(),
        valid_from=valid_from.replace(day=1),
        note=note.strip(),
        created_by=actor,
    )
    SchemeLine.objects.bulk_create(
        SchemeLine(
            scheme=scheme,
            position=position,
            kind=line.kind,
            target=line.target,
            points=line.points,
            cap=line.cap,
        )
        for position, line in enumerate(parsed, start=1)
    )
    return scheme


def scheme_rows(scheme: Scheme | None) -> list[dict]:
    """A scheme's lines as the rows the form and the API take (to start a new version)."""
    if scheme is None:
        return []
    return [
        {
            "kind": line.kind,
            "target": line.target,
            "points": str(line.points),
            "cap": "" if line.cap is None else str(line.cap),
        }
        for line in scheme.lines.all()
    ]
