"""Issue 16's "done when", through HTTP as each role: a supervisor follows a case from its
automatic dispatch through a co-handling unit's part, an approved extension, a supervision
letter, the lead unit's answer and a return visit that reopens it, then sees the unit's
appraisal score change line by line."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.appraisal.models import Scheme
from civicdesk.appraisal.schemes import scheme_create
from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login
from civicdesk.evaluation.models import FollowUp
from civicdesk.evaluation.visit_models import ReturnVisit
from civicdesk.supervision.models import SupervisionLetter

from .conftest import case_url

pytestmark = pytest.mark.django_db

LINES = [
    {"kind": "rate", "target": "response", "points": "30"},
    {"kind": "rate", "target": "resolution", "points": "30"},
    {"kind": "rate", "target": "satisfaction", "points": "40"},
    {"kind": "late_supervision_letter", "points": "2", "cap": "10"},
]


def score_lines(client, month: str) -> dict[str, str]:
    """The unit's score page for the month: each line's label → how it is worked out."""
    page = client.get("/staff/appraisal/units/urban/", {"month": month})
    assert page.status_code == 200
    return {str(line.label): line.formula for line in page.context["score"].lines}


def test_a_supervisor_follows_a_case_from_dispatch_to_the_appraisal(
    units, supervisor, handler, other_handler, clerk
):
    boss = login(supervisor)
    scheme_create(
        name="含督办的考核方案",
        valid_from=timezone.localdate().replace(day=1),
        rows=LINES,
        actor=supervisor,
    )
    assert Scheme.objects.in_force(timezone.localdate()).lines.count() == 4

    # 1. The supervisor's dispatch rule sends street lights to the urban management bureau;
    # an enterprise reports one (enterprise cases are always called back).
    boss.post(
        "/staff/work-orders/",
        {
            "category": Category.objects.get(code="street-lights").pk,
            "unit": units["urban"].pk,
            "priority": 100,
        },
    )
    reported = Client().post(
        "/api/v1/submissions",
        {
            "description": "园区门口路灯坏了一个月，晚上货车进出很危险",
            "category": "street-lights",
            "contact_name": "李经理",
            "contact_phone": "13800138000",
            "for_enterprise": True,
            "enterprise_name": "示范物流有限公司",
            "enterprise_credit_code": "91350100M000100Y43",
        },
        content_type="application/json",
    )
    case = Case.objects.get(tracking_code=reported.json()["tracking_code"])
    assert (case.status, case.unit) == (Status.ASSIGNED, units["urban"])
    assert "Dispatched automatically" in boss.get(case_url(case)).content.decode()

    # 2. The market regulator co-handles it and gives its part.
    boss.post(case_url(case, "add_co_unit"), {"add_co_unit-unit": units["market"].pk})
    login(other_handler).post(
        case_url(case, "part"),
        {"part-unit": units["market"].pk, "part-text": "已约谈园区物业，督促配合维修"},
    )

    # 3. The urban bureau takes it on and asks for an extension, which the supervisor approves.
    bureau = login(handler)
    bureau.post(case_url(case, "accept"), {"accept-note": "已受理"})
    case.refresh_from_db()
    extended_to = timezone.localtime(case.answer_due_at).date() + timedelta(days=7)
    bureau.post(
        case_url(case, "request_extension"),
        {
            "request_extension-new_date": extended_to.isoformat(),
            "request_extension-reason": "需供电公司配合更换电缆",
        },
    )
    boss.post(case_url(case, "decide_request"), {"decide_request-decision": "approve"})
    case.refresh_from_db()
    assert timezone.localtime(case.answer_due_at).date() == extended_to

    # 4. A supervision letter to the bureau, reply by tomorrow.
    tomorrow = timezone.localdate() + timedelta(days=1)
    boss.post(
        f"/staff/supervision/letters/new/case/{case.pk}/",
        {"requirement": "请说明更换电缆的进度", "deadline": tomorrow.isoformat()},
    )
    letter = SupervisionLetter.objects.get(case=case)
    assert letter.number in bureau.get("/staff/", follow=True).content.decode()

    # 5. The lead unit answers: the co-handling unit's part is in.
    answered = bureau.post(
        case_url(case, "answer"), {"answer-text": "已更换电缆和灯具，路灯恢复照明。"}
    )
    assert answered.status_code == 302
    month = timezone.localdate().strftime("%Y-%m")
    before_visit = score_lines(boss, month)
    assert before_visit["Points per rate: Resolution rate"].startswith("nothing to count")

    # 6. The call centre calls back: not solved, so the case is reopened for re-handling.
    boss.post("/evaluation/visits/build/")
    visit = ReturnVisit.objects.get(case=case)
    called = login(clerk).post(
        f"/evaluation/visits/{visit.pk}/",
        {"outcome": "reach", "solved": "no", "satisfaction": "4", "comment": "仍有一盏不亮"},
    )
    assert called.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (Status.REOPENED, 1)
    assert FollowUp.objects.get(case=case).solved is False

    # 7. The bureau replies to the letter a day late.
    late = timezone.make_aware(datetime.combine(tomorrow, time(10))) + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=late):
        bureau.post(f"/staff/supervision/letters/{letter.pk}/reply/", {"reply-reply": "已完成"})
    letter.refresh_from_db()
    assert letter.answered_late

    # 8. The supervisor reads the whole story on the case, and the score line by line.
    page = boss.get(case_url(case)).content.decode()
    for seen in ("已约谈园区物业", "需供电公司配合更换电缆", letter.number, "仍有一盏不亮"):
        assert seen in page
    steps = list(case.events.values_list("action", flat=True))
    for action in (
        Action.ASSIGN,
        Action.ADD_CO_UNIT,
        Action.PART,
        Action.EXTEND,
        Action.SUPERVISE,
        Action.ANSWER,
        Action.REOPEN,
    ):
        assert action in steps
    after_visit = score_lines(boss, month)
    assert after_visit["Points per rate: Resolution rate"] == "0.0% (0/1) × 30.00 = 0.00"
    with mock.patch("django.utils.timezone.now", return_value=late + timedelta(days=1)):
        letters = score_lines(boss, tomorrow.strftime("%Y-%m"))
    assert "1 × 2.00 = −2.00" in letters["Deduction per supervision letter answered late"]
