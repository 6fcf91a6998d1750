"""A citizen reports a problem, staff assign and answer it, the citizen reads the answer."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so the data must really be committed; the
    # serialized rollback brings back the channels and categories that migrations create.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESCRIPTION = "The street lamp in front of building 3 has been dark for a week."
ADDRESS = "East Garden, building 3"
ANSWER = "The lamp was replaced on Tuesday; thank you for telling us."
EXIF_MAKE = 0x010F
GPS_IFD = 0x8825


def make_jpeg_with_exif(path):
    """A real camera-like JPEG carrying a maker tag and a GPS position."""
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[EXIF_MAKE] = "civicdesk-test-camera"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 16.0, 27.0), 3: "E", 4: (120.0, 9.0, 18.0)})
    image.save(path, "JPEG", exif=exif, quality=90)
    with Image.open(path) as check:
        assert check.getexif()[EXIF_MAKE] == "civicdesk-test-camera"
    return path


def log_in(page, username):
    page.goto("/accounts/login/")
    form = page.locator('form:has(input[name="username"])')
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        form.locator('[type="submit"]').click()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def log_out(page):
    with page.expect_navigation():
        page.locator("#logout-form button").click()
    expect(page.locator("#logout-form")).to_have_count(0)


def submit(form):
    with form.page.expect_navigation():
        form.locator('[type="submit"]').click()


def test_report_form_fits_a_phone(new_context, open_page, tmp_path):
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_page(context)
    page.goto("/report/")
    expect(page.locator("#report-form")).to_be_visible()
    expect(page.locator("#submit-report")).to_be_visible()
    # Nothing sticks out sideways on a 390 px wide screen.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the report form is {scroll_width}px wide on a 390px screen"
    screenshot = tmp_path / "report-form-390x844.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0
    assert page.js_errors == []


def test_staff_filters_fit_a_phone(new_context, open_page, clerk, make_case):
    make_case(description=DESCRIPTION)
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_page(context)
    log_in(page, clerk.username)
    # The clerk's own queue (where they land) keeps its filters in a panel that opens;
    # the list of every case shows them outright.
    expect(page).to_have_url(re.compile(r"/staff/queues/to-route/$"))
    page.locator(".filters-panel summary").click()
    for url, selector in (("", "#queue-filters"), ("/staff/?page=1", "#inbox-filters")):
        if url:
            page.goto(url)
        form = page.locator(selector)
        expect(form).to_be_visible()
        edge = form.bounding_box()
        for control in form.locator("input:not([type=hidden]), select").all():
            box = control.bounding_box()
            name = control.get_attribute("name")
            assert box["x"] >= edge["x"], f"{name} starts left of the filter card"
            assert box["x"] + box["width"] <= edge["x"] + edge["width"], f"{name} sticks out"
    assert page.js_errors == []


def test_staff_pages_with_wide_tables_and_long_words_fit_a_phone(
    new_context, open_page, supervisor, make_case
):
    case = make_case(
        description=DESCRIPTION,
        address="Building3-Unit2-Room1801-EastGardenResidentialCompound-NorthGate",
        contact_email="a.very.long.mailbox.name.for.testing@street-office.example.org",
    )
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_page(context)
    log_in(page, supervisor.username)
    # The unit rates table has a dozen columns; the case facts hold unbroken long words.
    for url in ("/evaluation/", f"/staff/cases/{case.pk}/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a 390px screen"
    assert page.js_errors == []


def test_same_problem_hints_appear_while_the_clerk_types(new_context, open_page, clerk, make_case):
    light = make_case(description="西湖小学门口的路灯一直闪烁，晚上很黑，孩子放学不敢走")
    page = open_page(new_context())
    log_in(page, clerk.username)
    page.goto("/staff/record/")
    page.locator("#id_description").press_sequentially("西湖小学门口路灯坏了一直闪烁")
    expect(page.locator("#same-problem-hints")).to_contain_text(light.tracking_code)
    assert page.js_errors == []


def test_citizen_report_is_assigned_answered_and_read(
    new_context, open_page, units, supervisor, handler, tmp_path
):
    photo_path = make_jpeg_with_exif(tmp_path / "lamp.jpg")

    # A citizen reports the problem, with a photo and an address.
    citizen = open_page(new_context())
    citizen.goto("/report/")
    form = citizen.locator("#report-form")
    form.locator('textarea[name="description"]').fill(DESCRIPTION)
    form.locator('input[name="photos"]').set_input_files(photo_path)
    form.locator('input[name="address"]').fill(ADDRESS)
    with citizen.expect_navigation():
        citizen.locator("#submit-report").click()
    expect(citizen).to_have_url(re.compile(r"/track/[^/]+/$"))
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert citizen.url.endswith(f"/track/{code}/")
    expect(citizen.locator("#case-status")).to_have_text("Received")

    case = Case.objects.get(tracking_code=code)
    assert case.status == Status.RECEIVED
    assert case.submission.description == DESCRIPTION
    assert case.submission.address == ADDRESS

    # The stored photo (and its thumbnail) lost the camera's metadata, GPS included.
    photo = case.submission.photos.get()
    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as stored, Image.open(stored) as image:
            assert dict(image.getexif()) == {}, f"{field.name} still has EXIF"

    # The supervisor finds it in the queue of cases to route and assigns it to the urban
    # management department.
    staff = open_page(new_context())
    log_in(staff, supervisor.username)
    staff.locator("#count-to-route").click()
    expect(staff).to_have_url(re.compile(r"/staff/queues/to-route/$"))
    case_url = f"/staff/cases/{case.pk}/"
    staff.locator(f'a[href^="{case_url}"]').first.click()
    expect(staff).to_have_url(re.compile(re.escape(case_url) + r"(\?queue=to-route)?$"))
    assign = staff.locator("#assign-form")
    assign.locator('select[name$="unit"]').select_option(value=str(units["urban"].pk))
    submit(assign)
    # No other case waits to be routed, so the supervisor is back at the emptied queue.
    expect(staff).to_have_url(re.compile(r"/staff/queues/to-route/$"))
    expect(staff.locator(f'a[href^="{case_url}"]')).to_have_count(0)
    staff.goto(case_url)
    expect(staff.locator("#case-status")).to_have_class(re.compile(r"\bassigned\b"))
    staff.screenshot(path=tmp_path / "staff-case-assigned.png", full_page=True)
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["urban"]
    log_out(staff)

    # The department's handler answers it.
    log_in(staff, handler.username)
    staff.goto(case_url)
    answer = staff.locator("#answer-form")
    answer.locator('textarea[name$="text"]').fill(ANSWER)
    submit(answer)
    expect(staff.locator("#case-status")).to_have_class(re.compile(r"\banswered\b"))
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answer == ANSWER
    log_out(staff)

    # The citizen comes back to the status page and reads the answer.
    citizen.reload()
    expect(citizen.locator("#official-answer")).to_contain_text(ANSWER)
    expect(citizen.locator("#case-status")).to_have_class(re.compile(r"\banswered\b"))
    expect(citizen.locator("#case-status")).to_have_text("Answered")
    citizen.screenshot(path=tmp_path / "status-answered.png", full_page=True)

    assert citizen.js_errors == []
    assert staff.js_errors == []
