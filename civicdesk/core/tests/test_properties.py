"""Property tests (Hypothesis) that complete the ones next to each module's examples: the
working-day calendar's arithmetic, tracking-code typing errors, redaction of known details."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from civicdesk.core.redaction import MARKER, redact
from civicdesk.core.tracking import ALPHABET, luhn_check_char, normalize_tracking_code
from civicdesk.core.workdays import DEFAULT_CALENDAR_PATH, load_calendar

CN = load_calendar(DEFAULT_CALENDAR_PATH)
SHANGHAI = ZoneInfo("Asia/Shanghai")
FAST = settings(max_examples=60, deadline=None)

# --- Working days ------------------------------------------------------------------------

days_in_calendar = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 10, 31))
counts = st.integers(min_value=1, max_value=40)


def start_of(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@FAST
@given(day=days_in_calendar, days=counts)
def test_deadline_is_never_a_holiday_nor_an_ordinary_weekend(day: date, days: int) -> None:
    due = CN.add_working_days(start_of(day), days).date()
    assert due not in CN.holidays
    assert due.weekday() < 5 or due in CN.workdays


@FAST
@given(day=days_in_calendar, a=counts, b=counts)
def test_adding_a_then_b_is_adding_a_plus_b(day: date, a: int, b: int) -> None:
    # After a days the clock is at the end of a working day, so the next b count from there.
    first = CN.add_working_days(start_of(day), a)
    assert CN.add_working_days(first, b) == CN.add_working_days(start_of(day), a + b)


@FAST
@given(first=days_in_calendar, gap=st.integers(0, 30), days=counts)
def test_a_later_start_never_gives_an_earlier_deadline(first: date, gap: int, days: int) -> None:
    later = first + timedelta(days=gap)
    assert CN.add_working_days(start_of(first), days) <= CN.add_working_days(start_of(later), days)


@FAST
@given(day=days_in_calendar, days=counts)
def test_the_days_skipped_are_exactly_the_days_off(day: date, days: int) -> None:
    due = CN.add_working_days(start_of(day), days).date()
    between = [day + timedelta(days=i) for i in range(1, (due - day).days + 1)]
    assert sum(CN.is_working_day(d) for d in between) == days


# --- Tracking codes ----------------------------------------------------------------------

payloads = st.text(alphabet=ALPHABET, min_size=9, max_size=9)


def code_of(payload: str) -> str:
    return payload + luhn_check_char(payload)


@FAST
@given(payload=payloads, position=st.integers(0, 8))
def test_adjacent_transposition_is_detected_except_the_luhn_blind_pair(
    payload: str, position: int
) -> None:
    code = code_of(payload)
    a, b = code[position], code[position + 1]
    swapped = code[:position] + b + a + code[position + 2 :]
    if a == b or {a, b} == {"2", "Z"}:  # no change; or Luhn mod N's one blind pair
        return
    assert normalize_tracking_code(swapped) is None


separators = st.lists(st.sampled_from(["", " ", "-", "  ", "\t", " - ", "\u2014"]), min_size=11)


@FAST
@given(payload=payloads, seps=separators, lower=st.lists(st.booleans(), min_size=10))
def test_any_spacing_dashes_and_case_normalise_to_the_code(
    payload: str, seps: list[str], lower: list[bool]
) -> None:
    code = code_of(payload)
    typed = seps[0] + "".join(
        (c.lower() if low else c) + sep for c, low, sep in zip(code, lower, seps[1:], strict=False)
    )
    formatted = normalize_tracking_code(typed)
    assert formatted is not None
    assert formatted.replace("-", "") == code
    assert normalize_tracking_code(formatted) == formatted  # idempotent


# --- Redaction ---------------------------------------------------------------------------

surroundings = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("，。：；！？、 \n的了是在我他说路灯坏abcXYZ"),
    ),
    max_size=15,
)
han_names = st.text(
    alphabet=st.sampled_from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑小明伟芳娜静敏丽强磊军洋"),
    min_size=2,
    max_size=3,
)
emails = st.from_regex(r"\A[a-z][a-z0-9._]{0,10}@[a-z]{2,8}\.(com|org|cn|com\.cn)\Z")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@FAST
@given(before=surroundings, name=han_names, after=surroundings)
def test_a_known_name_never_survives(before: str, name: str, after: str) -> None:
    result = redact(before + name + after, names=[name])
    assert name not in result
    assert redact(result, names=[name]) == result


@FAST
@given(before=surroundings, email=emails, after=surroundings)
def test_an_email_never_survives(before: str, email: str, after: str) -> None:
    result = redact(f"{before} {email} {after}")
    assert email not in result


@FAST
@given(before=surroundings, number=mobiles, after=surroundings, wide=st.booleans())
def test_a_mobile_number_never_survives_full_width_or_not(
    before: str, number: str, after: str, wide: bool
) -> None:
    typed = full_width(number) if wide else number
    result = redact(before + typed + after)
    assert typed not in result
    folded_digits = re.sub(r"\D", "", result.translate({ord(c) + 0xFEE0: c for c in "0123456789"}))
    assert number not in folded_digits
    assert redact(result) == result


@FAST
@given(text=st.text(max_size=60))
def test_redaction_of_any_text_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert MARKER in once or once == text
