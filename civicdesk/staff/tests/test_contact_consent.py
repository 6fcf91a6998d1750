"""An opinion recorded with 请勿联系: staff see it next to the contact data, and no staff action
that would contact the person (a return call, on the page or through the API) takes it."""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken
from civicdesk.conftest import login
from civicdesk.evaluation.models import FollowUp
from civicdesk.staff.tests.conftest import case_url

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def no_contact(answered):
    """An answered case whose reporter said they must not be contacted about it."""
    return answered(contact_name="周海涛", contact_phone=PHONE, consent_contact=False)


def api(user) -> Client:
    _, raw = ApiToken.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_case_page_marks_the_contact_data_do_not_contact(supervisor, no_contact, answered):
    agreed = answered(contact_phone="13800138000")

    refused = login(supervisor).get(case_url(no_contact)).content.decode()
    allowed = login(supervisor).get(case_url(agreed)).content.decode()

    reporter = refused.split('id="reporter"', 1)[1].split("</dd>", 1)[0]
    assert 'class="badge do-not-contact" id="contact-consent"' in reporter
    assert ">Do not contact</span>" in reporter
    assert PHONE in reporter  # the marker stands right next to the number it is about
    assert 'class="badge may-contact" id="contact-consent">may be contacted<' in allowed
    assert "do-not-contact" not in allowed


def test_an_anonymous_report_shows_no_consent_marker(supervisor, answered):
    body = login(supervisor).get(case_url(answered())).content.decode()

    assert 'id="contact-consent"' not in body
    assert "anonymous" in body.split('id="reporter"', 1)[1].split("</dd>", 1)[0]


def test_no_return_call_is_offered_or_recorded_for_a_person_who_refused_contact(
    handler, no_contact
):
    client = login(handler)
    url = f"/evaluation/cases/{no_contact.pk}/call/"

    page = client.get(url)
    refused = client.post(url, {"channel": "phone", "solved": "yes", "satisfaction": "5"})
    verified = client.post(url, {"channel": "verified", "solved": "yes"})

    assert 'id="no-contact"' in page.content.decode()
    assert [value for value, _ in page.context["form"].fields["channel"].choices] == ["verified"]
    assert PHONE not in page.content.decode()
    assert refused.status_code == 400
    assert verified.status_code == 302  # staff may still record what they verified
    assert FollowUp.objects.get(case=no_contact).channel == "verified"


def test_the_return_call_service_refuses_it_for_api_clients_too(handler, no_contact):
    response = api(handler).post(
        f"/api/v1/evaluation/cases/{no_contact.pk}/call",
        {"channel": "phone", "solved": True, "satisfaction": 5},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert "asked not to be contacted" in response.json()["detail"]
    assert not FollowUp.objects.filter(case=no_contact, status="answered").exists()


def test_a_return_call_is_still_recorded_for_a_person_who_agreed(handler, answered):
    case = answered(contact_phone="13800138000")

    response = login(handler).post(
        f"/evaluation/cases/{case.pk}/call/",
        {"channel": "phone", "solved": "yes", "satisfaction": "4"},
    )

    assert response.status_code == 302
    assert FollowUp.objects.get(case=case).channel == "phone"


def test_the_api_case_detail_says_whether_the_person_may_be_contacted(
    supervisor, no_contact, answered
):
    agreed = answered(contact_phone="13800138000")
    client = api(supervisor)

    refused = client.get(f"/api/v1/cases/{no_contact.pk}").json()["submission"]
    allowed = client.get(f"/api/v1/cases/{agreed.pk}").json()["submission"]

    assert (refused["contact_phone"], refused["consent_contact"]) == (PHONE, False)
    assert allowed["consent_contact"] is True
