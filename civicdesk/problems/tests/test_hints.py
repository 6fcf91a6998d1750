"""Same-problem hints while staff type an opinion heard in person."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.accounts.models import Role
from civicdesk.cases.services import case_assign
from civicdesk.conftest import _user, login

URL = "/staff/triage/hints/"
LIGHT = "东苑小区3栋门口路灯坏了，晚上一片漆黑，老人出行不便"
TYPED = "东苑小区3栋门口的路灯不亮了，晚上很黑"


def test_the_recording_form_asks_for_hints_as_the_clerk_types(clerk):
    page = login(clerk).get("/staff/record/").content.decode()
    assert f'hx-get="{URL}"' in page
    assert "from:#id_description" in page and 'hx-include="#id_description, #id_address"' in page


def test_hints_name_the_open_case_that_reports_the_same_problem(clerk, make_case):
    light = make_case(description=LIGHT)
    other = make_case(description="幸福社区垃圾桶满了没有人清运，气味很大")
    response = login(clerk).get(URL, {"description": TYPED, "address": "东苑小区"})
    assert response.status_code == 200
    page = response.content.decode()
    assert light.tracking_code in page and f"/staff/cases/{light.pk}/" in page
    assert other.tracking_code not in page


def test_too_little_text_asks_nothing(clerk, make_case):
    make_case(description=LIGHT)
    client = login(clerk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"description": "路灯"})
    assert response.status_code == 200 and response.content.decode().strip() == ""
    assert not [q for q in queries.captured_queries if "cases_case" in q["sql"]]
    page = client.get(URL, {"description": "幸福社区的垃圾桶满了"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "None so far." in page.content.decode()


def test_hints_show_only_cases_the_user_may_see(handler, supervisor, units, make_case):
    light = make_case(description=LIGHT)
    case_assign(case=light, unit=units["market"], actor=supervisor)
    assert (
        light.tracking_code not in login(handler).get(URL, {"description": TYPED}).content.decode()
    )
    assert (
        light.tracking_code in login(supervisor).get(URL, {"description": TYPED}).content.decode()
    )


def test_only_for_those_who_may_record(citizen, units):
    inspector = _user("inspector", Role.DISCIPLINE, units["district"])
    assert citizen.get(URL, {"description": TYPED}).status_code == 302  # to the login page
    assert login(inspector).get(URL, {"description": TYPED}).status_code == 404
