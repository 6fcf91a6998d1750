"""Tracking codes: format, check character, normalisation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.core.tracking import (
    ALPHABET,
    is_valid_tracking_code,
    luhn_check_char,
    new_tracking_code,
    normalize_tracking_code,
)

FORMAT = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-"
    r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{2}$"
)
payloads = st.text(alphabet=ALPHABET, min_size=9, max_size=9)


def compact(code: str) -> str:
    return code.replace("-", "")


def test_alphabet_has_no_lookalikes() -> None:
    assert len(ALPHABET) == 30
    assert not set("0O1ILU") & set(ALPHABET)


def test_new_code_format_and_round_trip() -> None:
    for _ in range(200):
        code = new_tracking_code()
        assert FORMAT.match(code)
        assert normalize_tracking_code(code) == code
        assert is_valid_tracking_code(code)


def test_codes_are_random() -> None:
    assert len({new_tracking_code() for _ in range(1000)}) == 1000


def test_every_single_substitution_detected() -> None:
    for _ in range(20):
        code = compact(new_tracking_code())
        for i in range(len(code)):
            for char in ALPHABET:
                if char == code[i]:
                    continue
                altered = code[:i] + char + code[i + 1 :]
                assert normalize_tracking_code(altered) is None, (code, altered)


def test_adjacent_transpositions_detected_except_known_luhn_pair() -> None:
    for _ in range(200):
        code = compact(new_tracking_code())
        for i in range(len(code) - 1):
            a, b = code[i], code[i + 1]
            if a == b:
                continue
            swapped = code[:i] + b + a + code[i + 2 :]
            if {a, b} == {"2", "Z"}:  # Luhn mod N's blind spot (like 09/90 in decimal)
                assert normalize_tracking_code(swapped) is not None
            else:
                assert normalize_tracking_code(swapped) is None, (code, swapped)


def test_lower_case_spaces_and_dashes_accepted() -> None:
    code = new_tracking_code()
    raw = compact(code).lower()
    assert normalize_tracking_code(raw) == code
    assert normalize_tracking_code(f"  {raw[:3]} {raw[3:7]}\t{raw[7:]}\n") == code
    assert normalize_tracking_code(code.replace("-", " - ")) == code
    assert normalize_tracking_code(code.replace("-", "\u2014")) == code


@pytest.mark.parametrize("bad", ["0", "O", "1", "I", "L", "U", "o", "i", "l", "u"])
def test_ambiguous_characters_refused(bad: str) -> None:
    code = compact(new_tracking_code())
    assert normalize_tracking_code(bad + code[1:]) is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ABCD-EFGH",
        "ABCD-EFGH-JKM",
        "".join(chr(ord(c) + 0xFEE0) for c in "ABCDEFGHJD"),  # valid code, full-width
        "\u017f" * 10,
        "A" * 1000,
    ],
)
def test_garbage_refused(raw: str) -> None:
    assert normalize_tracking_code(raw) is None
    assert not is_valid_tracking_code(raw)


def test_no_lookalike_mapping() -> None:
    # A code containing "2" and "Z": the visually close "z"/"s" must not be guessed.
    payload = "22222222Z"
    code = payload + luhn_check_char(payload)
    assert normalize_tracking_code(code) is not None
    assert normalize_tracking_code(code.replace("2", "S")) is None


@given(payload=payloads)
def test_property_generated_codes_validate(payload: str) -> None:
    code = payload + luhn_check_char(payload)
    formatted = normalize_tracking_code(code)
    assert formatted is not None
    assert FORMAT.match(formatted)
    assert normalize_tracking_code(formatted.lower()) == formatted


@given(payload=payloads, position=st.integers(0, 9), char=st.sampled_from(ALPHABET))
def test_property_substitution_detected(payload: str, position: int, char: str) -> None:
    code = payload + luhn_check_char(payload)
    altered = code[:position] + char + code[position + 1 :]
    assert is_valid_tracking_code(altered) == (altered == code)


def test_full_width_example_is_valid_in_ascii() -> None:
    assert normalize_tracking_code("ABCDEFGHJD") == "ABCD-EFGH-JD"
