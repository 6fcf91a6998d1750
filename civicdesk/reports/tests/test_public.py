"""Public forms, the secret follow-up code, and staff filing."""

import re

import pytest
from django.urls import reverse

from civicdesk.conftest import login
from civicdesk.reports.codes import new_followup_code, normalize_followup_code
from civicdesk.reports.models import Report

pytestmark = pytest.mark.django_db


def _intermediary_post(**extra) -> dict:
    data = {
        "setting": "window",
        "description": "窗口人员介绍中介，交钱就能加急",
        "intermediary": "某中介",
        "form_token": "0b6f1a0e-7d8a-4f8e-9a77-1c2a5d1b9e01",
    }
    data.update(extra)
    return data


def _code_from(response) -> str:
    match = re.search(r'id="followup-code">([^<]+)<', response.content.decode())
    assert match
    return match.group(1)


def test_codes_are_long_and_checked():
    code = new_followup_code()
    assert len(code.replace("-", "")) == 17
    assert normalize_followup_code(code.lower().replace("-", " ")) == code.replace("-", "")
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert normalize_followup_code(wrong) is None


def test_anonymous_whistle_blower_gets_a_working_code(citizen, discipline):
    response = citizen.post(reverse("reports:public_intermediary"), _intermediary_post())
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store, private"
    code = _code_from(response)
    assert "shown only this once" in response.content.decode()
    report = Report.objects.get()
    assert report.ledger == "intermediary" and report.is_anonymous
    assert code.replace("-", "") not in report.followup_digest  # only a hash is stored
    assert report.events.get().action == "create"

    # The inspector replies; the whistle-blower reads the reply but not the internal note.
    inspector = login(discipline)
    inspector.post(
        reverse("reports:intermediary_action", args=[report.pk, "reply"]),
        {"reply-note": "已受理，正在核查"},
    )
    inspector.post(
        reverse("reports:intermediary_action", args=[report.pk, "note"]),
        {"note-note": "内部：涉及窗口王某"},
    )
    status = citizen.post(reverse("reports:followup"), {"code": code})
    assert status.status_code == 200
    body = status.content.decode()
    assert "已受理，正在核查" in body
    assert "内部" not in body
    assert "Received" in body

    # And adds more information with the same code.
    added = citizen.post(
        reverse("reports:followup_add"), {"code": code, "text": "补充：收款账号 6222…"}
    )
    assert added.status_code == 200
    assert report.events.filter(
        action="supplement", actor=None, note="补充：收款账号 6222…"
    ).exists()


