"""The appraisal line "deduction per supervision letter answered late", on a month worked out
by hand: the unit's score shows it line by line and its drill-down lists the letters."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from civicdesk.appraisal import scores
from civicdesk.appraisal.schemes import scheme_create
from civicdesk.conftest import login
from civicdesk.supervision.appraisal_lines import late_letters
from civicdesk.supervision.models import LetterStatus, SupervisionLetter

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def moment(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(date(2025, month, day), time(hour)))


def letter(unit, case, number: str, deadline: date, replied: datetime | None) -> SupervisionLetter:
    """A past letter as it stands (the services date new letters now, not in 2025)."""
    return SupervisionLetter.objects.create(
        number=number,
        unit=unit,
        case=case,
        requirement="限期整改并报告",
        deadline=deadline,
        issued_at=moment(2, 20),
        status=LetterStatus.REPLIED if replied else LetterStatus.OPEN,
        reply="已整改" if replied else "",
        replied_at=replied,
    )


@pytest.fixture
def march_letters(units, case):
    urban, market = units["urban"], units["market"]
    return {
        # Replied on the deadline day, in the evening: on time.
        "on_time": letter(urban, case, "督办〔2025〕1号", date(2025, 3, 10), moment(3, 10, 21)),
        # Replied the day after: late.
        "late": letter(urban, case, "督办〔2025〕2号", date(2025, 3, 12), moment(3, 13, 9)),
        # Never replied: late too.
        "silent": letter(urban, case, "督办〔2025〕3号", date(2025, 3, 20), None),
        # To the window below urban: the subtree counts.
        "below": letter(
            units["urban-window"], case, "督办〔2025〕4号", date(2025, 3, 25), moment(3, 28)
        ),
        # Another unit, and a deadline in April: not urban's March.
        "other_unit": letter(market, case, "督办〔2025〕5号", date(2025, 3, 12), None),
        "april": letter(urban, case, "督办〔2025〕6号", date(2025, 4, 2), None),
    }


def test_late_letters_of_a_month_counted_by_hand(march_letters, units):
    period = scores.period_of(MARCH)

    late = set(late_letters(units["urban"], period).values_list("number", flat=True))

    assert late == {"督办〔2025〕2号", "督办〔2025〕3号", "督办〔2025〕4号"}


def test_the_score_shows_the_deduction_line_by_line(march_letters, units, supervisor):
    scheme_create(
        name="含督办考核",
        valid_from=MARCH,
        rows=[
            {"kind": "base", "points": "100"},
            {"kind": "late_supervision_letter", "points": "1.5", "cap": "4"},
        ],
        actor=supervisor,
    )

    score = scores.unit_score(units["urban"], MARCH)
    page = login(supervisor).get("/staff/appraisal/units/urban/", {"month": "2025-03"})
    drill = login(supervisor).get("/staff/appraisal/units/urban/lines/2/", {"month": "2025-03"})

    line = score.lines[1]
    # 3 letters × 1.5 = 4.5, capped at 4.
    assert (line.result, line.capped) == (Decimal("-4.00"), True)
    assert score.total == Decimal("96.00")
    text = page.content.decode()
    assert "Deduction per supervision letter answered late" in text
    assert "3 × 1.50 = −4.50" in text
    assert [row.code for row in drill.context["rows"]] == [
        "督办〔2025〕2号",
        "督办〔2025〕3号",
        "督办〔2025〕4号",
    ]
