"""Reply templates' placeholders: the blanks a template leaves for the handler to fill in.

A template such as "经有关单位核实处理，……。" is a form, not an answer: sent unchanged, the
reporter and the public read "……" as the official answer. ``unfilled_placeholders`` lists the
placeholders of the office's templates that an answer still contains, so that answering can
refuse it whatever the way in (staff page or API).

Only marks that templates actually use as blanks count: "……" also quotes part of a regulation
in real answers, and "XX" hides a name; an office whose templates use neither keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["placeholders_in", "unfilled_placeholders"]

# Marks that stand for something to fill in when they occur in a template.
_PLACEHOLDER = re.compile(
    r"…+"  # ……, the usual blank of Chinese form letters (and a lone …)
    r"|\.{3,}"  # the same typed on a Latin keyboard
    r"|(?<![A-Za-z])(?:[Xx]{2,}|×{2,}|＊{2,}|\*{2,})(?![A-Za-z])"  # XX街道, ××同志
    r"|[○〇□]{2,}"  # ○○社区
    r"|_{2,}|＿{2,}"  # blanks to write on
    r"|\{\{?[^{}\n]{0,40}\}?\}"  # {姓名}, {{ date }}
    r"|【[^】\n]{0,20}(?:填写|填入|输入|请填|待定|待补充)[^】\n]{0,20}】"  # 【请填写处理结果】
    r"|【\s*】|\[\s*\]"  # empty brackets
)


def placeholders_in(text: str) -> list[str]:
    """The placeholders in one text, each once, in order."""
    return list(dict.fromkeys(match.group() for match in _PLACEHOLDER.finditer(text or "")))


def _run(mark: str) -> str | None:
    """The character of a mark made of one character repeated (……, XX, ____), else None."""
    return mark[0] if len(set(mark)) == 1 else None


def unfilled_placeholders(answer: str, templates: Iterable[str]) -> list[str]:
    """The marks in ``answer``, in order, that are placeholders of ``templates`` (their texts).

    A run of one character counts when a template has a run of it at most as long ("………" for
    a template's "……": a blank typed into, not over); other marks ({姓名}) count when equal.
    """
    shortest_run: dict[str, int] = {}
    exact: set[str] = set()
    for body in templates:
        for mark in placeholders_in(body):
            run = _run(mark)
            if run is None:
                exact.add(mark)
            else:
                shortest_run[run] = min(len(mark), shortest_run.get(run, len(mark)))
    unfilled = []
    for mark in placeholders_in(answer):
        run = _run(mark)
        if mark in exact or (run is not None and len(mark) >= shortest_run.get(run, len(mark) + 1)):
            unfilled.append(mark)
    return unfilled
