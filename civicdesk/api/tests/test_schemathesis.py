"""Fuzzing of every API operation against the app's own OpenAPI document (schemathesis).

The document is fetched from the app itself over WSGI, so whatever the code declares is what is
checked: every response must be documented (status, content type, headers, body schema) and
none may be a server error, whatever the generated input. The requests go to the test database,
filled with a small demo district (cases in every status, problems with measures, ledger rows,
reports, ratings); path parameters are drawn half from the ids of existing objects and half at
random, so that both the found and the not-found answers are exercised.

Run with ``pytest -m fuzz``. Examples are derandomised, so a failure reproduces from the same
command. (schemathesis's own pytest plugin cannot run under pytest 9 yet, so each operation gets
its Hypothesis test here, built from ``operation.as_strategy()``.)
"""

from __future__ import annotations

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civicdesk.accounts.models import ApiToken, Role, Unit, UnitKind, User
from civicdesk.catalogue.models import ServiceItem
from civicdesk.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Bounded so that both personas over all ~100 operations stay well under three minutes on two
# cores; derandomize makes every run try the same inputs, so a red CI run reproduces locally.
FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Path parameter → (model, field) whose existing values are worth trying.
KNOWN_VALUES: dict[str, tuple[str, str]] = {
    "case_id": ("cases.Case", "pk"),
    "tracking_code": ("cases.Case", "tracking_code"),
    "problem_id": ("problems.Problem", "pk"),
    "run_id": ("problems.ClusterRun", "pk"),
    "cluster_id": ("problems.ProblemCluster", "pk"),
    "measure_id": ("commitments.Measure", "pk"),
    "milestone_id": ("commitments.Milestone", "pk"),
    "evidence_id": ("commitments.Evidence", "pk"),
    "item_id": ("ledgers.PromiseItem", "pk"),
    "utility_id": ("ledgers.Utility", "pk"),
    "report_id": ("reports.Report", "pk"),
    "rejection_id": ("reports.ImportRejection", "pk"),
    "rating_id": ("ratings.Rating", "pk"),
    "invitation_id": ("ratings.RatingInvitation", "pk"),
}


def known_values() -> dict[str, list]:
    values: dict[str, list] = {}
    for name, (label, field) in KNOWN_VALUES.items():
        found = list(apps.get_model(label).objects.values_list(field, flat=True)[:20])
        if found:
            values[name] = found
    # A path ``code`` is a rating window's code or a catalogue item's.
    values["code"] = list(Unit.objects.filter(kind=UnitKind.WINDOW).values_list("code", flat=True))
    values["code"] += list(ServiceItem.objects.values_list("code", flat=True)[:10])
    return values


def case_strategy(operation, known: dict[str, list]):
    """Random inputs, or the same with path parameters taken from existing objects."""
    random_case = operation.as_strategy()
    names = [p.name for p in operation.path_parameters]
    if not names or not all(name in known for name in names):
        return random_case
    existing = st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names})
    with_existing = existing.flatmap(lambda path: operation.as_strategy(path_parameters={**path}))
    return st.one_of(random_case, with_existing)


def describe(error: BaseException) -> str:
    """The failure with what schemathesis adds as notes (the response, a curl to reproduce)."""
    lines = [str(error), *getattr(error, "__notes__", [])]
    for inner in getattr(error, "exceptions", ()):
        lines.append(f"  {type(inner).__name__}: {inner}")
    return "\n".join(lines)


def fuzz_all(token: str) -> None:
    """Run every operation; collect the failures of all of them, then fail once with the list."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    known = known_values()
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ_SETTINGS
        @given(case=case_strategy(operation, known))
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        # FailureGroup is a BaseExceptionGroup; every operation's failures are reported at the end.
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {describe(error)}")
    assert operations > 90
    assert not failures, "\n\n".join(failures)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The app is called over plain WSGI, whose request signals close the database connection
    (and with it the test's transaction on PostgreSQL); Django's test Client unhooks them the
    same way."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def district() -> dict[str, User]:
    """A small demo district: about sixty cases through the real workflow, and all the rest."""
    from civicdesk.demo.generator import load_demo

    load_demo(submissions=60)
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    handler = User.objects.filter(role=Role.HANDLER, unit__kind=UnitKind.DEPARTMENT).first()
    assert admin is not None and handler is not None
    return {"admin": admin, "handler": handler}


def test_every_operation_as_admin(district: dict[str, User]) -> None:
    fuzz_all(ApiToken.issue(user=district["admin"], name="fuzz")[1])


def test_every_operation_as_handler(district: dict[str, User]) -> None:
    """A handler sees only their unit's work: refusals must be documented answers too."""
    fuzz_all(ApiToken.issue(user=district["handler"], name="fuzz")[1])
