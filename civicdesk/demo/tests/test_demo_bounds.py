"""The demo checks positions against its own district's box (CIVICDESK_DISTRICT_BOUNDS),
as a real district would, unless the environment sets one; the box is kept in the demo's
settings file, so the commands run next to it check the same."""

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from civicdesk.core import demo_settings
from civicdesk.core.positions import parse_bounds
from civicdesk.demo import vocabulary
from civicdesk.intake.models import Submission


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def bounds_while_loading(monkeypatch):
    """The box in force while the demo loads its district."""
    from civicdesk.demo.management.commands import demo

    seen = []
    real = demo.load_demo

    def load_demo(**kwargs):
        seen.append(settings.CIVICDESK_DISTRICT_BOUNDS)
        return real(**kwargs)

    monkeypatch.setattr(demo, "load_demo", load_demo)
    return seen


def test_every_demo_place_lies_inside_the_demo_district():
    box = parse_bounds(vocabulary.DISTRICT_BOUNDS)
    scatter = Decimal("0.004")  # writer.py places a report up to this far from its centre
    for _places, latitude, longitude in vocabulary.PLACES.values():
        for d_lat in (-scatter, scatter):
            for d_lon in (-scatter, scatter):
                assert box.contains(Decimal(str(latitude)) + d_lat, Decimal(str(longitude)) + d_lon)


@pytest.mark.django_db
def test_the_demo_loads_and_keeps_its_district_box(
    data_dir, bounds_while_loading, monkeypatch
) -> None:
    monkeypatch.delenv("CIVICDESK_DISTRICT_BOUNDS", raising=False)
    before = settings.CIVICDESK_DISTRICT_BOUNDS
    call_command("demo", "--no-serve", "--submissions", "40", stdout=StringIO())

    assert bounds_while_loading == [vocabulary.DISTRICT_BOUNDS]
    assert demo_settings.read(data_dir).district_bounds == vocabulary.DISTRICT_BOUNDS
    assert before == settings.CIVICDESK_DISTRICT_BOUNDS  # the process's settings as found
    box = parse_bounds(vocabulary.DISTRICT_BOUNDS)
    placed = Submission.objects.exclude(latitude=None)
    assert placed.exists()
    assert all(box.contains(s.latitude, s.longitude) for s in placed)


@pytest.mark.django_db
def test_a_box_the_environment_sets_wins(data_dir, bounds_while_loading, monkeypatch) -> None:
    monkeypatch.setenv("CIVICDESK_DISTRICT_BOUNDS", "")  # set, and empty: no check
    call_command("demo", "--no-serve", "--submissions", "5", stdout=StringIO())

    assert bounds_while_loading == [""]
    # The file keeps the demo's own box; the environment decides wherever it is set.
    assert demo_settings.read(data_dir).district_bounds == vocabulary.DISTRICT_BOUNDS


def _bounds_read_by_settings(data_dir, **env) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIVICDESK_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environment |= {"CIVICDESK_DATA_DIR": str(data_dir), **env}
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'civicdesk.settings'; "
        "from django.conf import settings; print(settings.CIVICDESK_DISTRICT_BOUNDS)"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_commands_next_to_the_demo_read_its_box(tmp_path):
    demo_settings.write(tmp_path, district_bounds=vocabulary.DISTRICT_BOUNDS)

    assert _bounds_read_by_settings(tmp_path) == vocabulary.DISTRICT_BOUNDS
    box = "30.0,120.0,30.5,120.5"
    assert _bounds_read_by_settings(tmp_path, CIVICDESK_DISTRICT_BOUNDS=box) == box
