"""Measures through the API: creation, the workflow to sign-off, evidence, and the scope of
handlers (their unit's subtree), clerks, supervisors and leaders."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicdesk.commitments import services
from civicdesk.commitments.models import Evidence, Measure, MeasureEvent
from civicdesk.problems.models import Problem

MEASURES = "/api/v1/measures"


@pytest.fixture
def problem(units, supervisor):
    return Problem.objects.create(title="东苑路灯", lead_unit=units["urban"], created_by=supervisor)


@pytest.fixture
def make_measure(problem, units, supervisor):
    def make(unit: str = "urban") -> Measure:
        today = timezone.localdate()
        data = services.NewMeasure(
            title="修好全部路灯",
            unit=units[unit],
            start_date=today - timedelta(days=5),
            deadline=today + timedelta(days=20),
        )
        return services.measure_create(problem=problem, data=data, actor=supervisor)

    return make


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def day(offset: int) -> str:
    return str(timezone.localdate() + timedelta(days=offset))


@pytest.mark.django_db
def test_clerk_promises_a_measure(api_as, clerk, problem):
    body = {"title": "换灯", "unit": "urban", "start_date": day(0), "deadline": day(30)}

    response = api_as(clerk).post(f"/api/v1/problems/{problem.pk}/measures", body)

    assert response.status_code == 201, response.content
    measure = Measure.objects.get()
    assert (measure.title, measure.unit.code, measure.status) == ("换灯", "urban", "planned")
    assert response.json()["events"][0]["action"] == "create"
    overview = api_as(clerk).get(f"/api/v1/problems/{problem.pk}/measures").json()
    assert [m["id"] for m in overview["measures"]] == [measure.pk]
    assert overview["progress"] == 0


@pytest.mark.django_db
def test_measure_dates_are_checked_by_the_service(api_as, clerk, problem):
    body = {"title": "换灯", "unit": "urban", "start_date": day(5), "deadline": day(1)}

    response = api_as(clerk).post(f"/api/v1/problems/{problem.pk}/measures", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "deadline"
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_handler_and_leader_may_not_create_measures(api_as, handler, leader, problem):
    body = {"title": "x", "unit": "urban", "start_date": day(0), "deadline": day(3)}
    for user in (handler, leader):
        response = api_as(user).post(f"/api/v1/problems/{problem.pk}/measures", body)
        assert response.status_code == 403, user
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_the_whole_workflow_to_closing(api_as, handler, supervisor, make_measure):
    measure = make_measure()
    worker, signer = api_as(handler), api_as(supervisor)
    url = f"{MEASURES}/{measure.pk}"

    assert worker.post(f"{url}/progress", {"progress": 40}).json()["status"] == "in_progress"
    added = worker.post(f"{url}/milestones", {"title": "采购", "due_date": day(3)})
    assert added.status_code == 201, added.content
    milestone = added.json()["milestones"][0]["id"]
    assert worker.post(f"{url}/milestones/{milestone}/complete", {}).status_code == 200
    asked = worker.post(f"{url}/extension-request", {"new_deadline": day(40), "reason": "雨季"})
    assert asked.json()["pending_extension"]["reason"] == "雨季"
    assert "approve_extension" not in asked.json()["allowed_actions"]
    approved = signer.post(f"{url}/extension-approval", {})
    assert approved.json()["deadline"] == day(40)
    assert worker.get(url).json()["missing_for_done"] == ["no evidence (a photo or document)"]
    no_evidence = worker.post(f"{url}/done", {"note": "完工"})
    assert no_evidence.status_code == 409
    assert "no evidence" in no_evidence.json()["detail"]
    uploaded = worker.upload(f"{url}/evidence", {"file": png(), "note": "现场照片"})
    assert uploaded.status_code == 201, uploaded.content
    evidence = uploaded.json()["evidence"][0]
    assert evidence["content_type"] == "image/png"
    download = worker.client.get(evidence["download_url"], headers=worker.headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert uploaded.json()["missing_for_done"] == []
    done = worker.post(f"{url}/done", {"note": "完工"})
    assert done.json()["progress"] == 100

    assert signer.post(f"{url}/verify", {}).json()["status"] == "verified"
    closed = signer.post(f"{url}/close", {})
    assert closed.status_code == 200, closed.content
    measure.refresh_from_db()
    assert measure.status == "closed"
    assert measure.closed_at is not None
    actions = list(MeasureEvent.objects.filter(measure=measure).values_list("action", flat=True))
    assert actions == [
        "create",
        "progress",
        "milestone_add",
        "milestone_complete",
        "request_extension",
        "approve_extension",
        "evidence",
        "mark_done",
        "verify",
        "close",
    ]


@pytest.mark.django_db
def test_handler_of_another_unit_gets_404_and_changes_nothing(api_as, other_handler, make_measure):
    measure = make_measure()
    client = api_as(other_handler)

    assert client.get(f"{MEASURES}/{measure.pk}").status_code == 404
    assert client.post(f"{MEASURES}/{measure.pk}/progress", {"progress": 50}).status_code == 404
    assert client.get(MEASURES).json()["count"] == 0
    measure.refresh_from_db()
    assert measure.progress == 0


@pytest.mark.django_db
def test_roles_that_may_not_act_get_403(api_as, handler, clerk, leader, make_measure):
    measure = make_measure()
    url = f"{MEASURES}/{measure.pk}"

    assert api_as(handler).post(f"{url}/extension-approval", {}).status_code == 403
    assert api_as(clerk).post(f"{url}/progress", {"progress": 10}).status_code == 403
    assert api_as(leader).post(f"{url}/done", {}).status_code == 403
    assert api_as(leader).get(url).json()["allowed_actions"] == []
    assert MeasureEvent.objects.filter(measure=measure).count() == 1


@pytest.mark.django_db
def test_bad_progress_and_wrong_state_are_refused(api_as, handler, make_measure):
    measure = make_measure()
    client = api_as(handler)

    too_much = client.post(f"{MEASURES}/{measure.pk}/progress", {"progress": 101})
    approve_nothing = client.post(f"{MEASURES}/{measure.pk}/milestones/999/complete", {})

    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["msg"].startswith("progress: ")
    assert approve_nothing.status_code == 404


@pytest.mark.django_db
def test_evidence_must_be_a_photo_or_document_and_not_too_big(
    api_as, handler, make_measure, settings
):
    measure = make_measure()
    client = api_as(handler)
    url = f"{MEASURES}/{measure.pk}/evidence"

    text = client.upload(url, {"file": SimpleUploadedFile("notes.txt", b"hello")})
    missing = client.upload(url, {"note": "x"})
    settings.CIVICDESK_MAX_EVIDENCE_BYTES = 10
    big = client.upload(url, {"file": png()})

    assert text.status_code == 422
    assert text.json()["detail"][0]["loc"][-1] == "file"
    assert missing.status_code == 422
    assert big.status_code == 413
    assert "larger than" in big.json()["detail"]
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_measure_filters(api_as, supervisor, make_measure):
    urban, market = make_measure("urban"), make_measure("market")
    Measure.objects.filter(pk=market.pk).update(
        start_date=timezone.localdate() - timedelta(days=9),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    client = api_as(supervisor)

    assert [m["id"] for m in client.get(MEASURES, unit="urban").json()["items"]] == [urban.pk]
    assert [m["id"] for m in client.get(MEASURES, overdue="true").json()["items"]] == [market.pk]
    assert client.get(MEASURES, unit="atlantis").status_code == 422


@pytest.mark.django_db
def test_done_needs_milestones_and_evidence_or_a_supervisors_reason(
    api_as, handler, supervisor, make_measure
):
    measure = make_measure()
    services.milestone_add(
        measure=measure, title="Half the street", due_date=measure.deadline, actor=handler
    )
    url = f"{MEASURES}/{measure.pk}"

    refused = api_as(handler).post(f"{url}/done", {"note": ""})
    assert refused.status_code == 409
    assert "1 milestone not reached (Half the street)" in refused.json()["detail"]
    missing = api_as(supervisor).post(f"{url}/done", {"note": ""})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "reason"

    done = api_as(supervisor).post(f"{url}/done", {"note": "", "reason": "节点调整"})

    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert done.json()["events"][0]["reason"] == "节点调整"
