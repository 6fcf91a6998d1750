"""Questionnaires through the API: building one (settings, sections, questions and options,
versions), publishing and closing it, results, the XLSX export, and paper forms imported from
the template, for the roles the pages allow."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.questionnaires.models import Questionnaire, Response, Status

URL = "/api/v1/questionnaires"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
pytestmark = pytest.mark.django_db


def _question(section: int) -> dict:
    return {"section": section, "kind": "single", "text": "企业类型", "options": ["国企", "民企"]}


@pytest.fixture
def published(api_as, clerk) -> dict:
    """A published questionnaire with a choice and a required 1–5 scale, built by a clerk."""
    client = api_as(clerk)
    created = client.post(URL, {"title": "营商环境问卷", "slug": "yingshang"}).json()
    url = f"{URL}/{created['id']}"
    section = created["sections"][0]["id"]
    client.post(f"{url}/questions", _question(section))
    scale = {"section": section, "kind": "scale", "text": "总体满意度", "required": True}
    client.post(f"{url}/questions", scale | {"scale_min": 1, "scale_max": 5})
    response = client.post(f"{url}/publish")
    assert response.status_code == 200, response.content
    return response.json()


def _paper(client, url: str, rows: list[list]) -> bytes:
    template = client.get(f"{url}/paper-template")
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_build_a_questionnaire(api_as, clerk):
    client = api_as(clerk)
    created = client.post(URL, {"title": " 企业问卷 ", "audience": "citizens"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["status"], body["editable"]) == ("企业问卷", "draft", True)
    assert body["publish_problems"]  # no question yet
    url = f"{URL}/{body['id']}"
    first = body["sections"][0]["id"]

    second = client.post(f"{url}/sections", {"title": "满意度"}).json()["sections"][1]["id"]
    client.put(f"{url}/sections/{second}", {"title": "满意度评价", "description": "请打分"})
    added = client.post(f"{url}/questions", _question(first))
    assert added.status_code == 201, added.content
    question = added.json()["sections"][0]["questions"][0]
    assert (question["code"], [o["label"] for o in question["options"]]) == ("Q1", ["国企", "民企"])
    changed = client.put(
        f"{url}/questions/{question['id']}",
        _question(second) | {"options": ["国企", "民企", "外企"], "code": "kind"},
    ).json()
    moved = changed["sections"][1]["questions"][0]
    assert (moved["code"], len(moved["options"])) == ("KIND", 3)
    after_move = client.post(f"{url}/sections/{second}/move", {"direction": "up"}).json()
    assert [s["id"] for s in after_move["sections"]] == [second, first]
    client.post(f"{url}/questions", _question(second) | {"text": "规模"})
    reordered = client.post(f"{url}/questions/{moved['id']}/move", {"direction": "down"}).json()
    assert [q["text"] for q in reordered["sections"][0]["questions"]] == ["规模", "企业类型"]
    deleted = client.client.delete(f"{url}/questions/{moved['id']}", headers=client.headers)
    assert deleted.status_code == 200
    gone = client.client.delete(f"{url}/sections/{first}", headers=client.headers)
    assert gone.status_code == 200
    assert len(gone.json()["sections"]) == 1

    settings = client.put(url, {"title": "企业问卷（二）", "low_score_threshold": 3}).json()
    assert (settings["title"], settings["low_score_threshold"]) == ("企业问卷（二）", 3)
    assert client.post(f"{url}/publish").json()["status"] == "published"


def test_bad_input_names_the_field(api_as, clerk, published):
    client = api_as(clerk)
    url = f"{URL}/{published['id']}"
    section = published["sections"][0]["id"]

    bad_slug = client.post(URL, {"title": "x", "slug": "a b/c"})
    assert bad_slug.status_code == 422
    assert bad_slug.json()["detail"][0]["msg"].startswith("slug: ")
    assert client.post(URL, {"title": "x", "slug": "yingshang"}).status_code == 409  # taken
    bad_kind = client.post(f"{url}/questions", _question(section) | {"kind": "essay"})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["detail"][0]["msg"].startswith("kind: ")
    assert client.post(f"{url}/questions", _question(999999)).status_code == 422
    # The published version is frozen: a new draft version first.
    frozen = client.post(f"{url}/questions", _question(section))
    assert frozen.status_code == 409
    draft = client.post(f"{url}/new-version").json()
    assert (draft["version"]["number"], draft["current_version"]) == (2, 1)
    one_option = _question(draft["sections"][0]["id"]) | {"options": ["只有一个"]}
    refused = client.post(f"{url}/questions", one_option)
    assert refused.status_code == 409
    assert "at least two options" in refused.json()["detail"]
    assert client.post(f"{url}/discard").json()["version"]["number"] == 1
    assert client.post(f"{url}/reopen").status_code == 409  # it is open
    assert (
        client.post(f"{url}/sections/{section}/move", {"direction": "sideways"}).status_code == 422
    )


def test_close_reopen_results_and_export(api_as, clerk, leader, published):
    url = f"{URL}/{published['id']}"

    assert api_as(clerk).post(f"{url}/close").json()["status"] == "closed"
    assert api_as(clerk).post(f"{url}/reopen").json()["status"] == "published"
    results = api_as(leader).get(f"{url}/results").json()
    assert (results["version"], results["published_versions"], results["n_responses"]) == (
        1,
        [1],
        0,
    )
    assert [r["question"]["kind"] for r in results["results"]] == ["single", "scale"]
    assert [row["label"] for row in results["results"][1]["rows"]] == ["1", "2", "3", "4", "5"]
    assert api_as(leader).get(f"{url}/results", version=7).status_code == 404
    export = api_as(leader).get(f"{url}/export")
    assert export.status_code == 200 and export["Content-Type"] == XLSX
    assert "attachment" in export["Content-Disposition"]


def test_paper_forms_all_or_nothing(api_as, clerk, supervisor, published):
    client = api_as(clerk)
    url = f"{URL}/{published['id']}"

    refused = client.upload(
        f"{url}/paper",
        {"file": SimpleUploadedFile("paper.xlsx", _paper(client, url, [["国企", 4], ["民企", 9]]))},
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"][0]["msg"].startswith("file: paper.xlsx, row 3")
    assert not Response.objects.exists()
    report = client.get(body["rejected_rows_url"])
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    assert api_as(supervisor).get(body["rejected_rows_url"]).status_code == 404  # not theirs

    good = _paper(client, url, [["国企", 4], ["民企", 1]])
    imported = client.upload(f"{url}/paper", {"file": SimpleUploadedFile("paper.xlsx", good)})
    assert imported.status_code == 200, imported.content
    assert imported.json()["created"] == 2
    assert Response.objects.filter(channel="paper").count() == 2
    not_a_workbook = client.upload(f"{url}/paper", {"file": SimpleUploadedFile("a.csv", b"a,b")})
    assert not_a_workbook.status_code == 422


def test_roles(api_as, leader, handler, discipline, published):
    url = f"{URL}/{published['id']}"
    reader = api_as(leader)

    assert reader.get(URL).json()["count"] == 1
    detail = reader.get(url).json()
    assert (detail["can_build"], detail["editable"]) == (False, False)
    assert reader.post(URL, {"title": "x"}).status_code == 403
    assert reader.post(f"{url}/close").status_code == 403
    assert reader.get(f"{url}/paper-template").status_code == 403
    assert reader.post(f"{URL}/999999/close").status_code == 404
    stranger = api_as(handler)
    assert stranger.get(URL).status_code == 403
    assert stranger.get(url).status_code == 403
    assert api_as(discipline).get(f"{url}/results").status_code == 403
    assert Questionnaire.objects.get().status == Status.PUBLISHED
