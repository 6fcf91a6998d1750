"""A case cannot be re-categorised into the confidential ledgers' categories (不作为乱作为,
黑中介): such an allegation is filed as a confidential report, never kept as a case that can
reach the unit it accuses. The refusal names the field and says where to file it instead."""

import pytest

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.cases.models import Category
from civicdesk.cases.workflow import Action
from civicdesk.conftest import login
from civicdesk.staff.tests.conftest import case_url, errors_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["inaction", "black-intermediaries"])
def test_a_case_is_not_recategorised_as_an_allegation(handler, assigned, code):
    lights = Category.objects.get(code="street-lights")
    case = assigned("urban", category=lights)
    events = case.events.count()
    allegation = Category.objects.get(code=code)
    client = login(handler)

    # Not offered on the case page…
    page = client.get(case_url(case)).content.decode()
    assert f'value="{allegation.pk}"' not in page
    assert f'value="{lights.pk}"' in page
    # …and a forged choice is refused, naming the field.
    response = client.post(case_url(case, "recategorize"), {"recategorize-category": allegation.pk})

    assert response.status_code == 400
    assert "not one of the available choices" in errors_of(response, "recategorize")
    case.refresh_from_db()
    assert case.category == lights
    assert case.events.count() == events


def test_a_sub_category_of_a_ledger_is_refused_too(supervisor, make_case):
    parent = Category.objects.get(code="inaction")
    child = Category.objects.create(code="inaction-delay", name="拖延推诿", parent=parent)
    case = make_case()

    response = login(supervisor).post(
        case_url(case, "recategorize"), {"recategorize-category": child.pk}
    )

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.category is None
    assert not case.events.filter(action=Action.RECATEGORIZE).exists()


def test_the_api_refuses_it_naming_the_field(supervisor, make_case):
    case = make_case()
    _, raw = ApiToken.issue(user=supervisor, name="test")
    response = ApiClient(raw).post(
        f"/api/v1/cases/{case.pk}/recategorize", {"category": "black-intermediaries"}
    )

    assert response.status_code in {400, 422}
    assert any("category" in str(error) for error in response.json()["detail"])
    case.refresh_from_db()
    assert case.category is None
