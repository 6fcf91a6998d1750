"""The words shown as the reason for a suggestion: whole words a person reads, never personal data.

A classifier over character n-grams is driven by fragments ("路灯" but also "灯不", "0731"),
which read as noise and can carry digits of a phone or ID number. Evidence is therefore chosen
among whole words of the message (the word view's segmentation) after the personal data the public
pages hide has been masked with `civicdesk.core.redaction` (pure Python, no Django): phone and
ID numbers, e-mail addresses, plates, flat numbers and names announced by a cue (我叫…, 王先生).
Of what is left, a word counts only if it is two or more letters with no digit in it and is
no number written in Chinese (十一点), so no number of any kind can be shown; function words
say nothing and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from civicdesk.core.redaction import MARKER, redact
from civicdesk.triage.tokenize import STOPWORDS
from civicdesk.triage.wordview import segment

__all__ = ["candidate_words"]

# Letters only (Han, Latin, …): no digits, no underscore, no punctuation, at least two.
_WORD = re.compile(r"[^\W\d_]{2,}")
# Numbers written in Chinese (十一点, 三号, 二〇二三年) are numbers too.
_CHINESE_NUMBER = re.compile(
    r"[〇零一二三四五六七八九十百千万亿两]+"  # the number
    r"[点号楼栋幢单元室户年月日天个次岁元块分秒]*"  # and what it counts
)


def candidate_words(text: str) -> Iterator[str]:
    """The distinct whole words of normalised `text` that may be shown as evidence, in order."""
    masked = redact(text)
    seen: set[str] = set()
    for word in segment(masked):
        if (
            word in seen
            or word in STOPWORDS
            or MARKER[0] in word
            or not _WORD.fullmatch(word)
            or _CHINESE_NUMBER.fullmatch(word)
        ):
            continue
        seen.add(word)
        yield word
