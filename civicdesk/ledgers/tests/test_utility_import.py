"""Utility disclosures by XLSX: each row publishes a new version, all rows or none."""

import pytest

from civicdesk.conftest import login
from civicdesk.ledgers.models import Disclosure, ImportReport, LedgerEvent, Utility, UtilityKind
from civicdesk.ledgers.tests.conftest import read_xlsx, upload

URL = "/ledgers/import/utilities/"
ZH_HEADER = ["公用事业单位", "服务标准", "办事流程", "收费标准", "法定条件"]


@pytest.fixture
def utilities(units, admin_user):
    """Water has one published version; gas has none yet."""
    client = login(admin_user)
    for name, kind, unit in [("自来水公司", UtilityKind.WATER, "east-street"),
                             ("燃气公司", UtilityKind.GAS, "urban")]:  # fmt: skip
        client.post(
            "/ledgers/utilities/manage/", {"name": name, "kind": kind, "unit": units[unit].pk}
        )
    water = Utility.objects.get(name="自来水公司")
    response = client.post(
        f"/ledgers/utilities/{water.pk}/publish/",
        {"service_standards": "24小时内上门", "procedures": "电话报修", "fees": "按表计费",
         "legal_conditions": "供水条例"},
    )  # fmt: skip
    assert response.status_code == 302
    return {"water": water, "gas": Utility.objects.get(name="燃气公司")}


def _rows(utilities) -> list[list]:
    return [
        ZH_HEADER,
        ["自来水公司", "12小时内上门", "网上报修", "阶梯水价", "供水条例（2024修订）"],
        [utilities["gas"].pk, "4小时内抢修", "窗口办理", "按方计费", "燃气条例"],  # by number
    ]


def test_good_workbook_publishes_new_versions_and_keeps_the_old(utilities, clerk, citizen):
    water, gas = utilities["water"], utilities["gas"]
    v1 = Disclosure.objects.get(utility=water)
    events_before = LedgerEvent.objects.filter(chain="utilities").count()

    response = login(clerk).post(URL, {"file": upload(_rows(utilities))})
    assert response.status_code == 302
    assert response["Location"] == "/ledgers/utilities/manage/"

    latest = water.latest_disclosure()
    assert latest.version == 2 and latest.published_by == clerk
    assert (latest.service_standards, latest.procedures, latest.fees, latest.legal_conditions) == (
        "12小时内上门", "网上报修", "阶梯水价", "供水条例（2024修订）",
    )  # fmt: skip
    old = Disclosure.objects.get(pk=v1.pk)
    assert (old.version, old.service_standards, old.published_at) == (
        1, "24小时内上门", v1.published_at,
    )  # fmt: skip
    assert gas.latest_disclosure().version == 1
    assert gas.latest_disclosure().service_standards == "4小时内抢修"

    publishes = LedgerEvent.objects.filter(chain="utilities", action="publish").order_by("position")
    assert LedgerEvent.objects.filter(chain="utilities").count() == events_before + 2
    assert [e.changes["version"] for e in publishes][-2:] == [[1, 2], [None, 1]]
    assert all(e.actor == clerk for e in list(publishes)[-2:])

    page = citizen.get(f"/ledgers/utilities/{water.pk}/").content.decode()
    assert "12小时内上门" in page and "24小时内上门" not in page
    old_page = citizen.get(f"/ledgers/utilities/{water.pk}/versions/1/").content.decode()
    assert "24小时内上门" in old_page


def test_english_headers_and_export_round_trip(utilities, supervisor):
    client = login(supervisor)
    rows = [
        ["Utility", "Service standards", "Procedures", "Fees", "Legal conditions"],
        ["燃气公司", "standard", "procedure", "fee", "law"],
    ]
    assert client.post(URL, {"file": upload(rows)}).status_code == 302
    assert utilities["gas"].latest_disclosure().fees == "fee"

    # An export, edited and uploaded again, publishes one more version of each utility.
    export = read_xlsx(client.get("/ledgers/utilities/export.xlsx").content)
    assert export[0][:1] + export[0][4:8] == ZH_HEADER
    assert client.post(URL, {"file": upload(export, "utilities.xlsx")}).status_code == 302
    assert utilities["water"].latest_disclosure().version == 2
    assert utilities["gas"].latest_disclosure().version == 2


