"""Tracking codes that reporters use to follow their case without an account.

Codes are read aloud over the phone and copied from paper, so the alphabet leaves out
characters that look or sound alike (0/O, 1/I/L, U/V). They are the only secret a
reporter holds, so the random part comes from ``secrets`` (30**9 ~ 2e13 codes). A Luhn
mod N check character catches every single-character typo and almost every swap of two
neighbouring characters before a database lookup is made.

Known limit of Luhn mod N: swapping the neighbouring pair "2Z" <-> "Z2" (the first and last
alphabet characters) is not detected, exactly like "09" <-> "90" in decimal Luhn.
"""

from __future__ import annotations

import secrets

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "is_valid_tracking_code",
    "luhn_check_char",
    "new_tracking_code",
    "normalize_tracking_code",
]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 9 random characters + 1 check character
_N = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_SEPARATORS = frozenset("-_\u2010\u2011\u2012\u2013\u2014\u2015\uff0d")  # pasted dashes
_MAX_RAW_LENGTH = 64  # refuse silly input before doing any work


def _luhn_sum(payload: str, double_first: bool) -> int:
    """Luhn mod N sum, walking right to left; ``double_first`` doubles the rightmost char."""
    total = 0
    factor = 2 if double_first else 1
    for char in reversed(payload):
        addend = factor * _INDEX[char]
        total += addend // _N + addend % _N
        factor = 1 if factor == 2 else 2
    return total


def luhn_check_char(payload: str) -> str:
    """Luhn mod N check character for ``payload`` (characters from ``ALPHABET``)."""
    remainder = _luhn_sum(payload, double_first=True) % _N
    return ALPHABET[(_N - remainder) % _N]


def _format(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def new_tracking_code() -> str:
    """A fresh random code, formatted ``XXXX-XXXX-XX``."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH - 1))
    return _format(payload + luhn_check_char(payload))


def normalize_tracking_code(raw: str) -> str | None:
    """The formatted code if ``raw`` is a valid code, else None.

    Accepts lower case, spaces and dashes anywhere. Does NOT guess look-alikes (O for 0 and
    so on): those characters are never issued, so a guess could only point at someone
    else's case.
    """
    if not isinstance(raw, str) or len(raw) > _MAX_RAW_LENGTH:
        return None
    compact = "".join(c for c in raw if not c.isspace() and c not in _SEPARATORS)
    if not compact.isascii():  # str.upper() maps e.g. U+017F (long s) to "S"
        return None
    compact = compact.upper()
    if len(compact) != CODE_LENGTH or any(c not in _INDEX for c in compact):
        return None
    if _luhn_sum(compact, double_first=False) % _N != 0:
        return None
    return _format(compact)


def is_valid_tracking_code(raw: str) -> bool:
    """True if ``raw`` normalises to a well-formed code with a correct check character."""
    return normalize_tracking_code(raw) is not None
