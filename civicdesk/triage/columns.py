"""Reading a table's columns for `civicdesk triage`: texts, labels, ids, likes, times and
flags, each checked, with errors that name the file, row and column to fix."""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from civicdesk.triage.errors import TriageError
from civicdesk.triage.io import Table

# Longer than any real message (the longest in years of a city's message board are a few
# thousand characters); longer cells are pasted documents or a broken CSV that swallowed many
# rows into one quoted cell. Refused rather than truncated, so nothing is judged on a fragment.
MAX_TEXT_CHARS = 20_000


def texts(table: Table, columns: Sequence[str]) -> list[str]:
    texts: list[str] = []
    empty: list[int] = []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        parts = []
        for column in columns:
            value = row[column]
            if len(value) > MAX_TEXT_CHARS:
                raise TriageError(
                    f"the text is {len(value):,} characters long; at most {MAX_TEXT_CHARS:,} "
                    "are accepted (is a quote missing, so that many rows ran into one cell?)",
                    file=table.file,
                    row=number,
                    column=column,
                )
            if value.strip():
                parts.append(value.strip())
        if not parts:
            empty.append(number)
        texts.append("\n".join(parts))
    if empty:
        names = ", ".join(repr(column) for column in columns)
        raise TriageError(
            f"no text: {names} {'is' if len(columns) == 1 else 'are all'} empty; every row "
            f"needs text, so fill it in or delete the row{_more_rows(empty)}",
            file=table.file,
            row=empty[0],
        )
    return texts


def labels(table: Table, column: str) -> list[str]:
    labels = [row[column].strip() for row in table.rows]
    empty = [n for n, label in zip(table.row_numbers, labels, strict=True) if not label]
    if empty:
        raise TriageError(
            f"the label is empty; every row needs one{_more_rows(empty)}",
            file=table.file,
            row=empty[0],
            column=column,
        )
    for label, number in zip(labels, table.row_numbers, strict=True):
        if "|" in label:
            # The top3 output column separates labels with "|".
            raise TriageError(
                f"label {label!r} contains '|', which is not allowed in labels",
                file=table.file,
                row=number,
                column=column,
            )
    return labels


def require_two_labels(table: Table, column: str, labels: list[str]) -> None:
    distinct = set(labels)
    if len(distinct) < 2:
        raise TriageError(
            f"training needs at least 2 different labels, but every row has {labels[0]!r}",
            file=table.file,
            column=column,
        )


def ids(table: Table, column: str) -> list[str]:
    ids = [row[column].strip() for row in table.rows]
    empty = [n for n, id_ in zip(table.row_numbers, ids, strict=True) if not id_]
    if empty:
        raise TriageError(
            f"the id is empty; every row needs one{_more_rows(empty)}",
            file=table.file,
            row=empty[0],
            column=column,
        )
    return ids


def require_unique(table: Table, column: str, ids: list[str]) -> None:
    rows_of: dict[str, list[int]] = defaultdict(list)
    for id_, number in zip(ids, table.row_numbers, strict=True):
        rows_of[id_].append(number)
    repeated = [(id_, numbers) for id_, numbers in rows_of.items() if len(numbers) > 1]
    if repeated:
        id_, numbers = min(repeated, key=lambda item: item[1][1])
        others = f" ({len(repeated) - 1} more ids are repeated too)" if len(repeated) > 1 else ""
        raise TriageError(
            f"id {id_!r} appears in rows {', '.join(map(str, numbers))}; ids must be unique"
            + others,
            file=table.file,
            row=numbers[1],
            column=column,
        )


def _more_rows(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return ""
    shown = ", ".join(map(str, numbers[1:6]))
    return f" (also rows {shown}{', …' if len(numbers) > 6 else ''})"


def parsed(
    table: Table, column: str | None, parse: Callable[[str], Any], default: Any
) -> list[Any]:
    if not column:
        return [default] * len(table.rows)
    values = []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        try:
            values.append(parse(row[column]))
        except ValueError as exc:
            raise TriageError(str(exc), file=table.file, row=number, column=column) from exc
    return values


def parse_likes(value: str) -> int:
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            as_float = 0.5
        if not as_float.is_integer():
            raise ValueError(f"likes must be a whole number, not {value!r}") from None
        number = int(as_float)
    if number < 0:
        raise ValueError(f"likes cannot be negative ({value!r})")
    return number


_TIME_FORMATS = tuple(
    f"{date} {clock}".strip()
    for date in ("%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d", "%Y年%m月%d日")
    for clock in ("%H:%M:%S", "%H:%M", "")
)


def parse_time(value: str) -> dt.datetime | None:
    """A message time from the formats spreadsheets produce; None when the cell is empty.

    Times with a UTC offset keep their wall-clock time and lose the offset, because the
    other times in a file carry none and the two cannot be compared.
    """
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if not text:
        return None
    parsed: dt.datetime | None = None
    with contextlib.suppress(ValueError):
        parsed = dt.datetime.fromisoformat(text)
    for time_format in _TIME_FORMATS:
        if parsed is not None:
            break
        with contextlib.suppress(ValueError):
            parsed = dt.datetime.strptime(text, time_format)
    if parsed is None:
        raise ValueError(
            f"cannot read {value!r} as a time; use e.g. 2019/2/28 11:25:05, "
            "2019-02-28 11:25:05 or 2019-02-28"
        )
    return parsed.replace(tzinfo=None)


_TRUE = frozenset({"1", "true", "t", "yes", "y", "x", "是", "企业", "√", "✓"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "否", "个人"})


def parse_flag(value: str) -> bool:
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected 1/0, true/false, yes/no or 是/否, not {value!r}")
