"""The same-problem index a worker saves for the web processes (ADR 0002, update)."""

import logging
import os
import threading
import time

import numpy as np
import pytest
from django.db import connection

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.problems import services
from civicdesk.problems.tasks import build_same_problem_index
from civicdesk.triage.similar import SameProblemIndex

LIGHT = "东苑小区3栋门口路灯坏了，晚上一片漆黑，老人出行不便"
LIGHT_AGAIN = "东苑小区3栋门口的路灯不亮已经一周，晚上很黑，请尽快修"
NOISE = "滨江路工地夜间施工噪音太大，凌晨两点还在打桩，影响休息"
NOISE_AGAIN = "滨江路那个工地半夜打桩，噪音吵得睡不着觉"


def panel(user, case) -> str:
    response = login(user).get(f"/staff/triage/cases/{case.pk}/triage/")
    assert response.status_code == 200
    return response.content.decode()


def file_stamp() -> tuple[int, int]:
    stat = services.open_case_index_path().stat()
    return (stat.st_ino, stat.st_mtime_ns)


def saved_ids() -> set[str]:
    index = SameProblemIndex.load(services.open_case_index_path())
    return {case_id for case_id, _score in index.query(LIGHT, k=50, min_score=0.0)} | {
        case_id for case_id, _score in index.query(NOISE, k=50, min_score=0.0)
    }


def test_the_task_saves_the_open_cases_and_the_panel_uses_the_file(supervisor, make_case):
    light, light_again, noise = (make_case(description=t) for t in (LIGHT, LIGHT_AGAIN, NOISE))
    closed = make_case(description=NOISE_AGAIN)
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    assert build_same_problem_index.call() == {"cases": 3}
    path = services.open_case_index_path()
    saved = SameProblemIndex.load(path)
    assert len(saved) == 3
    assert saved.meta["last_case_id"] == closed.pk  # looked at, though not stored
    assert saved_ids() == {str(light.pk), str(light_again.pk), str(noise.pk)}
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]

    page = panel(supervisor, light)
    assert light_again.tracking_code in page
    assert services._index.saved_stamp == file_stamp()  # loaded, not built


def test_cases_newer_than_the_file_are_added_in_process(supervisor, make_case):
    light = make_case(description=LIGHT)
    build_same_problem_index.call()
    assert light.tracking_code not in panel(supervisor, light)  # nothing else yet
    light_again = make_case(description=LIGHT_AGAIN)
    assert light_again.tracking_code in panel(supervisor, light)
    assert light.tracking_code in panel(supervisor, light_again)
    assert services._index.saved_stamp is not None


def test_a_new_file_replaces_the_loaded_index_and_drops_closed_cases(supervisor, make_case):
    light, light_again = make_case(description=LIGHT), make_case(description=LIGHT_AGAIN)
    build_same_problem_index.call()
    assert light_again.tracking_code in panel(supervisor, light)
    first_stamp = services._index.saved_stamp

    Case.objects.filter(pk=light_again.pk).update(status=Status.CLOSED)
    build_same_problem_index.call()
    assert file_stamp() != first_stamp
    assert saved_ids() == {str(light.pk)}
    # The request that finds the new file is answered from the index there is; the new one
    # is loaded in the background.
    assert light_again.tracking_code not in panel(supervisor, light)
    services._loader.join(timeout=10)
    assert services._index.saved_stamp == file_stamp()
    assert light_again.tracking_code not in panel(supervisor, light)


def test_without_a_recent_file_each_process_builds_its_own(supervisor, make_case):
    light, light_again = make_case(description=LIGHT), make_case(description=LIGHT_AGAIN)
    build_same_problem_index.call()
    path = services.open_case_index_path()
    old = time.time() - services.SAVED_INDEX_MAX_AGE_SECONDS - 60
    os.utime(path, (old, old))  # the worker stopped long ago
    assert light_again.tracking_code in panel(supervisor, light)
    assert services._index.saved_stamp is None

    path.unlink()
    services.reset_open_case_index()
    assert light_again.tracking_code in panel(supervisor, light)
    assert services._index.saved_stamp is None


def test_an_unreadable_file_is_logged_once_and_hints_still_work(supervisor, make_case, caplog):
    light, light_again = make_case(description=LIGHT), make_case(description=LIGHT_AGAIN)
    path = services.open_case_index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not an index")
    with caplog.at_level(logging.WARNING, logger="civicdesk.problems.services"):
        assert light_again.tracking_code in panel(supervisor, light)
        assert light.tracking_code in panel(supervisor, light_again)
    warnings = [r for r in caplog.records if "same-problem index file unusable" in r.message]
    assert len(warnings) == 1
    assert services._index.saved_stamp is None

    build_same_problem_index.call()  # a good file replaces it
    assert light_again.tracking_code in panel(supervisor, light)
    services._loader.join(timeout=10)
    assert services._index.saved_stamp == file_stamp()


def test_the_job_is_scheduled(settings):
    assert "civicdesk.problems.tasks.build_same_problem_index" in (
        settings.CIVICDESK_SCHEDULED_TASKS
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_added_while_another_thread_queries_waits_for_the_query(make_case, monkeypatch):
    make_case(description=LIGHT)
    services._open_case_hits(LIGHT, 5)  # this process's index now exists
    light_again = make_case(description=LIGHT_AGAIN)
    original_query = SameProblemIndex.query
    seen: dict = {}

    def other_request() -> None:
        try:
            seen["hits"] = services._open_case_hits(NOISE, 5)  # adds the noise case
        except Exception as error:
            seen["error"] = error
        finally:
            connection.close()

    def query_while_a_case_arrives(self, text, *args, **kwargs):
        if "thread" in seen:
            return original_query(self, text, *args, **kwargs)
        view = np.frombuffer(self._keys, dtype=np.int32)  # as a query holds while it scores
        make_case(description=NOISE)
        seen["thread"] = thread = threading.Thread(target=other_request)
        thread.start()
        thread.join(timeout=0.5)
        seen["waited"] = thread.is_alive()
        del view
        return original_query(self, text, *args, **kwargs)

    monkeypatch.setattr(SameProblemIndex, "query", query_while_a_case_arrives)
    hits = services._open_case_hits(LIGHT, 5)
    seen["thread"].join(timeout=10)
    assert "error" not in seen, seen.get("error")
    assert seen["waited"] is True
    assert str(light_again.pk) in [case_id for case_id, _score in hits]
    assert isinstance(seen["hits"], list)


def test_a_new_file_is_loaded_without_holding_up_the_request(supervisor, make_case, monkeypatch):
    light, light_again = make_case(description=LIGHT), make_case(description=LIGHT_AGAIN)
    build_same_problem_index.call()
    assert light_again.tracking_code in panel(supervisor, light)  # the first file: waited for
    build_same_problem_index.call()
    finish = threading.Event()
    original_load = SameProblemIndex.load

    def slow_load(path):
        finish.wait(timeout=10)
        return original_load(path)

    monkeypatch.setattr(services.SameProblemIndex, "load", slow_load)
    started = time.monotonic()
    assert light_again.tracking_code in panel(supervisor, light)  # from the index it had
    assert time.monotonic() - started < 5
    assert services._loader.is_alive()
    finish.set()
    services._loader.join(timeout=10)
    assert services._index.saved_stamp == file_stamp()
