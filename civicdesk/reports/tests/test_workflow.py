"""The report workflow through the pages, and the tamper-evident chain."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from civicdesk.conftest import login
from civicdesk.reports.models import ReportAccess, ReportEvent
from civicdesk.reports.services import ReportActionError, report_transition


def _act(client, ledger, report, action, note=""):
    return client.post(
        reverse(f"reports:{ledger}_action", args=[report.pk, action]), {f"{action}-note": note}
    )


def test_supervisor_takes_inaction_report_through_the_workflow(supervisor, inaction_report):
    client = login(supervisor)
    response = _act(client, "inaction", inaction_report, "investigate", "派人核查")
    assert response.status_code == 302
    inaction_report.refresh_from_db()
    assert inaction_report.status == "investigating"

    assert _act(client, "inaction", inaction_report, "substantiate", "属实").status_code == 302
    assert _act(client, "inaction", inaction_report, "close").status_code == 302
    inaction_report.refresh_from_db()
    assert inaction_report.status == "closed"
    events = list(inaction_report.events.values_list("action", "from_status", "to_status", "note"))
    assert events == [
        ("create", "", "received", ""),
        ("investigate", "received", "investigating", "派人核查"),
        ("substantiate", "investigating", "substantiated", "属实"),
        ("close", "substantiated", "closed", ""),
    ]
    page = client.get(reverse("reports:inaction_detail", args=[inaction_report.pk]))
    assert "属实" in page.content.decode()


def test_refused_transition_changes_nothing(supervisor, inaction_report):
    client = login(supervisor)
    response = _act(client, "inaction", inaction_report, "close", "too early")
    assert response.status_code == 409
    assert "This action is not possible on this report now." in response.content.decode()
    inaction_report.refresh_from_db()
    assert inaction_report.status == "received"
    assert inaction_report.events.count() == 1


def test_finding_is_required_to_substantiate(supervisor, inaction_report):
    client = login(supervisor)
    _act(client, "inaction", inaction_report, "investigate")
    response = _act(client, "inaction", inaction_report, "unsubstantiate", "   ")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    inaction_report.refresh_from_db()
    assert inaction_report.status == "investigating"
    assert inaction_report.events.count() == 2


def test_unknown_action_is_404(supervisor, inaction_report):
    response = _act(login(supervisor), "inaction", inaction_report, "delete")
    assert response.status_code == 404


def test_reply_exists_only_for_intermediary_reports(supervisor, inaction_report):
    response = _act(login(supervisor), "inaction", inaction_report, "reply", "hello")
    assert response.status_code == 409
    assert not inaction_report.events.filter(action="reply").exists()


def test_discipline_notes_and_unsubstantiates(discipline, intermediary):
    report, _code = intermediary
    client = login(discipline)
    assert _act(client, "intermediary", report, "note", "内部线索").status_code == 302
    assert _act(client, "intermediary", report, "investigate").status_code == 302
    assert _act(client, "intermediary", report, "unsubstantiate", "查无实据").status_code == 302
    report.refresh_from_db()
    assert report.status == "unsubstantiated"
    assert report.events.filter(action="note", is_public=False, note="内部线索").exists()


def test_service_refuses_wrong_role(supervisor, intermediary):
    report, _code = intermediary
    with pytest.raises(ReportActionError):
        report_transition(report=report, action="investigate", actor=supervisor)
    report.refresh_from_db()
    assert report.status == "received"


def test_chains_verify_and_detect_an_edited_event(supervisor, discipline, inaction_report):
    client = login(supervisor)
    _act(client, "inaction", inaction_report, "investigate", "核查")
    call_command("verify_chains")  # intact

    ReportEvent.objects.filter(report=inaction_report, action="investigate").update(note="改写")
    with pytest.raises(CommandError):
        call_command("verify_chains")


def test_chain_detects_a_removed_access_row(discipline, intermediary):
    report, _code = intermediary
    login(discipline).get(reverse("reports:intermediary_detail", args=[report.pk]))
    call_command("verify_chains")
    ReportAccess.objects.filter(report=report).update(view="list")
    with pytest.raises(CommandError):
        call_command("verify_chains")


def test_events_and_access_rows_cannot_be_changed_through_the_orm(intermediary):
    report, _code = intermediary
    event = report.events.get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
