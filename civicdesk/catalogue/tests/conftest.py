import datetime as dt

import pytest
from django.utils import timezone

from civicdesk.catalogue.models import ServiceItem, ServiceRecord


@pytest.fixture
def item(units) -> ServiceItem:
    """An item promising at most one visit, applied for online, run by the urban department."""
    return ServiceItem.objects.create(
        code="street-stall-permit",
        name="临时占道摊点许可",
        name_en="Temporary street stall permit",
        responsible_unit=units["urban"],
        materials="申请表\n身份证\n摊点位置示意图",
        legal_days=20,
        promised_days=5,
        online="application",
        max_visits=1,
    )


@pytest.fixture
def make_record(handler):
    def make(item, unit, *, visits, channel="window", on_spot=False, days_ago=1, staff=None):
        return ServiceRecord.objects.create(
            item=item,
            unit=unit,
            staff=staff or handler,
            visits=visits,
            channel=channel,
            completed_on_spot=on_spot,
            recorded_at=timezone.now() - dt.timedelta(days=days_ago),
        )

    return make
