"""A script per category for the return visits (issue 16, item 5): supervisors add and change
them on the scripts page and through the API; the call centre's page of a visit shows the
case's category's own script, else its aspect's, else the default one; one script per
category and one default, refused with a translated error naming the field."""

from decimal import Decimal

import pytest

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.cases import services as case_services
from civicdesk.cases.models import Category
from civicdesk.conftest import login
from civicdesk.evaluation import visits
from civicdesk.evaluation.models import (
    ReturnVisit,
    SamplingRule,
    SamplingRuleKind,
    VisitScript,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_answer_is_called(db):
    """Every answer gets a visit, whatever rules the migration seeded."""
    SamplingRule.objects.all().delete()
    SamplingRule.objects.create(kind=SamplingRuleKind.SHARE, percent=Decimal(100))


@pytest.fixture
def answered(make_case, units, supervisor, handler):
    def make(**fields):
        case = make_case(contact_phone="13800001111", **fields)
        case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)
        return case_services.case_answer(case=case, actor=handler, text="路灯已修复。")

    return make


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        return ApiClient(ApiToken.issue(user=user, name="test")[1])

    return make


SCRIPT = "您好，这里是12345回访。您反映的路灯问题处理了吗？亮了几盏？"


def _visit_of(case) -> ReturnVisit:
    visits.build_queue()
    return ReturnVisit.objects.get(case=case)


def _lights() -> Category:
    return Category.objects.get(code="street-lights")


def test_a_supervisor_adds_a_category_script_and_the_call_shows_it(answered, supervisor, clerk):
    lit, other = answered(category=_lights()), answered()
    response = login(supervisor).post(
        "/evaluation/visits/scripts/",
        {"category": _lights().pk, "title": "路灯回访话术", "text": SCRIPT},
    )
    assert response.status_code == 302
    assert VisitScript.objects.get(category=_lights()).text == SCRIPT

    lit_page = login(clerk).get(f"/evaluation/visits/{_visit_of(lit).pk}/").content.decode()
    assert "路灯回访话术" in lit_page and SCRIPT in lit_page
    # A case of another category still gets the default script.
    other_page = login(clerk).get(f"/evaluation/visits/{_visit_of(other).pk}/").content.decode()
    assert "通用回访话术" in other_page and SCRIPT not in other_page


def test_an_aspects_script_serves_its_categories(answered, supervisor, clerk):
    lights = _lights()
    assert lights.parent_id is not None
    login(supervisor).post(
        "/evaluation/visits/scripts/",
        {"category": lights.parent_id, "title": "市政设施回访话术", "text": "市政设施回访。"},
    )
    case = answered(category=lights)
    page = login(clerk).get(f"/evaluation/visits/{_visit_of(case).pk}/").content.decode()
    assert "市政设施回访话术" in page


def test_a_second_script_for_a_category_is_refused_naming_the_field(supervisor):
    login(supervisor).post(
        "/evaluation/visits/scripts/",
        {"category": _lights().pk, "title": "路灯回访话术", "text": SCRIPT},
    )
    again = login(supervisor).post(
        "/evaluation/visits/scripts/",
        {"category": _lights().pk, "title": "另一份", "text": "另一份话术"},
    )
    assert again.status_code == 400
    assert again.context["form"].errors["category"] == ["This category already has a script."]
    assert VisitScript.objects.filter(category=_lights()).count() == 1
    default = login(supervisor).post(
        "/evaluation/visits/scripts/", {"category": "", "title": "第二份通用", "text": "x"}
    )
    assert default.status_code == 400
    assert "There is already a default script." in default.context["form"].errors["category"]
    assert VisitScript.objects.filter(category__isnull=True).count() == 1


def test_a_supervisor_changes_a_script(supervisor, clerk):
    default = VisitScript.for_category(None)
    response = login(supervisor).post(
        f"/evaluation/visits/scripts/{default.pk}/",
        {"category": "", "title": default.title, "text": "新的通用话术。"},
    )
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.text == "新的通用话术。"


def test_the_call_centre_reads_scripts_and_does_not_edit_them(supervisor, clerk, handler):
    default = VisitScript.for_category(None)
    listing = login(clerk).get("/evaluation/visits/scripts/")
    assert listing.status_code == 200 and default.title in listing.content.decode()
    assert 'id="script-form"' not in listing.content.decode()
    refused = login(clerk).post(
        "/evaluation/visits/scripts/",
        {"category": _lights().pk, "title": "路灯回访话术", "text": SCRIPT},
    )
    assert refused.status_code == 404
    changed = login(clerk).post(
        f"/evaluation/visits/scripts/{default.pk}/",
        {"category": "", "title": "x", "text": "x"},
    )
    assert changed.status_code == 404
    assert not VisitScript.objects.filter(category=_lights()).exists()
    default.refresh_from_db()
    assert default.title != "x"
    # Handlers are not the call centre: no scripts page.
    assert login(handler).get("/evaluation/visits/scripts/").status_code == 404


def test_scripts_through_the_api(api_as, supervisor, clerk):
    listed = api_as(clerk).get("/api/v1/visits/scripts")
    assert listed.status_code == 200
    seeded = [s["category"] and s["category"]["code"] for s in listed.json()]
    assert None in seeded and "street-lights" not in seeded

    payload = {"category": "street-lights", "title": "路灯回访话术", "text": SCRIPT}
    assert api_as(clerk).post("/api/v1/visits/scripts", payload).status_code == 403
    created = api_as(supervisor).post("/api/v1/visits/scripts", payload)
    assert created.status_code == 201
    body = created.json()
    assert body["category"]["code"] == "street-lights" and body["text"] == SCRIPT

    again = api_as(supervisor).post("/api/v1/visits/scripts", payload)
    assert again.status_code == 409 and "already has a script" in again.json()["detail"]
    unknown = api_as(supervisor).post(
        "/api/v1/visits/scripts", {**payload, "category": "no-such-category"}
    )
    assert unknown.status_code in (400, 422) and "category" in unknown.text

    changed = api_as(supervisor).put(
        f"/api/v1/visits/scripts/{body['id']}", {**payload, "text": "改过的话术"}
    )
    assert changed.status_code == 200 and changed.json()["text"] == "改过的话术"
    assert VisitScript.objects.get(pk=body["id"]).text == "改过的话术"
