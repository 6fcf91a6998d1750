from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicdesk.commitments.models import Evidence, Measure, MeasureEvent, ProblemEvent
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.commitments.workflow import MeasureAction, MeasureStatus
from civicdesk.conftest import login

pytestmark = pytest.mark.django_db


def _url(measure, action=""):
    base = f"/commitments/staff/measures/{measure.pk}/"
    return f"{base}{action}/" if action else base


def test_supervisor_adds_a_measure_through_the_problem_page(problem, supervisor, units):
    client = login(supervisor)
    today = timezone.localdate()
    response = client.post(
        f"/commitments/staff/problems/{problem.pk}/",
        {
            "title": "Replace the lamps",
            "description": "All 40 lamps",
            "unit": units["urban"].pk,
            "start_date": today.isoformat(),
            "deadline": (today + timedelta(days=30)).isoformat(),
            "weight": 2,
        },
    )
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(measure)
    assert measure.status == MeasureStatus.PLANNED and measure.weight == 2
    assert measure.events.get().action == MeasureAction.CREATE
    assert ProblemEvent.objects.get(problem=problem).measure == measure
    page = client.get(f"/commitments/staff/problems/{problem.pk}/")
    assert "Replace the lamps" in page.content.decode()


def test_deadline_before_start_is_refused_and_nothing_saved(problem, supervisor, units):
    today = timezone.localdate()
    response = login(supervisor).post(
        f"/commitments/staff/problems/{problem.pk}/",
        {
            "title": "Replace the lamps",
            "unit": units["urban"].pk,
            "start_date": today.isoformat(),
            "deadline": (today - timedelta(days=1)).isoformat(),
            "weight": 1,
        },
    )
    assert response.status_code == 400
    assert "The deadline cannot be before the start date." in response.content.decode()
    assert not Measure.objects.exists() and not MeasureEvent.objects.exists()


def test_handler_and_leader_cannot_add_measures(problem, handler, leader, units):
    today = timezone.localdate().isoformat()
    data = {"title": "x", "unit": units["urban"].pk, "start_date": today, "deadline": today}
    assert login(leader).post(f"/commitments/staff/problems/{problem.pk}/", data).status_code == 404
    assert (
        login(handler).post(f"/commitments/staff/problems/{problem.pk}/", data).status_code == 404
    )
    assert not Measure.objects.exists()


