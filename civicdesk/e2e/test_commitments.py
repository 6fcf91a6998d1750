"""The public follows a problem's commitments: list, filters, one problem's measures, e-mail
news, and the reporter of a linked case sees the progress on the status page."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from civicdesk.cases.models import Case
from civicdesk.commitments import services
from civicdesk.commitments.models import Measure, Notification, Subscription
from civicdesk.e2e.test_report_answer import log_in, submit
from civicdesk.problems.models import Campaign, Problem
from civicdesk.problems.services import problem_save

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so the data must really be committed; the
    # serialized rollback brings back the channels and campaigns that migrations create.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPORTER_EMAIL = "reporter@example.org"
FAN_EMAIL = "fan@example.org"
PUBLIC_REASON = "The pipe supplier's delivery was delayed by the flood."
# Staff-only text: none of it may reach a public page.
INTERNAL_PROGRESS_NOTE = "Contractor Li (13800138000) keeps missing site meetings"
INTERNAL_APPROVAL_NOTE = "Approved after the call with the district head"
PENDING_REASON = "Pending: waiting for the budget office"
HANDLER_NOTE = "Second crew started on Monday"
CONFIRM_PATH = re.compile(r"/commitments/subscription/[^/\s]+/confirm/")


@dataclass
class Commitments:
    problem: Problem  # two measures, linked to `case`, campaign "inaction"
    other: Problem  # one planned measure, campaign "monopoly-utilities"
    repair: Measure  # in progress at 40 %, with a pending (not public) extension
    pipes: Measure  # planned, with an approved extension
    old_deadline: date
    case: Case


def make_commitments(units, supervisor, handler, make_case) -> Commitments:
    """Everything through the real services, as staff would do it."""
    today = timezone.localdate()
    case = make_case(
        description="The street lamps on East Garden road are dark.",
        contact_email=REPORTER_EMAIL,
        contact_name="Zhang San",
        language="en",
    )
    problem = problem_save(
        problem=None,
        actor=supervisor,
        title="Dark street lamps in East Garden",
        description="Residents report whole streets without light at night.",
        lead_unit=units["urban"],
        co_units=[units["east-street"]],
        responsible_official="Director Wang",
        campaigns=[Campaign.objects.get(code="inaction")],
        cases=[case],
    )
    other = problem_save(
        problem=None,
        actor=supervisor,
        title="Water bills doubled without notice",
        lead_unit=units["market"],
        campaigns=[Campaign.objects.get(code="monopoly-utilities")],
    )

    repair = services.measure_create(
        problem=problem,
        data=services.NewMeasure(
            title="Repair every dark lamp",
            unit=units["urban"],
            start_date=today - timedelta(days=10),
            deadline=today + timedelta(days=20),
        ),
        actor=supervisor,
    )
    repair = services.measure_update_progress(
        measure=repair, progress=40, actor=handler, note=INTERNAL_PROGRESS_NOTE
    )
    services.measure_request_extension(
        measure=repair,
        reason=PENDING_REASON,
        new_deadline=repair.deadline + timedelta(days=15),
        actor=handler,
    )

    pipes = services.measure_create(
        problem=problem,
        data=services.NewMeasure(
            title="Replace the corroded cable ducts",
            unit=units["urban"],
            start_date=today - timedelta(days=5),
            deadline=today + timedelta(days=10),
        ),
        actor=supervisor,
    )
    old_deadline = pipes.deadline
    services.measure_request_extension(
        measure=pipes,
        reason=PUBLIC_REASON,
        new_deadline=old_deadline + timedelta(days=30),
        actor=handler,
    )
    pipes = services.measure_approve_extension(
        measure=pipes, actor=supervisor, note=INTERNAL_APPROVAL_NOTE
    )

    services.measure_create(
        problem=other,
        data=services.NewMeasure(
            title="Audit the water company's tariff",
            unit=units["market"],
            start_date=today,
            deadline=today + timedelta(days=30),
        ),
        actor=supervisor,
    )
    return Commitments(problem, other, repair, pipes, old_deadline, case)


def problem_item(page, problem):
    """The list entry of a problem, found by the link to its public page."""
    link = f'a[href="/commitments/{problem.pk}/"]'
    return page.locator("#commitment-list > li").filter(has=page.locator(link))


def filter_list(page, **values):
    form = page.locator("#commitment-filters")
    for name, value in values.items():
        form.locator(f'select[name="{name}"]').select_option(value=value)
    submit(form)


def test_public_walks_the_commitments_and_the_reporter_gets_news(
    new_context, open_page, units, supervisor, handler, make_case
):
    data = make_commitments(units, supervisor, handler, make_case)
    problem, other, repair, pipes = data.problem, data.other, data.repair, data.pipes

    # The list shows both problems, each with its (weighted) progress.
    public = open_page(new_context())
    public.goto("/commitments/")
    expect(public.locator("#commitment-list > li")).to_have_count(2)
    progress = problem_item(public, problem).locator("progress.commitment-progress")
    expect(progress).to_have_attribute("value", "20")  # (40 + 0) / 2
    expect(progress).to_have_attribute("max", "100")
    other_progress = problem_item(public, other).locator("progress.commitment-progress")
    expect(other_progress).to_have_attribute("value", "0")

    # Filtering by campaign, then by measure status, changes the list.
    filter_list(public, campaign="monopoly-utilities")
    assert "campaign=monopoly-utilities" in public.url
    expect(public.locator("#commitment-list > li")).to_have_count(1)
    expect(problem_item(public, other)).to_have_count(1)
    expect(problem_item(public, problem)).to_have_count(0)

    filter_list(public, campaign="", status="in_progress")
    assert "status=in_progress" in public.url
    expect(public.locator("#commitment-list > li")).to_have_count(1)
    expect(problem_item(public, problem)).to_have_count(1)
    expect(problem_item(public, other)).to_have_count(0)

    # The problem's public page: both measures with deadlines, progress, the public reason.
    with public.expect_navigation():
        problem_item(public, problem).locator(f'a[href="/commitments/{problem.pk}/"]').click()
    expect(public).to_have_url(re.compile(rf"/commitments/{problem.pk}/$"))
    expect(public.locator("h1")).to_have_text(problem.title)
    expect(public.locator("#problem-progress progress")).to_have_attribute("value", "20")

    repair_card = public.locator(f"#measure-{repair.pk}")
    expect(repair_card.locator("h3")).to_contain_text(repair.title)
    expect(repair_card.locator("h3 .badge.in_progress")).to_have_count(1)
    expect(repair_card.locator("dl.facts")).to_contain_text(repair.deadline.isoformat())
    expect(repair_card.locator("progress")).to_have_attribute("value", "40")
    expect(repair_card.locator(".progress-value")).to_have_text("40%")
    # Its extension is still waiting for approval: nothing about it is public yet.
    expect(repair_card.locator("ul.extensions")).to_have_count(0)

    pipes_card = public.locator(f"#measure-{pipes.pk}")
    expect(pipes_card.locator("h3")).to_contain_text(pipes.title)
    expect(pipes_card.locator("h3 .badge.planned")).to_have_count(1)
    expect(pipes_card.locator("dl.facts")).to_contain_text(pipes.deadline.isoformat())
    expect(pipes_card.locator("progress")).to_have_attribute("value", "0")
    extension = pipes_card.locator("ul.extensions > li")
    expect(extension).to_have_count(1)
    expect(extension).to_contain_text(PUBLIC_REASON)
    expect(extension).to_contain_text(
        f"{data.old_deadline.isoformat()} → {pipes.deadline.isoformat()}"
    )
    expect(public.locator("#public-timeline")).to_contain_text(PUBLIC_REASON)

    # Staff-only notes, the pending reason and the reporter's details stay off the page.
    html = public.content()
    for secret in (
        INTERNAL_PROGRESS_NOTE,
        "13800138000",
        INTERNAL_APPROVAL_NOTE,
        PENDING_REASON,
        REPORTER_EMAIL,
        "Zhang San",
        data.case.tracking_code,
    ):
        assert secret not in html, f"{secret!r} is on the public page"

    # Someone subscribes; the confirmation link arrives by e-mail and confirms it.
    mail.outbox.clear()
    subscribe = public.locator("#subscribe-form")
    subscribe.locator('input[name="email"]').fill(FAN_EMAIL)
    submit(subscribe)
    expect(public).to_have_url(re.compile(rf"/commitments/{problem.pk}/$"))
    expect(public.locator(".messages .message.success")).to_have_count(1)
    subscription = Subscription.objects.get(problem=problem)
    assert subscription.email == FAN_EMAIL and not subscription.confirmed
    assert [message.to for message in mail.outbox] == [[FAN_EMAIL]]
    confirm_path = CONFIRM_PATH.search(mail.outbox[0].body).group(0)
    assert subscription.token in confirm_path

    public.goto(confirm_path)
    expect(public).to_have_url(re.compile(rf"/commitments/{problem.pk}/$"))
    expect(public.locator(".messages .message.success")).to_have_count(1)
    subscription.refresh_from_db()
    assert subscription.confirmed

    # The reporter of the linked case already sees the news so far on the status page.
    reporter = open_page(new_context())
    reporter.goto(f"/track/{data.case.tracking_code}/")
    expect(reporter.locator("#tracking-code")).to_have_text(data.case.tracking_code)
    news = reporter.locator("#commitment-notifications li")
    expect(news).to_have_count(2)  # 40 % on the repair, the new deadline of the pipes
    expect(news.filter(has_text=PUBLIC_REASON)).to_have_count(1)

    # The handler updates the progress on the staff page…
    mail.outbox.clear()
    staff = open_page(new_context())
    log_in(staff, handler.username)
    staff.goto(f"/commitments/staff/measures/{repair.pk}/")
    form = staff.locator("#progress-form")
    form.locator('input[name="progress-progress"]').fill("60")
    form.locator('textarea[name="progress-note"]').fill(HANDLER_NOTE)
    submit(form)
    expect(staff.locator("#measure-progress progress")).to_have_attribute("value", "60")
    repair.refresh_from_db()
    assert repair.progress == 60

    # …the reporter reloads the status page and reads about it, with a link to the problem…
    reporter.reload()
    expect(news).to_have_count(3)
    latest = news.first
    expect(latest).to_contain_text(repair.title)
    expect(latest).to_contain_text("60")
    expect(latest.locator(f'a[href="/commitments/{problem.pk}/"]')).to_have_count(1)
    expect(reporter.locator("#commitment-notifications")).not_to_contain_text(HANDLER_NOTE)
    assert Notification.objects.filter(tracking_code=data.case.tracking_code).count() == 3

    # …and the reporter and the confirmed subscriber get an e-mail, without the internal note.
    assert sorted(message.to[0] for message in mail.outbox) == [FAN_EMAIL, REPORTER_EMAIL]
    for message in mail.outbox:
        assert HANDLER_NOTE not in message.body

    # The public page follows too.
    public.reload()
    expect(public.locator(f"#measure-{repair.pk} progress")).to_have_attribute("value", "60")
    expect(public.locator("#problem-progress progress")).to_have_attribute("value", "30")
    assert HANDLER_NOTE not in public.content()

    assert public.js_errors == []
    assert reporter.js_errors == []
    assert staff.js_errors == []


def test_public_problem_page_fits_a_phone(
    new_context, open_page, units, supervisor, handler, make_case, tmp_path
):
    data = make_commitments(units, supervisor, handler, make_case)
    context = new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = open_page(context)
    page.goto(f"/commitments/{data.problem.pk}/")
    expect(page.locator(f"#measure-{data.pipes.pk} ul.extensions")).to_be_visible()
    expect(page.locator("#subscribe-form")).to_be_visible()
    screenshot = tmp_path / "commitment-problem-390x844.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the problem page is {scroll_width}px wide on a 390px screen"
    assert page.js_errors == []
