"""Search normalisation across scripts and widths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civicdesk.core.textnorm import normalize_for_search, to_simplified, to_traditional


def test_traditional_and_simplified_match() -> None:
    assert normalize_for_search("臺灣") == normalize_for_search("台湾")
    assert normalize_for_search("隨手拍") == normalize_for_search("随手拍") == "随手拍"


def test_full_width_to_half_width_and_casefold() -> None:
    assert normalize_for_search("ＡＢＣ１２３") == "abc123"
    assert normalize_for_search("Straße") == "strasse"


def test_whitespace_collapsed() -> None:
    assert normalize_for_search("  路灯\u3000不亮\n\t了  ") == "路灯 不亮 了"


def test_conversions() -> None:
    assert to_traditional("随手拍") == "隨手拍"
    assert to_simplified("隨手拍") == "随手拍"
    assert to_simplified("hello 123") == "hello 123"


mixed_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("臺灣台湾隨手拍随手拍路燈灯壞了坏發現发现　 \t\nＡＢＣａｂｃ１２３"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=40,
)


@given(text=mixed_text)
def test_property_idempotent(text: str) -> None:
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once


@given(text=st.text(alphabet="臺灣隨手拍路燈壞了發現問題", max_size=20))
def test_property_traditional_matches_its_simplified_form(text: str) -> None:
    assert normalize_for_search(text) == normalize_for_search(to_simplified(text))
