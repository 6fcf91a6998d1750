"""Pre-check and the one-time notice (一次性告知), through the staff and applicant pages."""

import pytest

from civicdesk.applications.models import Application, Notice
from civicdesk.applications.tests.conftest import apply_form, login, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(citizen, version) -> Application:
    response = citizen.post(
        "/hall/matters/food-license/apply/",
        apply_form(version, missing=("食品安全管理制度", "从业人员健康证明")),
    )
    assert response.status_code == 302
    return Application.objects.get()


def material(application: Application, name: str):
    return application.materials.get(requirement__name=name)


def act(client, application, action, **data):
    return client.post(f"/hall/staff/a/{application.pk}/{action}/", data)


def check_all(client, application, refuse: dict[str, str] | None = None) -> None:
    refuse = refuse or {}
    for line in application.materials.filter(state="provided").select_related("requirement"):
        name = line.requirement.name
        data = {"material": line.pk, "decision": "refuse" if name in refuse else "accept"}
        if name in refuse:
            data["problem"] = refuse[name]
        response = act(client, application, "check", **data)
        assert response.status_code == 302, response.content.decode()[:2000]


def test_notice_needs_every_material_checked_first(applied, window_clerk):
    clerk = login(window_clerk)
    response = act(clerk, applied, "notice")
    assert response.status_code == 400
    assert "Check every handed-in material first, so that the notice is complete" in response.text
    assert "食品经营许可申请书" in response.text
    assert Notice.objects.count() == 0
    applied.refresh_from_db()
    assert applied.status == "submitted"


def test_one_complete_notice_is_sent_and_the_clock_stops(
    applied, window_clerk, citizen, sent, django_capture_on_commit_callbacks
):
    clerk = login(window_clerk)
    check_all(clerk, applied, refuse={"营业执照": "复印件未加盖公章"})
    with django_capture_on_commit_callbacks(execute=True):
        response = act(clerk, applied, "notice")
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == "waiting" and applied.notice_count == 1
    notice = applied.notices.get()
    listed = [item.material.requirement.name for item in notice.items.all()]
    # Every required material missing or refused, in checklist order; not the 容缺 or optional.
    assert listed == ["营业执照", "食品安全管理制度"]
    assert all(item.on_first_notice for item in notice.items.all())
    # One message to the applicant with the whole list.
    messages = [text for channel, to, text in sent if to == "13800138000"]
    assert len(messages) == 1
    assert "This is the complete list" in messages[0]
    assert "营业执照 (复印件未加盖公章)" in messages[0] and "食品安全管理制度" in messages[0]
    # The applicant sees the notice and hands the two materials in.
    page = citizen.get(f"/hall/a/{applied.tracking_code}/").text
    assert "One-time notice: what is missing" in page and "复印件未加盖公章" in page
    for name in listed:
        line = material(applied, name)
        response = citizen.post(
            f"/hall/a/{applied.tracking_code}/materials/{line.pk}/", {"file": pdf()}
        )
        assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == "submitted"  # back to the check, time waited is the applicant's
    assert applied.waiting_since is None
    assert [e.action for e in applied.events.all()][-3:] == ["supply", "supply", "resume"]


