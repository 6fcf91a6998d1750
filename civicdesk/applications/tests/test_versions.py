"""Checklists and processes as data: publishing a version through the page, and the
contradictions it refuses (each naming its row, nothing saved)."""

import pytest

from civicdesk.applications.models import MatterVersion
from civicdesk.applications.tests.conftest import login

pytestmark = pytest.mark.django_db


def form_data(materials: list[dict], steps: list[dict], time_limit: int | str = 10) -> dict:
    data = {
        "time_limit_days": time_limit,
        "note": "压缩审查时限",
        "materials-TOTAL_FORMS": len(materials),
        "materials-INITIAL_FORMS": 0,
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": 0,
    }
    for index, row in enumerate(materials):
        data.update({f"materials-{index}-{key}": value for key, value in row.items()})
    for index, row in enumerate(steps):
        data.update({f"steps-{index}-{key}": value for key, value in row.items()})
    return data


GOOD_MATERIALS = [
    {"name": "申请书", "kind": "required"},
    {"name": "健康证明", "kind": "deferrable", "follow_up_days": 5},
    {"name": "", "kind": ""},  # an empty row is dropped
]
GOOD_STEPS = [
    {
        "kind": "accept",
        "role": "clerk",
        "unit": "urban-window",
        "time_limit_days": 1,
        "online_possible": "on",
    },
    {"kind": "review", "role": "handler", "unit": "market", "time_limit_days": 3},
    {"kind": "issue", "role": "clerk", "unit": "urban-window", "time_limit_days": 1},
]


def test_editor_starts_from_the_version_in_force(version, supervisor):
    page = login(supervisor).get("/hall/staff/matters/food-license/new/")
    assert page.status_code == 200
    assert 'value="食品安全管理制度"' in page.text and 'value="urban-window"' in page.text


def test_publish_a_new_version_withdraws_the_old(version, supervisor):
    response = login(supervisor).post(
        "/hall/staff/matters/food-license/new/", form_data(GOOD_MATERIALS, GOOD_STEPS, 8)
    )
    assert response.status_code == 302
    new = MatterVersion.objects.get(number=2)
    version.refresh_from_db()
    assert version.status == "withdrawn" and new.status == "active"
    assert [m.name for m in new.materials.all()] == ["申请书", "健康证明"]
    assert [s.kind for s in new.steps.all()] == ["accept", "review", "issue"]
    assert new.time_limit_days == 8 and new.note == "压缩审查时限"


@pytest.mark.parametrize(
    ("materials", "steps", "message"),
    [
        (
            [{"name": "申请书", "kind": "required"}, {"name": "申请书", "kind": "optional"}],
            GOOD_STEPS,
            "Material row 2 (申请书): “申请书” is already row 1; list each material once.",
        ),
        (
            [{"name": "申请书", "kind": "required"}, {"name": "健康证明", "kind": "deferrable"}],
            GOOD_STEPS,
            "Material row 2 (健康证明): a material that may follow later (容缺) needs a "
            "follow-up deadline",
        ),
        (
            [{"name": "申请书", "kind": "required", "follow_up_days": 3}],
            GOOD_STEPS,
            "Material row 1 (申请书): only a material that may follow later (容缺) has a "
            "follow-up deadline",
        ),
        (
            [{"name": "申请书", "kind": "optional"}],
            GOOD_STEPS,
            "The checklist has no required material",
        ),
        (
            [
                {"name": "申请书", "kind": "required"},
                {"name": "证明", "kind": "deferrable", "follow_up_days": 30},
            ],
            GOOD_STEPS,
            "Material row 2 (证明): it would follow 30 working days after acceptance, after the "
            "matter's time limit of 10 working days.",
        ),
        (
            GOOD_MATERIALS,
            [GOOD_STEPS[0], {**GOOD_STEPS[1], "role": ""}, GOOD_STEPS[2]],
            "Step row 2 (Review): choose the role that handles this step.",
        ),
        (
            GOOD_MATERIALS,
            [GOOD_STEPS[0], {**GOOD_STEPS[1], "unit": ""}, GOOD_STEPS[2]],
            "Step row 2 (Review): choose the unit that handles this step.",
        ),
        (
            GOOD_MATERIALS,
            [GOOD_STEPS[1], GOOD_STEPS[2]],
            "The first step must be the acceptance (受理).",
        ),
        (
            GOOD_MATERIALS,
            [GOOD_STEPS[0], GOOD_STEPS[2], GOOD_STEPS[1]],
            "The last step must be the issue (办结发证).",
        ),
        (
            GOOD_MATERIALS,
            [GOOD_STEPS[0], {**GOOD_STEPS[1], "time_limit_days": 9}, GOOD_STEPS[2]],
            "The steps' time limits add up to 11 working days, more than the matter's time "
            "limit of 10.",
        ),
    ],
)
def test_contradictions_are_named_by_row_and_nothing_is_saved(
    version, supervisor, materials, steps, message
):
    response = login(supervisor).post(
        "/hall/staff/matters/food-license/new/", form_data(materials, steps)
    )
    assert response.status_code == 400
    assert "Nothing was published." in response.text
    assert message in response.text.replace("&#x27;", "'")
    assert MatterVersion.objects.count() == 1
    version.refresh_from_db()
    assert version.status == "active"


def test_time_limit_beyond_the_legal_limit(version, supervisor):
    response = login(supervisor).post(
        "/hall/staff/matters/food-license/new/", form_data(GOOD_MATERIALS, GOOD_STEPS, 30)
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 365" not in response.text
    assert (
        "Time limit: 30 working days is longer than the matter&#x27;s legal time limit of 20."
        in (response.text)
    )


def test_fully_online_matter_with_a_step_that_is_not(version, supervisor):
    version.item.online = "full"
    version.item.save()
    response = login(supervisor).post(
        "/hall/staff/matters/food-license/new/", form_data(GOOD_MATERIALS, GOOD_STEPS)
    )
    assert response.status_code == 400
    assert "Step row 2 (Review): the matter is offered fully online" in response.text


def test_only_editors_publish_and_withdraw(version, reviewer, supervisor):
    assert login(reviewer).get("/hall/staff/matters/food-license/new/").status_code == 404
    assert login(reviewer).post(f"/hall/staff/versions/{version.pk}/withdraw/").status_code == 404
    response = login(supervisor).post(f"/hall/staff/versions/{version.pk}/withdraw/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "withdrawn"
    # Withdrawn: the matter is no longer open online.
    assert login(supervisor).get("/hall/matters/food-license/apply/").status_code == 404
