"""The broken-promises ledger filled through its pages, with totals and overdue items."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from civicdesk.conftest import login
from civicdesk.ledgers import services
from civicdesk.ledgers.models import Enterprise, LedgerEvent, PromiseItem, PromiseStatus
from civicdesk.ledgers.tests.conftest import BAD_CODE, CODE_A, CODE_B


def _form(units, **overrides) -> dict:
    data = {
        "enterprise_name": "东苑机械有限公司",
        "credit_code": CODE_A.lower(),
        "promise": "兑现2023年技改补贴",
        "promised_on": "2023-05-10",
        "document": "区府办〔2023〕12号",
        "amount_owed": "120000.50",
        "unit": units["urban"].pk,
        "deadline": "2023-12-31",
    }
    return data | overrides


def test_clerk_adds_a_promise_and_the_handler_resolves_it_and_records_confirmation(
    units, clerk, handler
):
    response = login(clerk).post("/ledgers/promises/new/", _form(units))
    item = PromiseItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledgers/promises/{item.pk}/"
    assert item.enterprise.credit_code == CODE_A  # normalised to upper case
    assert item.amount_owed == Decimal("120000.50")
    assert item.status == PromiseStatus.OPEN

    client = login(handler)
    page = client.get(f"/ledgers/promises/{item.pk}/")
    assert page.status_code == 200
    assert "overdue" in page.content.decode()
    response = client.post(
        f"/ledgers/promises/{item.pk}/resolve/",
        {"resolution": "补贴已拨付", "resolved_on": "2024-01-15"},
    )
    assert response.status_code == 302
    response = client.post(f"/ledgers/promises/{item.pk}/confirm/", {"confirmed_on": "2024-01-20"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PromiseStatus.RESOLVED
    assert item.resolution == "补贴已拨付"
    assert item.enterprise_confirmed
    assert str(item.confirmed_on) == "2024-01-20"
    actions = list(LedgerEvent.objects.filter(chain="promises").values_list("action", flat=True))
    assert actions == ["create", "create", "resolve", "confirm"]  # enterprise, item, …
    assert "补贴已拨付" in client.get(f"/ledgers/promises/{item.pk}/").content.decode()
    # The history reads as people speak: actions, field labels, names and choice labels.
    page = client.get(f"/ledgers/promises/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = page.split("<h2>History</h2>")[1]
    assert "Confirmed by the enterprise</div>" in history
    assert "Status: Open → Resolved" in history
    assert f"Responsible unit: — → {units['urban']}" in history
    assert f"Enterprise: — → {item.enterprise}" in history
    assert "Confirmed by the enterprise: no → yes" in history
    for raw in ("resolve<", "confirm<", "amount_owed", "promised_on", "enterprise_confirmed"):
        assert raw not in history


def test_bad_credit_code_is_refused_and_nothing_is_saved(units, clerk):
    response = login(clerk).post("/ledgers/promises/new/", _form(units, credit_code=BAD_CODE))
    assert response.status_code == 400
    assert "its last character does not match" in response.content.decode()
    assert not PromiseItem.objects.exists()
    assert not Enterprise.objects.exists()


def test_deadline_before_promise_and_negative_amount_are_refused(units, clerk):
    response = login(clerk).post(
        "/ledgers/promises/new/",
        _form(units, deadline="2023-01-01", amount_owed="-5"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The deadline cannot be before the day of the promise." in body
    assert "greater than or equal to 0" in body
    assert not PromiseItem.objects.exists()


def test_confirmation_before_resolution_is_refused(units, clerk):
    item = services.promise_create(
        enterprise_name="甲", credit_code=CODE_A, promise="p", promised_on=timezone.localdate(),
        unit=units["urban"], deadline=timezone.localdate(), actor=clerk,
    )  # fmt: skip
    response = login(clerk).post(
        f"/ledgers/promises/{item.pk}/confirm/", {"confirmed_on": "2030-01-01"}
    )
    assert response.status_code == 400
    assert "Record the resolution before" in response.content.decode()
    item.refresh_from_db()
    assert not item.enterprise_confirmed


def test_per_enterprise_totals_and_overdue_items(units, clerk, supervisor):
    today = timezone.localdate()

    def add(code, name, deadline_days, amount):
        return services.promise_create(
            enterprise_name=name, credit_code=code, promise=f"承诺 {deadline_days}",
            promised_on=today - timedelta(days=400), amount_owed=amount, unit=units["urban"],
            deadline=today + timedelta(days=deadline_days), actor=clerk,
        )  # fmt: skip

    late = add(CODE_A, "甲公司", -1, Decimal("100.00"))  # overdue since yesterday
    add(CODE_A, "甲公司", 0, Decimal("50.00"))  # due today: not overdue yet
    done = add(CODE_A, "甲公司", -10, Decimal("30.00"))  # past deadline but resolved
    services.promise_resolve(item=done, resolution="ok", resolved_on=today, actor=clerk)
    other = add(CODE_B, "乙公司", -30, None)

    response = login(supervisor).get("/ledgers/promises/")
    assert response.status_code == 200
    totals = {row["enterprise__credit_code"]: row for row in response.context["totals"]}
    a, b = totals[CODE_A], totals[CODE_B]
    assert (a["n_items"], a["n_open"], a["n_overdue"], a["owed_open"]) == (
        3, 2, 1, Decimal("150.00"),
    )  # fmt: skip
    assert (b["n_items"], b["n_open"], b["n_overdue"], b["owed_open"]) == (1, 1, 1, None)
    assert {i.pk for i in response.context["overdue"]} == {late.pk, other.pk}
    assert re.search(r"<td[^>]*>150.00</td>", response.content.decode())
