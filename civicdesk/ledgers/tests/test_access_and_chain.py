"""Who sees which ledger rows, and the hash chain over ledger changes."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from civicdesk.accounts.models import User
from civicdesk.conftest import PASSWORD, login
from civicdesk.core.chain import verify
from civicdesk.ledgers import services
from civicdesk.ledgers.models import LedgerEvent, PromiseItem, Stage
from civicdesk.ledgers.tests.conftest import CODE_A, CODE_B


@pytest.fixture
def items(units, clerk):
    today = timezone.localdate()

    def add(code, unit):
        return services.promise_create(
            enterprise_name="甲", credit_code=code, promise=f"承诺 {unit}", promised_on=today,
            unit=units[unit], deadline=today, actor=clerk,
        )  # fmt: skip

    return {"urban": add(CODE_A, "urban"), "window": add(CODE_A, "urban-window"),
            "market": add(CODE_B, "market")}  # fmt: skip


def test_handler_sees_and_updates_only_their_units_items(items, handler, other_handler):
    client = login(handler)
    listing = client.get("/ledgers/promises/")
    assert listing.status_code == 200
    assert {i.pk for i in listing.context["items"]} == {items["urban"].pk, items["window"].pk}
    market = items["market"].pk
    assert client.get(f"/ledgers/promises/{market}/").status_code == 404
    response = client.post(
        f"/ledgers/promises/{market}/resolve/", {"resolution": "x", "resolved_on": "2099-01-01"}
    )
    assert response.status_code == 404
    assert client.get("/ledgers/promises/new/").status_code == 404

    other = login(other_handler)
    assert other.get(f"/ledgers/promises/{items['urban'].pk}/").status_code == 404
    response = other.post(
        f"/ledgers/promises/{items['urban'].pk}/resolve/",
        {"resolution": "x", "resolved_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert PromiseItem.objects.get(pk=items["urban"].pk).status == "open"
    exported = other.get("/ledgers/promises/export.xlsx")
    assert exported.status_code == 200
    assert "承诺 urban".encode() not in exported.content


def test_leader_reads_but_changes_nothing(items, leader, clerk):
    client = login(leader)
    pk = items["urban"].pk
    page = client.get(f"/ledgers/promises/{pk}/")
    assert page.status_code == 200
    assert "Record the resolution" not in page.content.decode()
    response = client.post(
        f"/ledgers/promises/{pk}/resolve/",
        {"resolution": "x", "resolved_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert client.get("/ledgers/promises/new/").status_code == 404
    assert client.get("/ledgers/backlog/").status_code == 200
    case = services.backlog_create(
        case_number="B-1", court_or_agency="法院", enterprise_name="甲",
        filed_on=timezone.localdate(), actor=clerk,
    )  # fmt: skip
    assert client.get(f"/ledgers/backlog/{case.pk}/").status_code == 200
    response = client.post(f"/ledgers/backlog/{case.pk}/", {"stage": Stage.HEARING})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == Stage.FILED


def test_people_without_a_ledger_role_get_404(units, citizen):
    assert citizen.get("/ledgers/promises/").status_code == 302  # to log in
    User.objects.create_user(username="nobody", password=PASSWORD)
    nobody = User.objects.get(username="nobody")
    assert login(nobody).get("/ledgers/promises/").status_code == 404
    assert login(nobody).get("/ledgers/backlog/").status_code == 404


def test_chain_verifies_and_detects_an_edited_event(items, clerk, capsys):
    services.promise_resolve(
        item=items["urban"], resolution="done", resolved_on=timezone.localdate(), actor=clerk
    )
    assert verify(LedgerEvent) == []
    call_command("verify_chains")
    assert "Every chain is intact." in capsys.readouterr().out

    event = LedgerEvent.objects.get(action="resolve")
    LedgerEvent.objects.filter(pk=event.pk).update(
        changes={"resolution": ["", "quietly rewritten"]}
    )
    breaks = verify(LedgerEvent)
    assert [(b.chain, b.position) for b in breaks] == [("promises", event.position)]
    with pytest.raises(CommandError):
        call_command("verify_chains")


def test_events_of_a_past_loaded_now_carry_their_own_dates(units, clerk, capsys):
    from datetime import timedelta

    from civicdesk.core.chain import recorded_as_of

    promised = timezone.now() - timedelta(days=200)
    with recorded_as_of(promised):
        item = services.promise_create(
            enterprise_name="甲", credit_code=CODE_A, promise="兑现补贴",
            promised_on=promised.date(), unit=units["urban"],
            deadline=promised.date() + timedelta(days=90), actor=clerk,
        )  # fmt: skip
    later = services.promise_resolve(
        item=item, resolution="已拨付", resolved_on=timezone.localdate(), actor=clerk
    )
    events = list(LedgerEvent.objects.filter(chain="promises").order_by("position"))
    assert [e.created_at for e in events[:2]] == [promised, promised]  # enterprise, item
    assert events[2].created_at > promised and later.status == "resolved"
    assert verify(LedgerEvent) == []
    call_command("verify_chains")
    # The date is hashed like the rest: moving it afterwards is detected.
    LedgerEvent.objects.filter(pk=events[1].pk).update(created_at=timezone.now())
    assert verify(LedgerEvent)
    with pytest.raises(ValueError), recorded_as_of(timezone.now() + timedelta(days=1)):
        pass
