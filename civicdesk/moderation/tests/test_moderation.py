"""Moderation through HTTP: moderators hide, edit and restore public texts with a reason,
the original is kept and the change is on the timeline, and the moderated text is what the
public pages, the JSON API and Open311 show; the public's abuse reports feed the queue."""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken, User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import case_accept, case_answer, case_assign
from civicdesk.cases.workflow import Action
from civicdesk.conftest import login
from civicdesk.moderation.models import AbuseReport, AbuseStatus, TextModeration

pytestmark = pytest.mark.django_db

HIDDEN = "[This text was hidden by the moderators.]"
RUDE = "隔壁那个混蛋天天半夜装修"


@pytest.fixture
def published(make_case, units, clerk, handler) -> Case:
    case = make_case(
        description=f"{RUDE}，吵得睡不着",
        address="东苑小区5幢",
        consent_publish=True,
    )
    case = case_assign(case=case, unit=units["urban"], actor=clerk)
    case = case_accept(case=case, actor=handler)
    return case_answer(case=case, actor=handler, text="已联系物业，夜间禁止施工。")


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='test')[1]}"}


def public_views(client: Client, case: Case) -> dict[str, str]:
    """Every public rendering of the case's texts."""
    return {
        "report page": client.get(f"/nearby/r/{case.public_id}/").content.decode(),
        "status page": client.get(f"/track/{case.tracking_code}/").content.decode(),
        "answered": client.get("/answered/").content.decode(),
        "api": client.get(f"/api/v1/submissions/{case.tracking_code}").content.decode(),
        "nearby api": client.get(f"/api/v1/nearby/reports/{case.public_id}").content.decode(),
        "open311": client.get(f"/open311/v2/requests/{case.public_id}.json").content.decode(),
        "open311 list": client.get("/open311/v2/requests.json").content.decode(),
    }


def moderate(client: Client, case: Case, field: str, **data):
    form = {f"{field}-{name}": value for name, value in data.items()}
    return client.post(f"/moderation/staff/cases/{case.pk}/{field}/", form)


def test_hidden_report_text_disappears_everywhere_and_is_kept(citizen, published, supervisor):
    staff = login(supervisor)
    response = moderate(staff, published, "description", action="hide", reason="辱骂他人")
    assert response.status_code == 302

    for where, body in public_views(citizen, published).items():
        assert RUDE not in body, where
    assert HIDDEN in public_views(citizen, published)["report page"]
    assert citizen.get("/answered/", {"q": "混蛋"}).content.decode().count(RUDE) == 0
    assert (
        "No published answers match." in citizen.get("/answered/", {"q": "混蛋"}).content.decode()
    )
    published.submission.refresh_from_db()
    assert published.submission.description.startswith(RUDE)  # the original is kept
    event = CaseEvent.objects.get(case=published, action=Action.MODERATE)
    assert (event.actor, event.note, event.is_public) == (supervisor, "辱骂他人", False)
    assert event.data["field"] == "description" and event.data["moderation"] == "hide"
    page = staff.get(f"/staff/cases/{published.pk}/").content.decode()
    assert "Public text moderated" in page and "辱骂他人" in page


def test_edited_answer_replaces_the_answer_and_its_timeline_note(citizen, published, supervisor):
    staff = login(supervisor)
    response = moderate(
        staff,
        published,
        "answer",
        action="edit",
        replacement="已联系物业处理。",
        reason="答复中含有未核实的信息",
    )
    assert response.status_code == 302
    for where, body in public_views(citizen, published).items():
        assert "夜间禁止施工" not in body, where
    assert "已联系物业处理。" in public_views(citizen, published)["report page"]
    published.refresh_from_db()
    assert published.answer == "已联系物业，夜间禁止施工。"

    restored = moderate(staff, published, "answer", action="restore", reason="已核实")
    assert restored.status_code == 302
    assert "夜间禁止施工" in citizen.get(f"/nearby/r/{published.public_id}/").content.decode()
    assert list(TextModeration.objects.filter(case=published).values_list("action", flat=True)) == [
        "edit",
        "restore",
    ]
    assert CaseEvent.objects.filter(case=published, action=Action.MODERATE).count() == 2


