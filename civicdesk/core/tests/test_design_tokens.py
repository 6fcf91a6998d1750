"""The stylesheet's colour tokens meet WCAG AA where they are used together (docs/design.md)."""

import re
from pathlib import Path

import pytest

from civicdesk.core.colors import AA_TEXT, contrast_ratio

STYLESHEET = Path(__file__).parents[1] / "static" / "civicdesk" / "site.css"

# (text, background, minimum): every pair the components use. Controls' borders and focus
# rings are not text; WCAG 1.4.11 asks 3:1 of them.
PAIRS = [
    *[
        (text, background, AA_TEXT)
        for text in ("--color-text", "--color-text-muted", "--color-link")
        for background in ("--color-bg", "--color-surface", "--color-surface-sunken")
    ],
    ("--color-on-brand", "--color-brand", AA_TEXT),
    ("--color-brand", "--color-surface", AA_TEXT),
    ("--color-brand", "--color-bg", AA_TEXT),
    ("--color-ok", "--color-ok-bg", AA_TEXT),
    ("--color-ok", "--color-surface", AA_TEXT),
    ("--color-warn", "--color-warn-bg", AA_TEXT),
    ("--color-warn", "--color-surface", AA_TEXT),
    ("--color-danger", "--color-danger-bg", AA_TEXT),
    ("--color-danger", "--color-surface", AA_TEXT),
    ("--color-info", "--color-info-bg", AA_TEXT),
    *[
        ("--color-text", badge, AA_TEXT)
        for badge in (
            "--color-neutral-bg",
            "--color-ok-bg",
            "--color-warn-bg",
            "--color-danger-bg",
            "--color-info-bg",
        )
    ],
    ("--color-link", "--color-info-bg", AA_TEXT),
    ("--color-text-muted", "--color-neutral-bg", AA_TEXT),
    ("--color-on-brand", "--color-danger", AA_TEXT),  # the overdue badge
    ("--color-border-strong", "--color-surface", 3.0),
    ("--color-focus", "--color-surface", 3.0),
    ("--color-focus", "--color-bg", 3.0),
]


def tokens() -> dict[str, str]:
    css = STYLESHEET.read_text(encoding="utf-8")
    root = re.search(r":root\s*\{(.*?)\n\}", css, re.S).group(1)
    return dict(re.findall(r"(--color-[a-z-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\s*;", root))


def test_every_colour_token_is_a_plain_colour():
    found = tokens()
    used = {name for pair in PAIRS for name in pair[:2]}
    assert used <= set(found), used - set(found)


@pytest.mark.parametrize(("text", "background", "minimum"), PAIRS)
def test_colour_pairs_meet_wcag_aa(text, background, minimum):
    colours = tokens()
    ratio = contrast_ratio(colours[text], colours[background])
    assert ratio >= minimum, f"{text} on {background}: {ratio:.2f}:1 < {minimum}:1"


def test_contrast_arithmetic():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1.0)
