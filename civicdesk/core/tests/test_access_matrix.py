"""Who may open what: every persona against every guarded page, export and API call.

One table, read across: anonymous visitors are sent to the login page (302) or refused by
the API (401); staff outside an object's audience get a 404 (nothing tells them it exists),
or a 403 where the API names the refusal. The set-up is shared by the whole module.
"""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.cases import services as case_services
from civicdesk.conftest import PASSWORD
from civicdesk.reports.services import NewReport, report_file
from civicdesk.reports.workflow import Ledger

PERSONAS = [
    *("anon", "clerk", "handler_a", "handler_b"),
    *("supervisor", "leader", "discipline", "admin"),
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Units, one user per persona, a case of unit A and one confidential report of each kind.

    Built once for the module inside a transaction rolled back at the end."""
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
            inaction, _ = report_file(
                ledger=Ledger.INACTION,
                data=NewReport(description="拖延办理", reported_unit=unit_a),
                filed_by=None,
            )
            intermediary, _ = report_file(
                ledger=Ledger.INTERMEDIARY,
                data=NewReport(description="中介代办", reported_unit=unit_a, setting="approval"),
                filed_by=None,
            )
            tokens = {name: ApiToken.issue(user=user, name="t")[1] for name, user in users.items()}
            yield {
                "case": case,
                "inaction": inaction,
                "intermediary": intermediary,
                "tokens": tokens,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def urls(world) -> dict[str, str]:
    case, inaction, intermediary = world["case"], world["inaction"], world["intermediary"]
    return {
        "case page": f"/staff/cases/{case.pk}/",
        "inbox": "/staff/?status=default",
        "staff landing": "/staff/",
        "misconduct list": "/reports/staff/inaction/",
        "misconduct report": f"/reports/staff/inaction/{inaction.pk}/",
        "misconduct export": "/reports/staff/inaction/export/",
        "intermediary list": "/reports/staff/intermediary/",
        "intermediary report": f"/reports/staff/intermediary/{intermediary.pk}/",
        "intermediary export": "/reports/staff/intermediary/export/",
        "ledgers": "/ledgers/",
        "promises ledger": "/ledgers/promises/",
        "promises export": "/ledgers/promises/export.xlsx",
        "backlog export": "/ledgers/backlog/export.xlsx",
        "utilities export": "/ledgers/utilities/export.xlsx",
        "measures due": "/commitments/staff/due/",
        "ratings": "/rate/staff/",
        "appeals": "/rate/staff/appeals/",
        "dashboard": "/dashboard/staff/",
        "dashboard drill-down": "/dashboard/staff/cases/",
        "dashboard export": "/dashboard/staff/export.xlsx",
        "dashboard map": "/dashboard/staff/map.json",
        "dashboard problems": "/dashboard/staff/problems/",
        "evaluation": "/evaluation/",
        "evaluation export": "/evaluation/export.xlsx",
        "evaluation monthly": "/evaluation/monthly/",
        "imports": "/staff/imports/",
        "questionnaires": "/staff/questionnaires/",
        "questionnaire builder": "/staff/questionnaires/new/",
        "outbox": "/notifications/staff/",
        "bulletins": "/staff/bulletins/",
        "catalogue staff": "/services/staff/",
        "admin": "/admin/",
    }


# Expected status per page (rows) and persona (columns, in PERSONAS order).
EXPECTED = """
case page                302 200 200 404 200 200 404 200
inbox                    302 200 200 200 200 200 200 200
staff landing            302 302 302 302 302 302 302 302
misconduct list          302 404 404 404 200 404 404 200
misconduct report        302 404 404 404 200 404 404 200
misconduct export        302 404 404 404 200 404 404 200
intermediary list        302 404 404 404 404 404 200 404
intermediary report      302 404 404 404 404 404 200 404
intermediary export      302 404 404 404 404 404 200 404
ledgers                  302 200 200 200 200 200 404 200
promises ledger          302 200 200 200 200 200 404 200
promises export          302 200 200 200 200 200 404 200
backlog export           302 200 200 200 200 200 404 200
utilities export         302 200 200 200 200 200 404 200
measures due             302 200 200 200 200 200 404 200
ratings                  302 200 200 200 200 200 404 200
appeals                  302 404 404 404 200 404 404 200
dashboard                302 404 404 404 200 200 404 200
dashboard drill-down     302 404 404 404 200 200 404 200
dashboard export         302 404 404 404 200 200 404 200
dashboard map            302 404 404 404 200 200 404 200
dashboard problems       302 404 404 404 200 200 404 200
evaluation               302 200 404 404 200 200 404 200
evaluation export        302 200 404 404 200 200 404 200
evaluation monthly       302 200 200 200 200 200 404 200
imports                  302 200 404 404 200 404 404 200
questionnaires           302 200 404 404 200 200 404 200
questionnaire builder    302 200 404 404 200 404 404 200
outbox                   302 404 404 404 200 404 404 200
bulletins                302 200 404 404 200 200 404 200
catalogue staff          302 200 200 200 200 200 404 200
admin                    302 302 302 302 302 302 302 200
api case                 401 200 200 404 200 200 404 200
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
def test_access_matrix(world):
    table = expected()
    assert {name for name, _ in table} == {*urls(world), "api case"}
    seen = {}
    for persona in PERSONAS:
        client = _client(persona)
        for name, url in urls(world).items():
            seen[(name, persona)] = client.get(url).status_code
        token = world["tokens"].get(persona)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = Client().get(f"/api/v1/cases/{world['case'].pk}", headers=headers)
        seen[("api case", persona)] = response.status_code
    wrong = {key: (seen[key], want) for key, want in table.items() if seen[key] != want}
    assert wrong == {}, "(page, persona): (got, expected)"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["handler_b", "discipline"])
def test_lists_open_to_everyone_do_not_show_another_units_case(world, persona):
    client, case = _client(persona), world["case"]
    assert case.tracking_code not in client.get("/staff/").content.decode()
    token = world["tokens"][persona]
    listed = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert case.tracking_code not in listed.content.decode()
