from datetime import timedelta

import pytest
from django.core import mail

from civicdesk.commitments import services
from civicdesk.commitments.models import Notification, Subscription
from civicdesk.conftest import login

pytestmark = pytest.mark.django_db


def test_public_list_shows_progress_and_filters(make_measure, problem, citizen, units):
    first = make_measure(title="Repair", weight=3)
    make_measure(title="Inspect", weight=1, unit="market")
    services.measure_update_progress(measure=first, progress=100, actor=first.created_by)
    page = citizen.get("/commitments/")
    body = page.content.decode()
    assert page.status_code == 200
    assert problem.title in body and 'value="75"' in body  # (3·100 + 1·0) / 4
    assert problem.title in citizen.get("/commitments/?campaign=lights").content.decode()
    assert problem.title not in citizen.get("/commitments/?overdue=on").content.decode()
    assert problem.title in citizen.get(f"/commitments/?unit={units['market'].pk}").content.decode()
    assert problem.title not in citizen.get("/commitments/?status=closed").content.decode()
    assert citizen.get("/commitments/?campaign=nope").status_code == 400


def test_overdue_filter(make_measure, problem, citizen):
    make_measure(start=-30, deadline=-1)
    body = citizen.get("/commitments/?overdue=on").content.decode()
    assert problem.title in body and "overdue" in body


def test_public_page_shows_progress_and_hides_internal_notes(measure, handler, citizen):
    services.measure_update_progress(
        measure=measure, progress=30, actor=handler, note="Contractor 李四 13800138000 is slow"
    )
    services.measure_request_extension(
        measure=measure,
        reason="secret pending reason",
        new_deadline=measure.deadline + timedelta(days=30),
        actor=handler,
    )
    page = citizen.get(f"/commitments/{measure.problem_id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Repair all lamps" in body and "30%" in body and "王局长" in body
    assert "城市管理局" in body and "东街道" in body
    assert "李四" not in body and "13800138000" not in body and "secret pending reason" not in body
    assert "reporter@example.org" not in body and "张三" not in body
    assert "Progress updated" in body


def test_problem_without_measures_has_no_public_page(problem, citizen):
    assert citizen.get(f"/commitments/{problem.pk}/").status_code == 404


def test_subscribe_confirm_notify_unsubscribe(
    measure, handler, citizen, django_capture_on_commit_callbacks
):
    url = f"/commitments/{measure.problem_id}/subscribe/"
    assert citizen.post(url, {"email": "not-an-email"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(url, {"email": "Fan@Example.org"})
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.email == "fan@example.org" and not subscription.confirmed
    assert mail.outbox[-1].to == ["fan@example.org"]
    assert f"/commitments/subscription/{subscription.token}/confirm/" in mail.outbox[-1].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_update_progress(measure=measure, progress=20, actor=handler)
    assert "fan@example.org" not in [m.to[0] for m in mail.outbox]  # not confirmed yet

    assert (
        citizen.get(f"/commitments/subscription/{subscription.token}/confirm/").status_code == 302
    )
    subscription.refresh_from_db()
    assert subscription.confirmed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_update_progress(measure=measure, progress=60, actor=handler)
    sent = {m.to[0]: m for m in mail.outbox}
    assert "60% done" in sent["fan@example.org"].body
    assert f"/commitments/subscription/{subscription.token}/stop/" in sent["fan@example.org"].body

    stop = f"/commitments/subscription/{subscription.token}/stop/"
    assert citizen.get(stop).status_code == 200
    assert Subscription.objects.exists()  # a GET changes nothing
    assert citizen.post(stop).status_code == 302
    assert not Subscription.objects.exists()
    assert citizen.post(stop).status_code == 404


def test_subscribe_is_rate_limited(measure, citizen, settings):
    settings.CIVICDESK_SUBSCRIBE_RATE_LIMIT = "2/h"
    url = f"/commitments/{measure.problem_id}/subscribe/"
    for n in range(2):
        assert citizen.post(url, {"email": f"a{n}@example.org"}).status_code == 302
    response = citizen.post(url, {"email": "a9@example.org"})
    assert response.status_code == 429
    assert Subscription.objects.count() == 2


def test_notifications_reach_linked_cases(
    measure, handler, citizen, django_capture_on_commit_callbacks
):
    case = measure.problem.cases.get()
    with django_capture_on_commit_callbacks(execute=True):
        login(handler).post(
            f"/commitments/staff/measures/{measure.pk}/progress/",
            {"progress-progress": 55, "progress-note": "internal only"},
        )
    note = Notification.objects.get(tracking_code=case.tracking_code)
    assert "55%" in note.message and "internal only" not in note.message
    assert any(m.to == ["reporter@example.org"] for m in mail.outbox)
    from django.template import Context, Template

    html = Template("{% load commitments %}{% case_notifications code %}").render(
        Context({"code": case.tracking_code})
    )
    assert "55%" in html
