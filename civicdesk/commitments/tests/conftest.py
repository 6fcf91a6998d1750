import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from civicdesk.commitments import services
from civicdesk.problems.models import Campaign, Problem


@pytest.fixture
def problem(units, supervisor, make_case):
    problem = Problem.objects.create(
        title="东苑路灯长期不亮",
        description="Street lights in Dongyuan are out.",
        lead_unit=units["urban"],
        responsible_official="王局长",
        created_by=supervisor,
    )
    problem.co_units.add(units["east-street"])
    problem.campaigns.add(Campaign.objects.get_or_create(code="lights", name="亮灯行动")[0])
    problem.cases.add(make_case(contact_email="reporter@example.org", contact_name="张三"))
    return problem


@pytest.fixture
def make_measure(problem, units, supervisor):
    def make(unit="urban", start=-10, deadline=20, **fields):
        today = timezone.localdate()
        data = services.NewMeasure(
            title=fields.pop("title", "Repair all lamps"),
            unit=units[unit],
            start_date=today + timedelta(days=start),
            deadline=today + timedelta(days=deadline),
            **fields,
        )
        return services.measure_create(problem=problem, data=data, actor=supervisor)

    return make


@pytest.fixture
def measure(make_measure):
    return make_measure()


def png_upload(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