def test_code_can_be_typed_loosely(citizen, intermediary):
    _report, code = intermediary
    response = citizen.post(reverse("reports:followup"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 200


def test_resubmitting_the_same_page_files_one_report(citizen):
    first = citizen.post(reverse("reports:public_intermediary"), _intermediary_post())
    again = citizen.post(reverse("reports:public_intermediary"), _intermediary_post())
    assert first.status_code == 201 and again.status_code == 200
    assert 'id="already-received"' in again.content.decode()
    assert 'id="followup-code"' not in again.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize("code", ["", "nonsense", "ABCD-EFGH-JKMN-PQRS-T"])
def test_wrong_codes_look_like_not_found(citizen, intermediary, code):
    wrong = citizen.post(reverse("reports:followup"), {"code": code})
    assert wrong.status_code == 404
    assert "No report has this follow-up code." in wrong.content.decode()


def test_wrong_code_cannot_add_information(citizen, intermediary):
    report, _code = intermediary
    response = citizen.post(
        reverse("reports:followup_add"), {"code": new_followup_code(), "text": "x"}
    )
    assert response.status_code == 404
    assert report.events.count() == 1


def test_failed_lookups_are_throttled_then_everything_is_refused(settings, citizen, intermediary):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "3/h"
    _report, code = intermediary
    for _ in range(3):
        assert (
            citizen.post(reverse("reports:followup"), {"code": new_followup_code()}).status_code
            == 404
        )
    throttled = citizen.post(reverse("reports:followup"), {"code": new_followup_code()})
    assert throttled.status_code == 429
    # Past the limit even the right code is refused, so a hit cannot be told from a miss.
    assert citizen.post(reverse("reports:followup"), {"code": code}).status_code == 429


def test_closed_report_takes_no_more_information(citizen, discipline, intermediary):
    report, code = intermediary
    report.status = "closed"
    report.save()
    response = citizen.post(reverse("reports:followup_add"), {"code": code, "text": "more"})
    assert response.status_code == 409
    assert "closed" in response.content.decode()
    assert not report.events.filter(action="supplement").exists()


def test_intermediary_form_requires_where(citizen):
    response = citizen.post(reverse("reports:public_intermediary"), _intermediary_post(setting=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


def test_public_inaction_report(citizen, units, supervisor):
    response = citizen.post(
        reverse("reports:public_inaction"),
        {
            "reported_unit": units["market"].pk,
            "official_name": "李某",
            "description": "多次办理不予答复",
            "occurred_on": "2024-03-01",
            "contact_phone": "13800000000",
            "form_token": "5f0c8b3e-0a3e-4c71-8b65-6a3c4b0c2d11",
        },
    )
    assert response.status_code == 201
    assert 'id="followup-code"' not in response.content.decode()
    report = Report.objects.get()
    assert (report.ledger, report.reported_unit, report.source) == (
        "inaction",
        units["market"],
        "public",
    )
    assert (
        login(supervisor).get(reverse("reports:inaction_list")).content.decode().count("李某") == 1
    )


def test_future_date_is_refused(citizen, units):
    response = citizen.post(
        reverse("reports:public_inaction"),
        {
            "reported_unit": units["market"].pk,
            "description": "x",
            "occurred_on": "2999-01-01",
            "form_token": "5f0c8b3e-0a3e-4c71-8b65-6a3c4b0c2d12",
        },
    )
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    assert not Report.objects.exists()


def test_public_submissions_are_rate_limited(settings, citizen):
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    citizen.post(reverse("reports:public_intermediary"), _intermediary_post())
    second = citizen.post(
        reverse("reports:public_intermediary"),
        _intermediary_post(form_token="0b6f1a0e-7d8a-4f8e-9a77-1c2a5d1b9e02"),
    )
    assert second.status_code == 429
    assert Report.objects.count() == 1


def test_clerk_files_inaction_report_and_cannot_read_it(clerk, units, supervisor):
    client = login(clerk)
    assert client.get(reverse("reports:staff_file")).status_code == 200
    response = client.post(
        reverse("reports:staff_file"),
        {
            "reported_unit": units["urban"].pk,
            "description": "来电反映：城管执法不作为",
            "form_token": "9d1b7f0a-2b4c-4d5e-8f90-a1b2c3d4e5f6",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.source, report.filed_by) == ("staff", clerk)
    assert client.get(reverse("reports:inaction_detail", args=[report.pk])).status_code == 404
    assert (
        login(supervisor).get(reverse("reports:inaction_detail", args=[report.pk])).status_code
        == 200
    )


def test_supervisor_filing_lands_on_the_report(supervisor, units):
    response = login(supervisor).post(
        reverse("reports:staff_file"),
        {
            "reported_unit": units["urban"].pk,
            "description": "督查发现：窗口无人值守",
            "form_token": "9d1b7f0a-2b4c-4d5e-8f90-a1b2c3d4e5f7",
        },
    )
    report = Report.objects.get()
    assert response["Location"] == reverse("reports:inaction_detail", args=[report.pk])


def test_staff_filing_form_rejects_missing_unit(clerk):
    response = login(clerk).post(
        reverse("reports:staff_file"),
        {"description": "x", "form_token": "9d1b7f0a-2b4c-4d5e-8f90-a1b2c3d4e5f8"},
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_public_forms_render(citizen):
    for name in ["reports:public_inaction", "reports:public_intermediary", "reports:followup"]:
        response = citizen.get(reverse(name))
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" in response.content.decode()