def test_bad_rows_import_nothing_and_offer_the_rejected_rows(utilities, clerk):
    rows = _rows(utilities)
    rows[1][0] = "不存在的水厂"  # unknown utility
    rows[2][3] = ""  # fees left empty
    rows.append(["燃气公司", "a", "b", "c", "d"])  # the same utility twice
    client = login(clerk)
    events_before = LedgerEvent.objects.count()

    response = client.post(URL, {"file": upload(rows, "公用事业.xlsx")})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in body
    assert "Row 2, column “公用事业单位” (utility (name or number))" in body
    assert "不存在的水厂" in body
    assert "Row 3, column “收费标准” (fees): this cell is empty." in body
    assert "Row 4, column “公用事业单位”" in body and "the same utility is on row 3" in body
    assert Disclosure.objects.count() == 1
    assert LedgerEvent.objects.count() == events_before

    report = ImportReport.objects.get(ledger="utilities")
    download = client.get(f"/ledgers/import/reports/{report.pk}/")
    assert download.status_code == 200
    sheet = read_xlsx(download.content)
    assert sheet[0] == ["Row", *ZH_HEADER, "Errors"]
    assert [row[0] for row in sheet[1:]] == [2, 3, 4]
    assert "不存在的水厂" in sheet[1][-1]


def test_missing_column_is_named(utilities, clerk):
    rows = [row[:4] for row in _rows(utilities)]  # no 法定条件
    response = login(clerk).post(URL, {"file": upload(rows)})
    assert response.status_code == 400
    assert "“法定条件” (legal conditions) is missing" in response.content.decode()
    assert Disclosure.objects.count() == 1


def test_same_access_as_the_other_imports(utilities, handler, other_handler, leader, citizen):
    # A handler of another unit, a leader, and even the handler of the gas company's own unit
    # may not import (imports are for clerks, supervisors and administrators).
    for user in (other_handler, leader, handler):
        client = login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"file": upload(_rows(utilities))}).status_code == 404
    assert citizen.get(URL).status_code == 302  # to the login page
    assert Disclosure.objects.count() == 1
    assert not ImportReport.objects.exists()


def test_rejected_report_is_only_for_its_uploader(utilities, clerk, supervisor, leader):
    rows = _rows(utilities)
    rows[1][0] = "不存在的水厂"
    login(clerk).post(URL, {"file": upload(rows)})
    link = f"/ledgers/import/reports/{ImportReport.objects.get().pk}/"
    assert login(supervisor).get(link).status_code == 404
    assert login(leader).get(link).status_code == 404


def test_manage_page_links_to_the_import(utilities, clerk, leader):
    assert URL in login(clerk).get("/ledgers/utilities/manage/").content.decode()
    assert URL not in login(leader).get("/ledgers/utilities/manage/").content.decode()


def test_publish_links_only_for_those_who_may_publish(utilities, clerk, leader, handler):
    water, gas = utilities["water"], utilities["gas"]

    def manage_page(user) -> str:
        response = login(user).get("/ledgers/utilities/manage/")
        assert response.status_code == 200
        return response.content.decode()

    page = manage_page(clerk)
    assert f"/ledgers/utilities/{water.pk}/publish/" in page
    assert f"/ledgers/utilities/{gas.pk}/publish/" in page
    page = manage_page(leader)  # leaders read every ledger and change nothing
    assert water.name in page and gas.name in page
    assert "/publish/" not in page
    assert login(leader).get(f"/ledgers/utilities/{water.pk}/publish/").status_code == 404
    page = manage_page(handler)  # urban's handler: gas is urban's
    assert f"/ledgers/utilities/{gas.pk}/publish/" in page
    assert water.name not in page
    assert login(handler).get(f"/ledgers/utilities/{gas.pk}/publish/").status_code == 200
