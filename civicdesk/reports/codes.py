"""Secret follow-up codes for whistle-blowers.

The same alphabet and Luhn mod N check as tracking codes (no look-alike characters, typos
caught before any lookup), but much longer: 16 random characters from ``secrets`` (30**16,
about 4e23 or 78 bits) plus one check character. The code is shown once and only its
SHA-256 is stored, so neither the database nor the staff can show it again.
"""

from __future__ import annotations

import hashlib
import secrets

from civicdesk.core.tracking import ALPHABET, luhn_check_char

RANDOM_LENGTH = 16
CODE_LENGTH = RANDOM_LENGTH + 1
_SEPARATORS = frozenset("-_\u2010\u2011\u2012\u2013\u2014\u2015\uff0d")
_MAX_RAW_LENGTH = 80


def _format(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def new_followup_code() -> str:
    """A fresh code, formatted ``XXXX-XXXX-XXXX-XXXX-X``."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(payload + luhn_check_char(payload))


def normalize_followup_code(raw: str) -> str | None:
    """The compact (unformatted) code if ``raw`` is well formed with a correct check, else None."""
    if not isinstance(raw, str) or len(raw) > _MAX_RAW_LENGTH:
        return None
    compact = "".join(c for c in raw if not c.isspace() and c not in _SEPARATORS)
    if not compact.isascii():
        return None
    compact = compact.upper()
    if len(compact) != CODE_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    if luhn_check_char(compact[:-1]) != compact[-1]:
        return None
    return compact


def followup_digest(raw: str) -> str | None:
    """What is stored for a code: the SHA-256 of its compact form (None for a malformed code)."""
    compact = normalize_followup_code(raw)
    return hashlib.sha256(compact.encode()).hexdigest() if compact else None
