"""Unified social credit code (统一社会信用代码, GB 32100-2015) checks.

Enterprises identify themselves with this 18-character code. Checking the format and the
check character at input time catches typos before a case is linked to the wrong company.
"""

from __future__ import annotations

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "credit_code_check_char",
    "credit_code_error",
    "make_credit_code",
    "normalize_credit_code",
]

# GB 32100-2015 alphabet: digits and capital letters without I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_INDEX = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LENGTH = 18


def normalize_credit_code(raw: str) -> str:
    """Strip surrounding whitespace and upper-case (codes are often typed in lower case)."""
    return raw.strip().upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters (already normalised)."""
    if len(first17) != _LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(_INDEX[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a credit code") from None
    check = 31 - total % 31
    return CREDIT_CODE_ALPHABET[0 if check == 31 else check]


def make_credit_code(first17: str) -> str:
    """A full valid code from 17 characters (for tests and demo data)."""
    first17 = normalize_credit_code(first17)
    return first17 + credit_code_check_char(first17)


def credit_code_error(raw: str) -> str | None:
    """None if ``raw`` is a valid code, else "length", "characters" or "check_digit"."""
    code = normalize_credit_code(raw)
    if len(code) != _LENGTH:
        return "length"
    if any(c not in _INDEX for c in code):
        return "characters"
    if credit_code_check_char(code[:-1]) != code[-1]:
        return "check_digit"
    return None
