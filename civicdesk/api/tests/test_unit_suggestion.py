"""The case's triage hints over the API carry the suggested unit, like the case page."""

import pytest

from civicdesk.cases.services import case_accept, case_assign
from civicdesk.problems import suggestions
from civicdesk.problems.services import reset_open_case_index

CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _own_model_folder(settings, tmp_path):
    settings.CIVICDESK_MODEL_DIR = tmp_path / "models"
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    suggestions._load_classifier.cache_clear()
    reset_open_case_index()


@pytest.mark.django_db
def test_triage_hints_suggest_the_unit_past_cases_went_to(
    api_as, clerk, supervisor, handler, other_handler, units, make_case
):
    body = api_as(clerk).get(f"{CASES}/{make_case().pk}/triage").json()
    assert body["unit_suggestion"] is None  # no unit model yet

    for i in range(12):
        light = make_case(description=f"{i}号楼前路灯不亮，晚上很黑")
        case_assign(case=light, unit=units["urban"], actor=supervisor)
        case_accept(case=light, actor=handler)
        food = make_case(description=f"{i}号商铺卖过期食品，吃了拉肚子")
        case_assign(case=food, unit=units["market"], actor=supervisor)
        case_accept(case=food, actor=other_handler)
    suggestions.unit_classifier_train()
    new = make_case(description="小区门口路灯不亮，晚上很黑")

    body = api_as(clerk).get(f"{CASES}/{new.pk}/triage").json()

    suggested = body["unit_suggestion"]
    assert suggested["unit"] == {"code": "urban", "name": "城市管理局"}
    assert 0.5 < suggested["confidence"] < 1
    assert suggested["top"][0]["unit"] == suggested["unit"]
    assert suggested["top"][0]["confidence"] == pytest.approx(suggested["confidence"], abs=1e-4)
    assert suggested["needs_review"] in {True, False}
