"""Text normalisation for analysis only; the original text is always kept elsewhere.

Traditional → Simplified, full-width → half-width, HTML and spreadsheet debris removed, and
whitespace collapsed, so that the same words written differently count as the same words.
"""

import html
import re
import unicodedata

from civicdesk.core.textnorm import to_simplified

_EXCEL_ESCAPE = re.compile(r"_x000[dDaA9]_")
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The analysis form of a message: Simplified, half-width, lower-case, single-spaced."""
    if not text:
        return ""
    text = _EXCEL_ESCAPE.sub(" ", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACE.sub(" ", text).strip().lower()