def test_a_moderation_needs_a_reason_and_a_moderator(published, supervisor, handler, clerk):
    staff = login(supervisor)
    no_reason = moderate(staff, published, "description", action="hide", reason="")
    assert no_reason.status_code == 400
    no_text = moderate(staff, published, "answer", action="edit", reason="改", replacement="")
    assert no_text.status_code == 400
    assert "Write the text the public should read instead." in no_text.content.decode()
    nothing = moderate(staff, published, "answer", action="restore", reason="改回")
    assert nothing.status_code == 400
    assert "nothing to restore" in nothing.content.decode()
    for user in (handler, clerk):
        refused = moderate(login(user), published, "description", action="hide", reason="x")
        assert refused.status_code == 404
        assert login(user).get("/moderation/staff/").status_code == 404
    assert not TextModeration.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.MODERATE).exists()


def test_abuse_report_feeds_the_queue_and_a_moderation_upholds_it(citizen, published, supervisor):
    form = f"/moderation/report/{published.public_id}/"
    page = citizen.get(form)
    assert page.status_code == 200
    sent = citizen.post(form, {"field": "description", "reason": "offensive", "comment": "骂人"})
    assert sent.status_code == 302
    again = citizen.post(form, {"field": "description", "reason": "offensive"}, follow=True)
    assert "You already reported this text" in again.content.decode()
    assert AbuseReport.objects.count() == 1

    staff = login(supervisor)
    queue = staff.get("/moderation/staff/").content.decode()
    assert f"/moderation/staff/cases/{published.pk}/" in queue
    assert (
        moderate(staff, published, "description", action="hide", reason="辱骂").status_code == 302
    )
    report = AbuseReport.objects.get()
    assert report.status == AbuseStatus.UPHELD and report.decided_by == supervisor
    assert list(report.events.values_list("to_status", flat=True)) == ["open", "upheld"]
    assert "Nothing waits for a moderator." in staff.get("/moderation/staff/").content.decode()


def test_abuse_reports_are_checked_and_rate_limited(published, settings, make_case, supervisor):
    form = f"/moderation/report/{published.public_id}/"
    bad = Client().post(form, {"field": "description", "reason": "because"})
    assert bad.status_code == 400
    private = make_case(consent_publish=False)
    assert Client().get(f"/moderation/report/{private.public_id}/").status_code == 404
    settings.CIVICDESK_ABUSE_REPORT_RATE_LIMIT = "2/h"
    flooder = Client(REMOTE_ADDR="198.51.100.3")
    answers = [
        flooder.post(form, {"field": field, "reason": "other"}).status_code
        for field in ("description", "answer", "address")
    ]
    assert answers == [302, 302, 429]
    assert AbuseReport.objects.count() == 2

    staff = login(supervisor)
    report = AbuseReport.objects.first()
    dismissed = staff.post(f"/moderation/staff/reports/{report.pk}/dismiss/", {"note": "无不当"})
    assert dismissed.status_code == 302
    report.refresh_from_db()
    assert report.status == AbuseStatus.DISMISSED
    twice = staff.post(f"/moderation/staff/reports/{report.pk}/dismiss/")
    assert twice.status_code == 409


def test_moderation_through_the_api(client, published, supervisor, handler):
    anyone = client.post(
        "/api/v1/moderation/abuse-reports",
        {"public_id": published.public_id, "field": "description", "reason": "offensive"},
        content_type="application/json",
    )
    assert anyone.status_code == 201
    listed = client.get("/api/v1/moderation/abuse-reports", headers=bearer(supervisor))
    assert [item["public_id"] for item in listed.json()["items"]] == [published.public_id]
    assert (
        client.get("/api/v1/moderation/abuse-reports", headers=bearer(handler)).status_code == 403
    )
    done = client.post(
        f"/api/v1/moderation/cases/{published.pk}/texts",
        {"field": "description", "action": "hide", "reason": "辱骂"},
        content_type="application/json",
        headers=bearer(supervisor),
    )
    assert done.status_code == 201
    assert done.json()["public_text"] == HIDDEN
    assert done.json()["upheld_reports"] == [AbuseReport.objects.get().pk]
    again = client.post(
        f"/api/v1/moderation/cases/{published.pk}/texts",
        {"field": "description", "action": "hide", "reason": "辱骂"},
        content_type="application/json",
        headers=bearer(supervisor),
    )
    assert again.status_code == 409
    assert "already moderated this way" in again.json()["detail"]