def test_applicant_upload_over_htmx_swaps_the_list(applied, window_clerk, citizen):
    clerk = login(window_clerk)
    check_all(clerk, applied)
    act(clerk, applied, "notice")
    line = material(applied, "食品安全管理制度")
    response = citizen.post(
        f"/hall/a/{applied.tracking_code}/materials/{line.pk}/",
        {"file": pdf()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="materials">')
    wrong = citizen.post(
        f"/hall/a/{applied.tracking_code}/materials/{line.pk}/",
        {"file": pdf()},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 400
    assert "食品安全管理制度 is Provided, to be checked; it is not asked for." in wrong.text


def test_second_notice_without_a_reason_is_refused(applied, window_clerk, citizen):
    clerk = login(window_clerk)
    check_all(clerk, applied, refuse={"营业执照": "模糊不清"})
    act(clerk, applied, "notice")
    line = material(applied, "营业执照")
    citizen.post(f"/hall/a/{applied.tracking_code}/materials/{line.pk}/", {"file": pdf()})
    line2 = material(applied, "食品安全管理制度")
    citizen.post(f"/hall/a/{applied.tracking_code}/materials/{line2.pk}/", {"file": pdf()})
    check_all(clerk, applied, refuse={"营业执照": "仍然模糊"})
    response = act(clerk, applied, "notice", reason="")
    assert response.status_code == 400
    assert "Reason: the applicant was already told once what is missing" in response.text
    assert Notice.objects.count() == 1
    # With a reason, asking again for a material that was on the first list is the clerk's.
    response = act(clerk, applied, "notice", reason="上传的营业执照仍无法辨认")
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.notice_count == 2 and applied.late_requests == 0


def test_material_not_on_the_first_notice_needs_a_supervisor(
    applied, window_clerk, citizen, supervisor
):
    clerk = login(window_clerk)
    check_all(clerk, applied)
    act(clerk, applied, "notice")  # asks for 食品安全管理制度 only
    line = material(applied, "食品安全管理制度")
    citizen.post(f"/hall/a/{applied.tracking_code}/materials/{line.pk}/", {"file": pdf()})
    # On a second look the clerk refuses the application form, which was not on the list.
    check_all(clerk, applied, refuse={})
    response = act(
        clerk,
        applied,
        "check",
        material=material(applied, "食品经营许可申请书").pk,
        decision="refuse",
        problem="法定代表人未签字",
    )
    assert response.status_code == 302
    response = act(clerk, applied, "notice", reason="申请书未签字")
    assert response.status_code == 400
    assert "食品经营许可申请书 was not on the first notice. Only a supervisor may ask" in (
        response.text
    )
    assert Notice.objects.count() == 1
    response = act(login(supervisor), applied, "notice", reason="")
    assert response.status_code == 400 and "Reason:" in response.text
    response = act(login(supervisor), applied, "notice", reason="申请书缺少法定代表人签字")
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.late_requests == 1
    notice = applied.notices.get(number=2)
    assert notice.late_items == 1 and notice.unit.code == "urban-window"
    assert (
        "1 material not on the first notice"
        in login(supervisor).get(f"/hall/staff/a/{applied.pk}/").text
    )


def test_refusing_a_material_needs_to_say_what_is_wrong(applied, window_clerk):
    clerk = login(window_clerk)
    line = material(applied, "营业执照")
    response = act(clerk, applied, "check", material=line.pk, decision="refuse", problem="")
    assert response.status_code == 400
    assert "营业执照: say what is wrong with it." in response.text
    line.refresh_from_db()
    assert line.state == "provided"


def test_accept_with_a_material_to_follow_and_issue_waits_for_it(
    citizen, version, window_clerk, reviewer
):
    citizen.post(
        "/hall/matters/food-license/apply/", apply_form(version, missing=("从业人员健康证明",))
    )
    application = Application.objects.get()
    clerk = login(window_clerk)
    # Nothing required is missing: nothing to ask for.
    check_all(clerk, application)
    response = act(clerk, application, "notice")
    assert response.status_code == 400
    assert "No required material is missing" in response.text
    # 容缺受理: accepted, the health certificates follow within 5 working days.
    assert act(clerk, application, "accept").status_code == 302
    application.refresh_from_db()
    assert application.status == "in_progress" and application.step.kind == "review"
    deferred = material(application, "从业人员健康证明")
    assert deferred.state == "deferred" and deferred.follow_up_due is not None
    assert application.due_at is not None
    handler = login(reviewer)
    for _step in ("review", "inspect"):
        assert act(handler, application, "complete").status_code == 302
    response = act(clerk, application, "complete")
    assert response.status_code == 400
    assert "Materials that were to follow (容缺) are not yet in and checked: 从业人员健康证明" in (
        response.text
    )
    citizen.post(f"/hall/a/{application.tracking_code}/materials/{deferred.pk}/", {"file": pdf()})
    act(clerk, application, "check", material=deferred.pk, decision="accept")
    assert act(clerk, application, "complete").status_code == 302
    application.refresh_from_db()
    assert application.status == "issued"


def test_accept_is_refused_while_required_materials_are_missing(applied, window_clerk):
    clerk = login(window_clerk)
    check_all(clerk, applied)
    response = act(clerk, applied, "accept")
    assert response.status_code == 400
    assert "Required materials are missing: 食品安全管理制度." in response.text
    applied.refresh_from_db()
    assert applied.status == "submitted" and applied.accepted_at is None


def test_material_to_follow_is_checked_by_the_accepting_window(
    citizen, version, window_clerk, reviewer
):
    """容缺: the health certificates arrive while the bureau reviews; the window that accepted
    the application checks them, wherever the application is by then."""
    citizen.post(
        "/hall/matters/food-license/apply/", apply_form(version, missing=("从业人员健康证明",))
    )
    application = Application.objects.get()
    clerk = login(window_clerk)
    check_all(clerk, application)
    act(clerk, application, "accept")
    deferred = material(application, "从业人员健康证明")
    citizen.post(f"/hall/a/{application.tracking_code}/materials/{deferred.pk}/", {"file": pdf()})
    application.refresh_from_db()
    assert application.step.kind == "review"
    response = act(clerk, application, "check", material=deferred.pk, decision="accept")
    assert response.status_code == 302
    deferred.refresh_from_db()
    assert deferred.state == "accepted"
    # Another material, not one that follows, is the review step's alone.
    licence = material(application, "营业执照")
    response = act(
        clerk, application, "check", material=licence.pk, decision="refuse", problem="过期"
    )
    assert response.status_code == 400
    assert "The step “Review” is worked on by the role Unit handler at 市场监管局." in response.text
