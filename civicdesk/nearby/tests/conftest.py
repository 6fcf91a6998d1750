"""Published reports at known places, for the map, "me too" and the alerts."""

from decimal import Decimal

import pytest

from civicdesk.cases.models import Case, Category

# Two places 30 m apart near the district centre, and one 3 km north of them.
EAST_GATE = (Decimal("30.274100"), Decimal("120.155100"))
EAST_GATE_NEIGHBOUR = (Decimal("30.274300"), Decimal("120.155300"))
NORTH = (Decimal("30.301100"), Decimal("120.155100"))


@pytest.fixture
def street_lights(db) -> Category:
    return Category.objects.get(code="street-lights")


@pytest.fixture
def publish(make_case):
    """A report whose reporter agreed to publication, at ``place``."""

    def make(place=EAST_GATE, **fields) -> Case:
        fields.setdefault("consent_publish", True)
        fields.setdefault("address", "东苑小区3号楼门口")
        latitude, longitude = place if place else (None, None)
        return make_case(latitude=latitude, longitude=longitude, **fields)

    return make
