"""Opinions heard in person: staff type them in, and they become cases like any other."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.conftest import login
from civicdesk.intake.models import Channel, Submission

URL = "/staff/record/"


def form_data(**fields) -> dict:
    heard_on = timezone.localtime() - timedelta(hours=2)
    data = {
        "channel": Channel.objects.get(code="leader_window").pk,
        "heard_at": "政务服务中心3号窗口",
        "heard_by": "王区长",
        "heard_on": heard_on.strftime("%Y-%m-%dT%H:%M"),
        "description": "办理营业执照变更要跑三次，材料清单每次说法不一",
        "address": "",
        "contact_name": "李女士",
        "contact_phone": "13800138000",
        "contact_email": "",
        "consent_contact": "yes",
        "form_token": "5f0c7c34-2d55-4b8e-9d6a-3d1f0a9b1c11",
    }
    data.update(fields)
    return data


def test_a_leader_records_what_was_said_at_a_window(leader):
    client = login(leader)
    page = client.get(URL)
    assert page.status_code == 200
    labels = page.content.decode()
    assert "Leader at a window" in labels and "Snap and report" not in labels

    response = client.post(URL, form_data())

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.pk}/"
    submission = case.submission
    assert submission.channel.code == "leader_window"
    assert submission.recorded_by == leader
    assert submission.consent_contact is True
    assert submission.source_details == {
        "via": "staff",
        "heard_at": "政务服务中心3号窗口",
        "heard_by": "王区长",
    }
    assert abs(submission.received_at - (timezone.now() - timedelta(hours=2))) < timedelta(
        minutes=2
    )
    assert case.events.get().action == "create"


def test_who_heard_it_defaults_to_the_one_typing(clerk):
    login(clerk).post(URL, form_data(heard_by="", channel=Channel.objects.get(code="phone").pk))
    assert Submission.objects.get().source_details["heard_by"] == clerk.display_name


def test_sending_the_form_twice_records_once(clerk):
    client = login(clerk)
    client.post(URL, form_data())
    again = client.post(URL, form_data(), follow=True)
    assert Case.objects.count() == 1
    assert "already recorded as" in again.content.decode()


def test_no_consent_means_no_contact_but_the_opinion_is_kept(clerk):
    login(clerk).post(URL, form_data(consent_contact="no", contact_phone=""))
    submission = Submission.objects.get()
    assert submission.consent_contact is False


def test_a_handler_on_a_community_visit_keeps_the_code(handler):
    client = login(handler)
    response = client.post(URL, form_data(), follow=True)
    case = Case.objects.get()
    # The case waits for the routing desk, so the handler cannot open it; the code is shown.
    assert response.redirect_chain[-1][0] == URL
    assert re.search(case.tracking_code, response.content.decode())


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"consent_contact": ""}, "consent_contact", "This field is required"),
        ({"contact_phone": ""}, "contact_phone", "or record that the person does not want"),
        ({"description": ""}, "description", "This field is required"),
        ({"heard_at": ""}, "heard_at", "This field is required"),
        ({"heard_on": "2099-01-01T10:00"}, "heard_on", "cannot be in the future"),
        ({"heard_on": "2020-01-01T10:00"}, "heard_on", "within 30 days"),
        ({"channel": "999"}, "channel", "Select a valid choice"),
        ({"contact_phone": "call me"}, "contact_phone", "digits"),
        (
            {"for_enterprise": "on", "enterprise_name": "甲公司", "enterprise_credit_code": "123"},
            "enterprise_credit_code",
            "",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(clerk, fields, field, message):
    response = login(clerk).post(URL, form_data(**fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Submission.objects.exists()


def test_snap_and_report_is_not_an_in_person_channel(clerk):
    snapshot = Channel.objects.get(code="snapshot").pk
    response = login(clerk).post(URL, form_data(channel=snapshot))
    assert response.status_code == 400


def test_discipline_inspectors_and_strangers_cannot_record(units, citizen):
    from civicdesk.accounts.models import Role, User

    inspector = User.objects.create_user(
        username="inspector",
        password="Correct-Horse-Battery-9",
        role=Role.DISCIPLINE,
        unit=units["district"],
    )
    assert login(inspector).get(URL).status_code == 404
    assert citizen.get(URL).status_code == 302
    assert citizen.post(URL, form_data()).status_code == 302
    assert not Submission.objects.exists()
