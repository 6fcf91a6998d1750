"""Who may open what among the pages and API reads of issues 16 and 18: work orders,
supervision, return visits, appraisal, knowledge base, training, the online hall and the
integrity signals. Read like test_access_matrix: anonymous visitors are sent to the login page
(302) or refused by the API (401); staff outside a page's audience get a 404, or a 403 where
the API names the refusal; public pages are 200 for everyone. Cells worth a word: a handler
asking for the appraisal table is sent to their own unit's score (302); nobody here enters an
application at a window, as no matter has a process with an acceptance window yet (404 even
for the administrator); leaders read the hall but do not record kiosk visits; the integrity
signals are for discipline inspectors only, administrators included out, and the API hides
them from everyone else (404).
"""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.cases import services as case_services
from civicdesk.conftest import PASSWORD

PERSONAS = [
    *("anon", "clerk", "handler_a", "handler_b"),
    *("supervisor", "leader", "discipline", "admin"),
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Units, one user per persona and a case of unit A, built once for the module inside a
    transaction rolled back at the end."""
    from django.db import transaction

    from civicdesk.accounts.models import Unit, UnitKind
    from civicdesk.intake.models import Channel
    from civicdesk.intake.services import NewSubmission, submission_create

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            district = Unit.objects.create(code="d", name="区", kind=UnitKind.DISTRICT)
            unit_a = Unit.objects.create(
                code="a", name="甲局", kind=UnitKind.DEPARTMENT, parent=district
            )
            unit_b = Unit.objects.create(
                code="b", name="乙局", kind=UnitKind.DEPARTMENT, parent=district
            )
            roles = {
                "clerk": (Role.CLERK, district),
                "handler_a": (Role.HANDLER, unit_a),
                "handler_b": (Role.HANDLER, unit_b),
                "supervisor": (Role.SUPERVISOR, district),
                "leader": (Role.LEADER, district),
                "discipline": (Role.DISCIPLINE, district),
                "admin": (Role.ADMIN, district),
            }
            users = {
                name: User.objects.create_user(
                    username=name, password=PASSWORD, role=role, unit=unit, display_name=name
                )
                for name, (role, unit) in roles.items()
            }
            users["admin"].is_staff = users["admin"].is_superuser = True
            users["admin"].save()
            _, case, _ = submission_create(
                data=NewSubmission(
                    channel=Channel.objects.get(code="snapshot"), description="路灯不亮"
                )
            )
            case_services.case_assign(case=case, unit=unit_a, actor=users["clerk"])
            tokens = {name: ApiToken.issue(user=user, name="t")[1] for name, user in users.items()}
            yield {"case": case, "tokens": tokens}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def pages(world) -> dict[str, str]:
    case = world["case"]
    return {
        # Issue 16, items 1-4: work orders and supervision.
        "work orders": "/staff/work-orders/",
        "supervision queue": "/staff/supervision/",
        # Item 5: return visits.
        "visit queue": "/evaluation/visits/",
        "visit rules": "/evaluation/visits/rules/",
        "visit scripts": "/evaluation/visits/scripts/",
        "praise": "/evaluation/praise/",
        # Item 6: appraisal.
        "appraisal": "/staff/appraisal/",
        "appraisal unit A": "/staff/appraisal/units/a/",
        "appraisal line": "/staff/appraisal/units/a/lines/1/",
        "schemes": "/staff/appraisal/schemes/",
        "scheme new": "/staff/appraisal/schemes/new/",
        # Item 7: knowledge base.
        "knowledge search": "/knowledge/",
        "knowledge staff": "/knowledge/staff/",
        "knowledge new": "/knowledge/staff/new/",
        "knowledge case panel": f"/knowledge/cases/{case.pk}/",
        # Item 8: training.
        "training": "/staff/training/",
        "training hours": "/staff/training/hours/",
        "session new": "/staff/training/sessions/new/",
        "reading new": "/staff/training/readings/new/",
        "contest new": "/staff/training/contests/new/",
        # Issue 18: the online hall and the integrity signals.
        "hall": "/hall/",
        "hall track": "/hall/track/",
        "hall staff": "/hall/staff/",
        "hall window entry": "/hall/staff/new/",
        "hall kiosk": "/hall/staff/kiosk/",
        "hall matters": "/hall/staff/matters/",
        "hall figures": "/hall/staff/figures/",
        "integrity": "/integrity/",
        "integrity stuck": "/integrity/stuck/",
        "integrity agents": "/integrity/agents/",
        "integrity refusals": "/integrity/refusals/",
        "integrity log": "/integrity/log/",
    }


def api_reads(world) -> dict[str, str]:
    case = world["case"]
    return {
        "api arbitration": "/api/v1/work-orders/arbitration",
        "api clock requests": "/api/v1/work-orders/requests",
        "api dispatch rules": "/api/v1/work-orders/dispatch-rules",
        "api letters": "/api/v1/supervision/letters",
        "api instructions": "/api/v1/supervision/instructions",
        "api visits": "/api/v1/visits",
        "api visit rules": "/api/v1/visits/rules",
        "api praise": "/api/v1/praise",
        "api scores": "/api/v1/appraisal/scores",
        "api unit score A": "/api/v1/appraisal/units/a",
        "api schemes": "/api/v1/appraisal/schemes",
        "api knowledge": "/api/v1/knowledge/entries",
        "api case entries": f"/api/v1/knowledge/cases/{case.pk}/entries",
        "api sessions": "/api/v1/training/sessions",
        "api hours A": "/api/v1/training/hours/a",
        "api hall matters": "/api/v1/hall/matters",
        "api hall staff": "/api/v1/hall/staff/applications",
        "api hall figures": "/api/v1/hall/staff/figures",
        "api stuck": "/api/v1/integrity/stuck",
    }


# Expected status per page (rows) and persona (columns, in PERSONAS order).
EXPECTED = """
work orders              302 200 404 404 200 200 404 200
supervision queue        302 200 200 200 200 200 404 200
visit queue              302 200 404 404 200 200 404 200
visit rules              302 200 404 404 200 200 404 200
visit scripts            302 200 404 404 200 200 404 200
praise                   302 200 200 200 200 200 404 200
appraisal                302 200 302 302 200 200 404 200
appraisal unit A         302 200 200 404 200 200 404 200
appraisal line           302 200 200 404 200 200 404 200
schemes                  302 200 200 200 200 200 404 200
scheme new               302 404 404 404 200 404 404 200
knowledge search         200 200 200 200 200 200 200 200
knowledge staff          302 200 200 200 200 200 404 200
knowledge new            302 200 404 404 200 404 404 200
knowledge case panel     302 404 200 404 200 404 404 200
training                 302 200 200 200 200 200 404 200
training hours           302 200 200 200 200 200 404 200
session new              302 404 404 404 200 404 404 200
reading new              302 404 404 404 200 404 404 200
contest new              302 404 404 404 200 404 404 200
hall                     200 200 200 200 200 200 200 200
hall track               200 200 200 200 200 200 200 200
hall staff               302 200 200 200 200 200 404 200
hall window entry        302 404 404 404 404 404 404 404
hall kiosk               302 200 200 200 200 404 404 200
hall matters             302 200 200 200 200 200 404 200
hall figures             302 200 200 200 200 200 404 200
integrity                302 404 404 404 404 404 200 404
integrity stuck          302 404 404 404 404 404 200 404
integrity agents         302 404 404 404 404 404 200 404
integrity refusals       302 404 404 404 404 404 200 404
integrity log            302 404 404 404 404 404 200 404
api arbitration          401 200 403 403 200 200 403 200
api clock requests       401 200 403 403 200 200 403 200
api dispatch rules       401 200 403 403 200 200 403 200
api letters              401 200 200 200 200 200 403 200
api instructions         401 200 200 200 200 200 403 200
api visits               401 200 403 403 200 200 403 200
api visit rules          401 200 403 403 200 200 403 200
api praise               401 200 200 200 200 200 403 200
api scores               401 200 403 403 200 200 403 200
api unit score A         401 200 200 404 200 200 403 200
api schemes              401 200 200 200 200 200 403 200
api knowledge            200 200 200 200 200 200 200 200
api case entries         401 403 200 404 200 403 404 200
api sessions             401 200 200 200 200 200 403 200
api hours A              401 200 200 404 200 200 403 200
api hall matters         200 200 200 200 200 200 200 200
api hall staff           401 200 200 200 200 200 403 200
api hall figures         401 200 200 200 200 200 403 200
api stuck                401 404 404 404 404 404 200 404
"""


def expected() -> dict[tuple[str, str], int]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        words = line.split()
        name, codes = " ".join(words[: -len(PERSONAS)]), words[-len(PERSONAS) :]
        table.update({(name, p): int(c) for p, c in zip(PERSONAS, codes, strict=True)})
    return table


def _client(persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(User.objects.get(username=persona))
    return client


@pytest.mark.django_db
def test_access_matrix_of_issues_16_and_18(world):
    table = expected()
    seen = {}
    for persona in PERSONAS:
        client = _client(persona)
        for name, url in pages(world).items():
            seen[(name, persona)] = client.get(url).status_code
        token = world["tokens"].get(persona)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for name, url in api_reads(world).items():
            seen[(name, persona)] = Client().get(url, headers=headers).status_code
    names = [*pages(world), *api_reads(world)]
    assert {name for name, _ in table} == set(names)
    wrong = {key: (seen[key], want) for key, want in table.items() if seen[key] != want}
    assert wrong == {}, "(page, persona): (got, expected)"
