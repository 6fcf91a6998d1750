"""Issue 4's headline journey, through the pages: a supervisor takes a problem from the
triage problem list to a public commitment, watches a measure become overdue, gets the
escalation, and signs the measure off only with evidence."""

import io
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from civicdesk.accounts.models import Role, User
from civicdesk.commitments.models import Measure
from civicdesk.commitments.tasks import escalate_overdue_measures
from civicdesk.commitments.workflow import MeasureStatus
from civicdesk.conftest import PASSWORD, login
from civicdesk.problems.models import ClusterRun, Problem


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "lamps.jpg"
    return buffer


def test_from_problem_list_to_signed_off_commitment(
    supervisor, handler, units, make_case, django_capture_on_commit_callbacks
):
    district_leader = User.objects.create_user(
        username="urban-leader",
        password=PASSWORD,
        role=Role.LEADER,
        unit=units["urban"],
        email="leader@example.org",
    )
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    for text in ("东苑小区3栋门口路灯不亮", "东苑小区3栋的路灯坏了一周", "东苑小区3栋路灯晚上不亮"):
        make_case(description=text)
    boss = login(supervisor)
    today = timezone.localdate()

    # 1. Cluster the period and promote the cluster to the problem list.
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(
            "/staff/triage/",
            {"period_start": (today - timedelta(days=1)).isoformat(), "period_end": today},
        )
    cluster = ClusterRun.objects.get().clusters.order_by("-heat").first()
    assert cluster.size == 3
    boss.post(
        f"/staff/triage/clusters/{cluster.pk}/promote/",
        {"title": "东苑小区路灯长期不亮", "category": "", "description": ""},
    )
    problem = Problem.objects.get()
    assert problem.cases.count() == 3

    # 2. Commit publicly to a measure with a deadline.
    response = boss.post(
        f"/commitments/staff/problems/{problem.pk}/",
        {
            "title": "更换东苑小区全部路灯",
            "description": "",
            "unit": units["urban"].pk,
            "start_date": (today - timedelta(days=20)).isoformat(),
            "deadline": (today + timedelta(days=10)).isoformat(),
            "weight": 1,
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    public = login(handler).get(f"/commitments/{problem.pk}/")
    assert "更换东苑小区全部路灯" in public.content.decode()

    # 3. Twelve days pass without the work being done: the measure is overdue.
    later = mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=12))
    with later:
        assert Measure.objects.overdue().filter(pk=measure.pk).exists()
        due_page = boss.get("/commitments/staff/due/").content.decode()
    assert "更换东苑小区全部路灯" in due_page

    # 4. The escalation reaches the supervisors and the unit's leader, once.
    mail.outbox.clear()
    with later, django_capture_on_commit_callbacks(execute=True):
        escalate_overdue_measures.call()
        escalate_overdue_measures.call()
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"supervisor@example.org", "leader@example.org"} <= recipients
    assert len(mail.outbox) == len({tuple(m.to) for m in mail.outbox})
    assert district_leader.email in recipients

    # 5. The unit finishes; it is done only with evidence, then signed off.
    worker = login(handler)
    worker.post(f"/commitments/staff/measures/{measure.pk}/progress/", {"progress-progress": 100})
    refused = worker.post(
        f"/commitments/staff/measures/{measure.pk}/mark_done/", {"mark_done-note": ""}
    )
    assert refused.status_code == 400
    assert "no evidence" in refused.content.decode()
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS
    worker.post(f"/commitments/staff/measures/{measure.pk}/evidence/", {"evidence-file": jpeg()})
    worker.post(f"/commitments/staff/measures/{measure.pk}/mark_done/", {"mark_done-note": ""})
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.DONE
    signed = boss.post(f"/commitments/staff/measures/{measure.pk}/verify/", {"verify-note": ""})
    assert signed.status_code == 302
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.VERIFIED

    # The whole history is intact.
    call_command("verify_chains")
