"""Text normalisation so that searches match across scripts and widths.

Reporters write in Simplified or Traditional Chinese and often type full-width letters and
digits with a Chinese input method. Searching on a normalised form makes 臺灣 find 台湾 and
full-width letters find ASCII ones.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import opencc

__all__ = ["normalize_for_search", "to_simplified", "to_traditional"]

_converters: dict[str, opencc.OpenCC] = {}
_lock = threading.Lock()
_WHITESPACE = re.compile(r"\s+")


def _converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per config, created on first use (loading dictionaries is slow)."""
    converter = _converters.get(config)
    if converter is None:
        with _lock:
            converter = _converters.get(config)
            if converter is None:
                converter = opencc.OpenCC(config)
                _converters[config] = converter
    return converter


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (other text unchanged)."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese (other text unchanged)."""
    return str(_converter("s2t").convert(text))


def normalize_for_search(text: str) -> str:
    """NFKC (full-width -> half-width), Traditional -> Simplified, casefold, collapse spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    text = text.casefold()
    # casefold can produce characters NFKC would change again (rare); keep it a fixed point.
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", text).strip()
