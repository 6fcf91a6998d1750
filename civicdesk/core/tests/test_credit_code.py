"""Unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.core.credit_code import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    credit_code_error,
    make_credit_code,
    normalize_credit_code,
)

KNOWN_VALID = "91350100M000100Y43"


def test_known_valid_code() -> None:
    assert credit_code_error(KNOWN_VALID) is None
    assert credit_code_check_char(KNOWN_VALID[:17]) == "3"
    assert make_credit_code(KNOWN_VALID[:17]) == KNOWN_VALID


def test_computed_code_validates() -> None:
    code = make_credit_code("91110108MA01ABCD0")
    assert len(code) == 18
    assert credit_code_error(code) is None


def test_normalisation() -> None:
    assert normalize_credit_code("  91350100m000100y43 \n") == KNOWN_VALID
    assert credit_code_error(" 91350100m000100y43 ") is None


@pytest.mark.parametrize("raw", ["", "9135010", KNOWN_VALID + "0", KNOWN_VALID[:-1]])
def test_bad_length(raw: str) -> None:
    assert credit_code_error(raw) == "length"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_bad_characters(bad: str) -> None:
    assert credit_code_error(KNOWN_VALID[:8] + bad + KNOWN_VALID[9:]) == "characters"
    with pytest.raises(ValueError):
        credit_code_check_char(KNOWN_VALID[:8] + bad + KNOWN_VALID[9:17])


def test_bad_check_digit() -> None:
    assert credit_code_error(KNOWN_VALID[:17] + "4") == "check_digit"


def test_check_value_31_maps_to_zero() -> None:
    # Find a prefix whose weighted sum is a multiple of 31: its check character is "0".
    prefix = next(
        p for n in range(10_000) if credit_code_check_char(p := f"91350100MA{n:07d}") == "0"
    )
    assert credit_code_error(prefix + "0") is None


def test_check_char_wrong_length() -> None:
    with pytest.raises(ValueError):
        credit_code_check_char("123")


first17 = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


@given(first17=first17)
def test_property_made_codes_validate(first17: str) -> None:
    assert credit_code_error(make_credit_code(first17)) is None


@given(first17=first17, other=st.sampled_from(CREDIT_CODE_ALPHABET))
def test_property_changed_check_digit_fails(first17: str, other: str) -> None:
    code = make_credit_code(first17)
    altered = code[:-1] + other
    assert (credit_code_error(altered) is None) == (other == code[-1])
    if other != code[-1]:
        assert credit_code_error(altered) == "check_digit"
