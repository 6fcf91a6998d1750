"""The hash chain's arithmetic; its use on real models is tested where they live."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from civicdesk.core.chain import GENESIS, canonical, digest


def test_canonical_form_ignores_key_order_and_spells_values_once():
    a = {"b": Decimal("1.50"), "a": datetime(2026, 1, 1, tzinfo=UTC), "c": "路灯"}
    b = {"c": "路灯", "a": datetime(2026, 1, 1, tzinfo=UTC), "b": Decimal("1.50")}
    assert canonical(a) == canonical(b)
    assert "路灯" in canonical(a)


def test_digest_depends_on_content_and_predecessor():
    first = digest(GENESIS, {"what": "修路灯", "deadline": "2026-12-31"})
    assert digest(GENESIS, {"what": "修路灯", "deadline": "2026-12-31"}) == first
    assert digest(GENESIS, {"what": "修路灯", "deadline": "2027-01-31"}) != first
    assert digest(first, {"what": "修路灯", "deadline": "2026-12-31"}) != first


def test_one_instant_is_spelt_once_whatever_its_time_zone():
    utc = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    shanghai = utc.astimezone(timezone(timedelta(hours=8)))
    assert canonical({"at": shanghai}) == canonical({"at": utc})
    assert canonical({"at": utc}) == '{"at":"2026-03-01T01:00:00+00:00"}'  # as before
