import pytest

from civicdesk.problems import services, suggestions


@pytest.fixture(autouse=True)
def _fresh_index(settings, tmp_path):
    """Each test sees its own open-case index and model folder."""
    settings.CIVICDESK_MODEL_DIR = tmp_path / "models"
    services.reset_open_case_index()
    suggestions._load_classifier.cache_clear()
    yield
    services.reset_open_case_index()


@pytest.fixture
def start_run(django_capture_on_commit_callbacks):
    """POST the clustering form and run the queued task, as a worker would."""
    from datetime import timedelta

    from django.utils import timezone

    def start(client, **extra):
        today = timezone.localdate()
        data = {
            "period_start": (today - timedelta(days=1)).isoformat(),
            "period_end": today.isoformat(),
        }
        data.update(extra)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/staff/triage/", data)

    return start