def test_full_lifecycle_through_the_pages(measure, handler, supervisor):
    worker = login(handler)
    response = worker.post(
        _url(measure, "progress"), {"progress-progress": 40, "progress-note": "Bought lamps"}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.progress, measure.status) == (40, MeasureStatus.IN_PROGRESS)

    today = timezone.localdate()
    worker.post(
        _url(measure, "milestone_add"),
        {"milestone_add-title": "Half the street", "milestone_add-due_date": today.isoformat()},
    )
    milestone = measure.milestones.get()
    assert (
        worker.post(_url(measure, "milestone_complete"), {"milestone": milestone.pk}).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.done_at is not None

    # Done needs evidence too; the page says what is missing.
    assert "no evidence" in worker.get(_url(measure)).content.decode()
    response = worker.post(_url(measure, "mark_done"), {"mark_done-note": ""})
    assert response.status_code == 400
    assert "cannot be marked done yet: no evidence" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS

    response = worker.post(
        _url(measure, "evidence"), {"evidence-file": png_upload(), "evidence-note": "after"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png" and evidence.uploaded_by == handler
    assert worker.get(f"/commitments/staff/evidence/{evidence.pk}/").status_code == 200

    response = worker.post(_url(measure, "mark_done"), {"mark_done-note": ""})
    measure.refresh_from_db()
    assert response.status_code == 302
    assert (measure.status, measure.progress) == (MeasureStatus.DONE, 100)

    boss = login(supervisor)
    assert boss.post(_url(measure, "verify"), {"verify-note": ""}).status_code == 302
    assert boss.post(_url(measure, "close"), {"close-note": ""}).status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.CLOSED
    actions = list(measure.events.order_by("position").values_list("action", flat=True))
    assert actions == [
        "create",
        "progress",
        "milestone_add",
        "milestone_complete",
        "evidence",
        "mark_done",
        "verify",
        "close",
    ]
    page = boss.get(_url(measure)).content.decode()
    assert "Bought lamps" in page and "Verified and signed off" in page


@pytest.mark.parametrize("value", [-1, 101, 250])
def test_progress_out_of_range_is_refused_and_nothing_saved(measure, handler, value):
    response = login(handler).post(_url(measure, "progress"), {"progress-progress": value})
    assert response.status_code == 400
    assert "Progress must be between 0 and 100 percent." in response.content.decode()
    measure.refresh_from_db()
    assert measure.progress == 0 and measure.status == MeasureStatus.PLANNED
    assert measure.events.count() == 1


def test_service_refuses_progress_out_of_range(measure, handler):
    from civicdesk.commitments import services

    with pytest.raises(services.MeasureError) as error:
        services.measure_update_progress(measure=measure, progress=101, actor=handler)
    assert error.value.field == "progress"


def test_evidence_is_checked_by_content(measure, handler):
    client = login(handler)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(_url(measure, "evidence"), {"evidence-file": fake})
    assert response.status_code == 400
    assert "is not a photo" in response.content.decode()
    pdf = SimpleUploadedFile(
        "report.txt", b"%PDF-1.4\n%fake but magic\n", content_type="text/plain"
    )
    assert client.post(_url(measure, "evidence"), {"evidence-file": pdf}).status_code == 302
    assert Evidence.objects.get().content_type == "application/pdf"


def test_evidence_size_limit(measure, handler, settings):
    settings.CIVICDESK_MAX_EVIDENCE_BYTES = 10
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 and more than ten bytes")
    response = login(handler).post(_url(measure, "evidence"), {"evidence-file": pdf})
    assert response.status_code == 400
    assert "is larger than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_handler_of_another_unit_gets_404(measure, other_handler):
    client = login(other_handler)
    assert client.get(_url(measure)).status_code == 404
    assert client.post(_url(measure, "progress"), {"progress-progress": 10}).status_code == 404
    assert client.get(f"/commitments/staff/problems/{measure.problem_id}/").status_code == 404


def test_handler_of_a_parent_unit_may_work_on_a_sub_unit_measure(make_measure, handler):
    measure = make_measure(unit="urban-window")
    response = login(handler).post(_url(measure, "progress"), {"progress-progress": 10})
    assert response.status_code == 302


def test_leader_reads_but_cannot_change(measure, leader):
    client = login(leader)
    page = client.get(_url(measure))
    assert page.status_code == 200
    assert "No action is open to you" in page.content.decode()
    response = client.post(_url(measure, "progress"), {"progress-progress": 50})
    assert response.status_code == 400
    assert "Your role may not do this." in response.content.decode()
    measure.refresh_from_db()
    assert measure.progress == 0


def test_anonymous_and_citizen_cannot_see_staff_pages(measure, citizen):
    assert citizen.get(_url(measure)).status_code == 302


def test_extension_needs_approval_then_its_reason_is_public(measure, handler, supervisor, citizen):
    new_deadline = measure.deadline + timedelta(days=14)
    worker = login(handler)
    response = worker.post(
        _url(measure, "request_extension"),
        {
            "request_extension-new_deadline": measure.deadline.isoformat(),
            "request_extension-reason": "x",
        },
    )
    assert response.status_code == 400
    assert "must be after the current one" in response.content.decode()
    worker.post(
        _url(measure, "request_extension"),
        {
            "request_extension-new_deadline": new_deadline.isoformat(),
            "request_extension-reason": "Lamps back-ordered",
        },
    )
    measure.refresh_from_db()
    assert measure.deadline != new_deadline
    public = citizen.get(f"/commitments/{measure.problem_id}/").content.decode()
    assert "Lamps back-ordered" not in public
    # a handler cannot approve
    assert worker.post(_url(measure, "approve_extension"), {}).status_code == 400
    assert login(supervisor).post(_url(measure, "approve_extension"), {}).status_code == 302
    measure.refresh_from_db()
    assert measure.deadline == new_deadline
    public = citizen.get(f"/commitments/{measure.problem_id}/").content.decode()
    assert "Lamps back-ordered" in public and new_deadline.isoformat() in public


def test_overdue_and_due_soon_lists(make_measure, handler, other_handler):
    late = make_measure(title="Late lamps", start=-30, deadline=-2)
    make_measure(title="Soon lamps", start=-5, deadline=0)
    make_measure(title="Market stalls", unit="market", start=-30, deadline=-2)
    assert list(Measure.objects.overdue()) == [late, Measure.objects.get(title="Market stalls")]
    page = login(handler).get("/commitments/staff/due/").content.decode()
    overdue_part = page.split('id="due-soon-measures"')[0]
    assert "Late lamps" in overdue_part and "Market stalls" not in page
    assert "Soon lamps" in page.split('id="due-soon-measures"')[1]
    assert "Market stalls" in login(other_handler).get("/commitments/staff/due/").content.decode()
