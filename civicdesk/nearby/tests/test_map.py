"""The public map: which reports are public, the list and its filters, the grid clusters of
the API, and a report's public page, through HTTP."""

from decimal import Decimal

import pytest

from civicdesk.cases.services import case_accept, case_answer, case_assign, case_merge
from civicdesk.nearby.queries import CELLS_PER_TILE, cell_size
from civicdesk.nearby.tests.conftest import EAST_GATE, EAST_GATE_NEIGHBOUR, NORTH

pytestmark = pytest.mark.django_db

CLUSTERS = "/api/v1/nearby/clusters"
AROUND = {"south": 30.2, "west": 120.1, "north": 30.35, "east": 120.2}


def answered(case, units, clerk, handler, text="路灯已修复。"):
    case = case_assign(case=case, unit=units["urban"], actor=clerk)
    case = case_accept(case=case, actor=handler)
    return case_answer(case=case, actor=handler, text=text)


def test_map_lists_published_reports_only_with_public_ids(citizen, publish, make_case, clerk):
    shown = publish(description="东苑小区路灯不亮，电话13812345678")
    private = make_case(description="不公开的诉求", consent_publish=False)
    duplicate = publish(description="重复的诉求")
    case_merge(case=duplicate, into=shown, actor=clerk)

    response = citizen.get("/nearby/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/nearby/r/{shown.public_id}/" in body
    assert "东苑小区路灯不亮" in body
    assert "13812345678" not in body  # redacted like every public text
    assert "不公开的诉求" not in body and "重复的诉求" not in body
    for case in (shown, private, duplicate):
        assert case.tracking_code not in body
    assert f"/nearby/r/{private.public_id}/" not in body
    assert citizen.get(f"/nearby/r/{private.public_id}/").status_code == 404
    assert citizen.get(f"/nearby/r/{duplicate.public_id}/").status_code == 404


def test_map_filters_by_category_and_status(citizen, publish, street_lights, units, clerk, handler):
    lights = publish(description="路灯不亮", category=street_lights)
    other = publish(description="噪音扰民")
    done = answered(publish(description="井盖破损", category=street_lights), units, clerk, handler)

    def listed(params):
        body = citizen.get("/nearby/", params).content.decode()
        return {case.pk for case in (lights, other, done) if case.public_id in body}

    assert listed({}) == {lights.pk, other.pk, done.pk}
    assert listed({"category": "street-lights"}) == {lights.pk, done.pk}
    assert listed({"status": "open"}) == {lights.pk, other.pk}
    assert listed({"status": "answered"}) == {done.pk}
    assert listed({"category": "street-lights", "status": "open"}) == {lights.pk}
    response = citizen.get("/nearby/", {"category": "no-such"})
    assert response.status_code == 400


def test_clusters_group_nearby_reports_by_zoom(client, publish):
    first = publish(EAST_GATE)
    publish(EAST_GATE_NEIGHBOUR)
    far = publish(NORTH)
    publish(place=None)  # no position: on the list, not on the map

    far_out = client.get(CLUSTERS, AROUND | {"zoom": 12}).json()
    assert far_out["total"] == 3
    counts = sorted(cell["count"] for cell in far_out["cells"])
    assert counts == [1, 2]  # the two gates share a cell, the northern one is alone
    [single] = [cell for cell in far_out["cells"] if cell["count"] == 1]
    assert single["report"]["public_id"] == far.public_id
    assert single["report"]["url"] == f"/nearby/r/{far.public_id}/"
    [pair] = [cell for cell in far_out["cells"] if cell["count"] == 2]
    assert pair["report"] is None
    assert pair["south"] == pytest.approx(float(EAST_GATE[0]))
    assert pair["north"] == pytest.approx(float(EAST_GATE_NEIGHBOUR[0]))

    close_in = client.get(CLUSTERS, AROUND | {"zoom": 19}).json()
    assert sorted(cell["count"] for cell in close_in["cells"]) == [1, 1, 1]
    ids = {cell["report"]["public_id"] for cell in close_in["cells"]}
    assert first.public_id in ids
    # A cell spans about 64 px: 360° / 2^zoom / 4.
    assert cell_size(12) == pytest.approx(360 / 4096 / CELLS_PER_TILE)


def test_clusters_refuse_a_box_that_is_not_one(client):
    wrong = client.get(CLUSTERS, AROUND | {"north": 30.0, "zoom": 12})
    assert wrong.status_code == 422
    assert "north must be above south" in wrong.content.decode()
    huge = client.get(CLUSTERS, {"south": -80, "west": -170, "north": 80, "east": 170, "zoom": 1})
    assert huge.status_code == 422
    assert client.get(CLUSTERS, AROUND | {"zoom": 25}).status_code == 422
    bad_status = client.get(CLUSTERS, AROUND | {"zoom": 12, "status": "closed"})
    assert bad_status.status_code == 422
    assert "is not a status" in bad_status.content.decode()


def test_clusters_follow_the_filters(client, publish, street_lights):
    publish(EAST_GATE, category=street_lights)
    publish(NORTH)
    data = client.get(CLUSTERS, AROUND | {"zoom": 19, "category": "street-lights"}).json()
    assert data["total"] == 1
    assert data["cells"][0]["report"]["category"]["code"] == "street-lights"


def test_report_page_shows_public_texts_and_answer(
    citizen, publish, units, clerk, handler, make_case
):
    case = answered(
        publish(description="路灯不亮，我叫王小明", contact_name="王小明"),
        units,
        clerk,
        handler,
        text="王小明您好，已修复。",
    )
    response = citizen.get(f"/nearby/r/{case.public_id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "王小明" not in body
    assert "已修复" in body
    assert case.tracking_code not in body
    assert f"/moderation/report/{case.public_id}/" in body  # report inappropriate content
    assert 'action="/nearby/r/' not in body  # answered: no "me too" button


def test_public_reports_api_lists_published_reports(client, publish, make_case):
    shown = publish(description="路灯不亮 13812345678")
    make_case(description="不公开", consent_publish=False)
    data = client.get("/api/v1/nearby/reports").json()
    assert data["count"] == 1
    [item] = data["items"]
    assert item["public_id"] == shown.public_id
    assert "13812345678" not in item["description"]
    assert item["latitude"] == float(Decimal("30.274100"))
    assert item["me_too"] == 0
    assert client.get(f"/api/v1/nearby/reports/{shown.public_id}").json() == item
    assert client.get("/api/v1/nearby/reports/zzzzzzzzzzzz").status_code == 404
