"""The suggested unit on the case page: learned from where past cases were handled, applied in
one click through the case's own actions, and "needs a person" when the model is unsure."""

from pathlib import Path

import pytest

from civicdesk.cases.models import Case, Category
from civicdesk.cases.services import case_accept, case_assign, case_return
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.problems import suggestions
from civicdesk.problems.models import ModelKind, TriageModel, UnitSuggestion
from civicdesk.problems.tasks import routing_fingerprint, train_unit_classifier
from civicdesk.triage.classify import TextClassifier

LIGHTS = "{}号楼前路灯不亮，晚上很黑"
FOOD = "{}号商铺卖过期食品，吃了拉肚子"


def _route(case: Case, unit, *, supervisor, by) -> Case:
    case_assign(case=case, unit=unit, actor=supervisor)
    return case_accept(case=case, actor=by)


@pytest.fixture
def routed(settings, make_case, units, supervisor, handler, other_handler) -> list[Case]:
    """24 categorised cases taken on by the unit they were routed to: lights by urban, food by
    market."""
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    lights = Category.objects.get(code="street-lights")
    food = Category.objects.get(code="food-safety")
    cases = []
    for i in range(12):
        light = make_case(description=LIGHTS.format(i), category=lights)
        cases.append(_route(light, units["urban"], supervisor=supervisor, by=handler))
        meal = make_case(description=FOOD.format(i), category=food)
        cases.append(_route(meal, units["market"], supervisor=supervisor, by=other_handler))
    return cases


def _panel(user, case: Case) -> str:
    response = login(user).get(f"/staff/triage/cases/{case.pk}/triage/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_unit_model_learns_from_the_units_that_handled_cases(routed, units):
    model = suggestions.unit_classifier_train()
    assert model.kind == ModelKind.UNIT
    assert (model.n_train, model.labels) == (24, ["market", "urban"])
    assert model.quality["review_threshold"] > 0
    # The category model is another kind: training units leaves it alone.
    assert suggestions.active_model(ModelKind.CATEGORY) is None


def test_only_cases_a_unit_took_on_teach_where_to_route(
    routed, make_case, units, supervisor, handler
):
    # Assigned but not taken on: the unit may still send it back.
    waiting = make_case(description=LIGHTS.format(99))
    case_assign(case=waiting, unit=units["market"], actor=supervisor)
    # Sent back by the wrong unit: the unit it came back from is no example either.
    returned = make_case(description=LIGHTS.format(98))
    case_assign(case=returned, unit=units["urban"], actor=supervisor)
    case_return(case=returned, actor=handler, reason="不属于本单位职责")
    texts, labels, _ = suggestions.unit_examples()
    assert len(texts) == 24
    assert labels.count("market") == 12 and labels.count("urban") == 12


def test_one_click_assigns_the_suggested_unit(routed, make_case, units, supervisor):
    suggestions.unit_classifier_train()
    new = make_case(description="小区门口的路灯坏了好几天，晚上很黑")
    page = _panel(supervisor, new)
    suggestion = UnitSuggestion.objects.get(case=new)
    assert suggestion.unit == units["urban"]
    assert 0 < suggestion.confidence < 1
    assert 'id="suggested-unit"' in page and "城市管理局" in page
    assert f'name="assign-unit" value="{units["urban"].pk}"' in page
    assert f'action="/staff/cases/{new.pk}/assign/"' in page

    response = login(supervisor).post(
        f"/staff/cases/{new.pk}/assign/", {"assign-unit": units["urban"].pk}
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.unit, new.status) == (units["urban"], Status.ASSIGNED)
    # Assigned: the panel shows the unit as the current one, with no button for it.
    page = _panel(supervisor, new)
    assert f'name="reassign-unit" value="{units["urban"].pk}"' not in page
    assert f'name="reassign-unit" value="{units["market"].pk}"' in page


def test_no_one_click_for_whom_the_workflow_does_not_allow_it(
    routed, make_case, units, supervisor, handler, leader
):
    suggestions.unit_classifier_train()
    suggestions.classifier_train()
    new = make_case(description="路灯坏了好几天", category=Category.objects.get(code="noise"))
    case_assign(case=new, unit=units["urban"], actor=supervisor)
    # A handler neither routes cases nor reassigns them; a leader changes nothing.
    for user in (handler, leader):
        page = _panel(user, new)
        assert "城市管理局" in page
        assert '-unit" value=' not in page
    assert "recategorize-category" in _panel(handler, new)
    assert "recategorize-category" not in _panel(leader, new)


def test_an_unsure_unit_suggestion_needs_a_person(routed, make_case, settings, supervisor):
    model = suggestions.unit_classifier_train()
    # The same cases, with a threshold no suggestion reaches.
    texts, labels, _ = suggestions.unit_examples()
    path = Path(settings.CIVICDESK_MODEL_DIR) / model.file_name
    TextClassifier.train(texts, labels, review_threshold=1.0).save(path)
    suggestions._load_classifier.cache_clear()
    new = make_case(description="路灯坏了好几天")
    page = _panel(supervisor, new)
    unit_part = page.split('id="suggested-unit"')[1].split("</div>")[0]
    assert "needs a person" in unit_part
    assert UnitSuggestion.objects.get(case=new).needs_review


def test_displayed_confidence_never_reads_100_percent(settings, make_case, supervisor):
    settings.CIVICDESK_TRIAGE_MIN_EXAMPLES = 20
    lights = Category.objects.get(code="street-lights")
    noise = Category.objects.get(code="noise")
    for i in range(15):
        make_case(description=f"{i}号楼前路灯不亮，路灯坏了，路灯太暗", category=lights)
        make_case(description=f"{i}号工地夜间施工噪音扰民，噪音太大", category=noise)
    suggestions.classifier_train()
    new = make_case(description="路灯不亮，路灯坏了，路灯太暗，路灯不亮")
    page = _panel(supervisor, new)
    assert new.category_suggestions.get().confidence <= 0.99
    assert "100%" not in page and "99% sure" in page


def test_the_scheduled_job_retrains_units_only_when_routing_changed(
    routed, make_case, units, supervisor, handler
):
    assert train_unit_classifier.call() == {"status": "trained", "n_train": 24}
    assert train_unit_classifier.call() == {"status": "skipped", "n_train": 24}
    assert TriageModel.objects.filter(kind=ModelKind.UNIT).count() == 1
    # A case assigned but not yet taken on changes nothing; taking it on does.
    new = make_case(description=LIGHTS.format(50))
    case_assign(case=new, unit=units["urban"], actor=supervisor)
    before = routing_fingerprint()
    assert train_unit_classifier.call()["status"] == "skipped"
    case_accept(case=new, actor=handler)
    assert routing_fingerprint() != before
    assert train_unit_classifier.call() == {"status": "trained", "n_train": 25}
    # The category job is its own: it did not run.
    assert not TriageModel.objects.filter(kind=ModelKind.CATEGORY).exists()
