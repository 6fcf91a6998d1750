"""The hash chain's arithmetic; its use on real models is tested where they live."""

from datetime import UTC, datetime
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
