"""The campaign ledgers through the API: promises, backlog, utilities and all-or-nothing XLSX
imports, with the pages' rule of who reads and who writes which rows."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.core.credit_code import make_credit_code
from civicdesk.ledgers import services
from civicdesk.ledgers.models import BacklogCase, Disclosure, LedgerEvent, PromiseItem, Utility

LEDGERS = "/api/v1/ledgers"
CODE = make_credit_code("91330106MA2H0U7E1")


def xlsx(rows: list[list], name: str = "ledger.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def promise_body(**fields) -> dict:
    return {
        "enterprise_name": "东苑科技",
        "credit_code": CODE,
        "promise": "退还保证金",
        "promised_on": "2025-01-10",
        "amount_owed": "1200.50",
        "unit": "urban",
        "deadline": "2025-03-31",
    } | fields


@pytest.fixture
def promise(units, clerk):
    data = promise_body(unit=units["urban"], amount_owed=None)
    data["promised_on"] = date(2025, 1, 10)
    data["deadline"] = date(2025, 3, 31)
    return services.promise_create(**data, actor=clerk)


@pytest.mark.django_db
def test_clerk_adds_a_promise_and_it_is_chained(api_as, clerk):
    response = api_as(clerk).post(f"{LEDGERS}/promises", promise_body())

    assert response.status_code == 201, response.content
    item = PromiseItem.objects.get()
    assert (item.enterprise.credit_code, str(item.amount_owed)) == (CODE, "1200.50")
    assert response.json()["overdue"] is True
    assert LedgerEvent.objects.filter(entity_type="promiseitem", entity_id=item.pk).exists()
    totals = api_as(clerk).get(f"{LEDGERS}/promises/totals").json()
    assert totals[0]["n_overdue"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"credit_code": "123"}, "credit_code"),
        ({"deadline": "2024-12-31"}, "deadline"),
        ({"amount_owed": "-1"}, "amount_owed"),
        ({"unit": "atlantis"}, "unit"),
        ({"promise": ""}, "promise"),
    ],
)
def test_bad_promise_input_names_the_field(api_as, clerk, fields, field):
    response = api_as(clerk).post(f"{LEDGERS}/promises", promise_body(**fields))

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith(f"{field}: ")
    assert not PromiseItem.objects.exists()


@pytest.mark.django_db
def test_handler_resolves_own_units_promise_but_not_others(api_as, handler, other_handler, promise):
    url = f"{LEDGERS}/promises/{promise.pk}"

    assert api_as(other_handler).get(url).status_code == 404
    assert api_as(other_handler).get(f"{LEDGERS}/promises").json()["count"] == 0
    resolved = api_as(handler).post(
        f"{url}/resolve", {"resolution": "已退还", "resolved_on": "2025-02-01"}
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved"
    again = api_as(handler).post(f"{url}/resolve", {"resolution": "x", "resolved_on": "2025-02-02"})
    assert again.status_code == 409
    confirmed = api_as(handler).post(f"{url}/confirm", {"confirmed_on": "2025-02-03"})
    assert confirmed.json()["enterprise_confirmed"] is True


@pytest.mark.django_db
def test_leader_reads_but_may_not_write(api_as, leader, promise):
    client = api_as(leader)

    assert client.get(f"{LEDGERS}/promises/{promise.pk}").json()["can_write"] is False
    assert client.post(f"{LEDGERS}/promises", promise_body()).status_code == 403
    response = client.post(f"{LEDGERS}/promises/{promise.pk}/resolve", {"resolution": "x"})
    assert response.status_code == 403
    promise.refresh_from_db()
    assert promise.status == "open"


@pytest.mark.django_db
def test_inspectors_use_no_ledger(api_as, discipline):
    assert api_as(discipline).get(f"{LEDGERS}/promises").status_code == 403


@pytest.mark.django_db
def test_backlog_create_update_and_summary(api_as, supervisor):
    client = api_as(supervisor)
    body = {
        "case_number": "(2024)浙01民初1号",
        "court_or_agency": "中院",
        "enterprise_name": "东苑科技",
        "filed_on": "2024-01-05",
        "unit": "urban",
    }

    created = client.post(f"{LEDGERS}/backlog", body)
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert created.json()["bucket"] == "over_365"
    assert client.post(f"{LEDGERS}/backlog", body).status_code == 409

    closed_without_date = client.put(f"{LEDGERS}/backlog/{case_id}", {"stage": "closed"})
    assert closed_without_date.status_code == 409
    closed = client.put(
        f"{LEDGERS}/backlog/{case_id}", {"stage": "closed", "closed_on": "2025-01-05"}
    )
    assert closed.status_code == 200, closed.content
    assert BacklogCase.objects.get().stage == "closed"
    summary = client.get(f"{LEDGERS}/backlog/summary").json()
    assert (summary["n_pending"], summary["n_closed"]) == (0, 1)


@pytest.mark.django_db
def test_utility_created_and_published_in_versions(api_as, clerk, handler, units):
    client = api_as(clerk)
    created = client.post(
        f"{LEDGERS}/utilities", {"name": "东苑水务", "kind": "water", "unit": "urban-window"}
    )
    assert created.status_code == 201, created.content
    utility_id = created.json()["id"]
    text = {
        "service_standards": "24小时",
        "procedures": "线上",
        "fees": "无",
        "legal_conditions": "依法",
    }

    # The handler of the utility's parent unit may publish; the versions pile up.
    assert (
        api_as(handler).post(f"{LEDGERS}/utilities/{utility_id}/disclosures", text).status_code
        == 201
    )
    second = client.post(f"{LEDGERS}/utilities/{utility_id}/disclosures", text | {"fees": "5元"})
    assert [d["version"] for d in second.json()["disclosures"]] == [2, 1]
    assert Disclosure.objects.filter(utility_id=utility_id).count() == 2
    missing = client.post(f"{LEDGERS}/utilities/{utility_id}/disclosures", {"fees": "x"})
    assert missing.status_code == 422


@pytest.mark.django_db
def test_import_is_all_or_nothing_with_a_rejected_rows_report(api_as, clerk):
    client = api_as(clerk)
    header = [
        "企业名称",
        "统一社会信用代码",
        "承诺事项",
        "承诺日期",
        "文件",
        "欠款金额",
        "责任单位",
        "期限",
    ]
    good = ["东苑科技", CODE, "退还保证金", "2025-01-10", "", "100", "urban", "2025-03-31"]
    bad = ["西苑科技", "123", "减免租金", "2025-01-10", "", "", "atlantis", "2025-03-31"]

    refused = client.upload(f"{LEDGERS}/imports/promises", {"file": xlsx([header, good, bad])})

    assert refused.status_code == 422
    body = refused.json()
    assert any("Row 3" in item["msg"] for item in body["detail"])
    assert not PromiseItem.objects.exists()
    report = client.client.get(body["rejected_rows_url"], headers=client.headers)
    assert report.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)
    )
    assert rows[1][1] == "西苑科技"

    loaded = client.upload(f"{LEDGERS}/imports/promises", {"file": xlsx([header, good])})
    assert loaded.status_code == 200, loaded.content
    assert loaded.json() == {"created": 1, "skipped": []}
    assert PromiseItem.objects.count() == 1
    again = client.upload(f"{LEDGERS}/imports/promises", {"file": xlsx([header, good])})
    assert again.status_code == 200, again.content
    item = PromiseItem.objects.get()
    assert again.json() == {
        "created": 0,
        "skipped": [f"Row 2: this promise is already in the ledger as no. {item.pk}."],
    }
    assert PromiseItem.objects.count() == 1


@pytest.mark.django_db
def test_import_refuses_non_workbooks_huge_files_and_non_managers(
    api_as, clerk, handler, monkeypatch
):
    from civicdesk.ledgers.forms import ImportForm

    client = api_as(clerk)
    junk = client.upload(f"{LEDGERS}/imports/backlog", {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert junk.status_code == 422
    assert junk.json()["detail"][0]["msg"].startswith("file: ")
    monkeypatch.setattr(ImportForm, "MAX_BYTES", 10)
    big = client.upload(f"{LEDGERS}/imports/backlog", {"file": xlsx([["x"]])})
    assert big.status_code == 413
    assert (
        api_as(handler).upload(f"{LEDGERS}/imports/backlog", {"file": xlsx([["x"]])}).status_code
        == 403
    )
    assert client.upload(f"{LEDGERS}/imports/nothing", {"file": xlsx([["x"]])}).status_code == 422
    assert not Utility.objects.exists()
