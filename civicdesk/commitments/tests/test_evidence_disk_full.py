"""Fault: the disk fills up while a measure's evidence is being stored (staff page and API)."""

from pathlib import Path

import pytest

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.commitments.models import Evidence, MeasureEvent
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.conftest import login
from civicdesk.core.tests.faults import disk_full_on_write

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_staff_page_says_the_disk_is_full_and_keeps_nothing(measure, handler, settings):
    events = MeasureEvent.objects.count()
    with disk_full_on_write() as failed:
        response = login(handler).post(
            f"/commitments/staff/measures/{measure.pk}/evidence/",
            {"evidence-file": png_upload()},
        )

    assert failed
    assert response.status_code == 400
    assert "no storage space left" in response.content.decode()
    assert not Evidence.objects.exists()
    assert MeasureEvent.objects.count() == events
    assert stored_files(settings) == []


def test_api_says_the_disk_is_full_and_keeps_nothing(measure, handler, settings):
    client = ApiClient(ApiToken.issue(user=handler, name="t")[1])
    with disk_full_on_write():
        response = client.upload(f"/api/v1/measures/{measure.pk}/evidence", {"file": png_upload()})

    assert 400 <= response.status_code < 500
    detail = response.json()["detail"]
    assert "no storage space left" in str(detail)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_a_failure_after_the_file_is_stored_removes_it(measure, handler, settings, monkeypatch):
    from civicdesk.commitments import services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_record", broken)
    with pytest.raises(RuntimeError):
        services.evidence_add(measure=measure, upload=png_upload(), actor=handler)

    assert not Evidence.objects.exists()
    assert stored_files(settings) == []
