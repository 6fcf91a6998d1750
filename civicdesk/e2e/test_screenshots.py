"""The "How to check it" suite of issue 15: every page each role can open, in Chromium, at a
phone's width (390 px) and a laptop's (1366 px), in zh-Hans and in English.

Run it with ``pytest -m screenshots`` (it is outside the default run: it opens some hundred
pages per role). Screenshots go to the folder named by ``CIVICDESK_SCREENSHOTS`` (else the
test's temporary folder); look at them. Each page is also checked:

- it is no wider than the screen (``scrollWidth`` within the viewport);
- its text shows no raw setting or code values (``form: web``, ``zh-hans``, ``---------``,
  an import column key in quotes…);
- every form control has a label (a ``<label>``, ``aria-label`` or ``aria-labelledby``);
- axe-core reports no serious or critical violation.

axe-core (MPL-2.0) is vendored in ``civicdesk/e2e/vendor/`` (see its LICENSE file for where
it came from); ``CIVICDESK_AXE_JS`` may point at another ``axe.min.js`` to try a newer one.

The pages are listed by the menus themselves (core/navigation.py), so a page added to a menu
is checked here too; a few pages no menu links (the landing page, a case, the citizen's
status page, the log-in page) are added by hand.
"""

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import RequestFactory

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
from civicdesk.core.navigation import menus_for
from civicdesk.core.testing import _database_with_migrated_rows  # noqa: F401 - fixture
from civicdesk.staff.queues import queues_for

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (390, 1366)
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
ROLES = ("visitor", "clerk", "handler-urban", "supervisor", "leader", "discipline", "admin")

# Text a person should never read: settings, codes and form internals shown as they are.
RAW_VALUES = [
    (re.compile(r"-{5,}"), "an empty choice drawn as dashes"),
    (re.compile(r"\bzh-han[st]\b", re.I), "a language code"),
    (re.compile(r"\b(?:form|rating|window|channel|status|kind|role): [a-z][\w-]*"), "key: value"),
    (re.compile(r"“[a-z][a-z0-9_]*”"), "a column key in quotes"),
    (re.compile(r"[？?]\s*[：:]"), "doubled punctuation"),
    (re.compile(r"领域领域"), "a doubled word"),
    # A Python value printed as a value ("Deadline: None"); "None yet." is English.
    (re.compile(r"[:：=]\s*(?:None|True|False)\b"), "a Python value"),
    (re.compile(r"\{\{|\{%|%\}|\}\}"), "template syntax"),
    (re.compile(r"127\.0\.0\.1|localhost:\d+"), "the server's address"),
]

PAGE_FACTS = """() => {
    const unlabelled = [];
    for (const el of document.querySelectorAll("input, select, textarea")) {
        if (["hidden", "submit", "button", "reset", "image"].includes(el.type)) continue;
        const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
            || el.getAttribute("aria-labelledby") || el.getAttribute("title");
        if (!named) unlabelled.push(el.outerHTML.slice(0, 140));
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        text: document.body.innerText,
        unlabelled,
    };
}"""

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" "))
            .join(" | ")}`);
}"""


VENDORED_AXE = Path(__file__).parent / "vendor" / "axe-core-4.12.1.min.js"


def axe_script() -> Path | None:
    name = os.environ.get("CIVICDESK_AXE_JS")
    chosen = Path(name) if name else VENDORED_AXE
    return chosen if chosen.is_file() else None


def raw_values(text: str) -> list[str]:
    found = []
    for pattern, what in RAW_VALUES:
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            found.append(f"{what}: …{text[start : match.end() + 20]!r}…")
    return found


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


@pytest.fixture
def demo_district(db):
    """The demo's district (its units, staff and a few hundred cases of two months)."""
    from civicdesk.dashboard import aggregate
    from civicdesk.demo.generator import load_demo

    load_demo(submissions=160)
    aggregate.refresh()


@pytest.fixture
def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("CIVICDESK_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pages_for(username: str) -> list[str]:
    """The paths a person opens: every link of their menus, and pages no menu links."""
    user = None if username == "visitor" else User.objects.get(username=username)
    request = RequestFactory().get("/")
    request.user = user if user is not None else _Anonymous()
    menus = menus_for(request)
    paths = ["/"] + [link.href for link in menus.public]
    if user is None:
        case = Case.objects.exclude(tracking_code="").order_by("pk").first()
        paths += ["/accounts/login/", f"/track/{case.tracking_code}/", "/dashboard/problems/"]
    else:
        # /staff/ is where each role starts its day (core.landing).
        paths += ["/staff/"] + [link.href for group in menus.staff for link in group.links]
        # The overdue queue, for those who work from queues (a discipline inspector does not).
        paths += [queue.url() for queue in queues_for(user) if queue.slug == "overdue"]
    return list(dict.fromkeys(paths))


class _Anonymous:
    is_authenticated = False
    is_staff_member = False


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_every_role(
    username, demo_district, browser, new_context, open_page, shots_dir
):
    from civicdesk.demo.generator import DEMO_PASSWORD

    axe = axe_script()
    findings = Findings()
    paths = pages_for(username)
    for language, locale in LANGUAGES.items():
        for width in WIDTHS:
            phone = width < 600
            context = new_context(
                locale=locale,
                viewport={"width": width, "height": 844 if phone else 900},
                is_mobile=phone,
                has_touch=phone,
                # axe-core goes in as an inline script, which the site's CSP refuses.
                bypass_csp=True,
            )
            page = open_page(context)
            if username != "visitor":
                _log_in(page, username, DEMO_PASSWORD)
                # The case page of the first case the person's landing page lists.
                page.goto("/staff/")
                first_case = page.locator('a[href^="/staff/cases/"]').first
                case_paths = [first_case.get_attribute("href")] if first_case.count() else []
            else:
                case_paths = []
            for path in paths + case_paths:
                where = f"{username} {language} {width}px {path}"
                response = page.goto(path)
                findings.pages += 1
                if response is None or response.status >= 400:
                    findings.add(where, f"HTTP {response.status if response else '—'}")
                    continue
                page.wait_for_load_state("networkidle")
                page.screenshot(
                    path=shots_dir / f"{username}-{language}-{width}-{slug(path)}.png",
                    full_page=True,
                )
                facts = page.evaluate(PAGE_FACTS)
                if facts["scrollWidth"] > width:
                    findings.add(where, f"{facts['scrollWidth']} px wide")
                for raw in raw_values(facts["text"]):
                    findings.add(where, raw)
                for control in facts["unlabelled"]:
                    findings.add(where, f"no label: {control}")
                if axe is not None:
                    page.add_script_tag(path=str(axe))
                    for violation in page.evaluate(AXE_RUN):
                        findings.add(where, f"axe {violation}")
            assert page.js_errors == [], (username, language, width, page.js_errors)
            context.close()
    assert findings.pages >= len(paths) * 4
    assert not findings.problems, "\n".join(
        [f"{len(findings.problems)} problems; screenshots in {shots_dir}", *findings.problems]
    )
    if axe is None:
        missing = os.environ.get("CIVICDESK_AXE_JS") or VENDORED_AXE
        reason = f"axe-core not found ({missing}): the axe check did not run"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        warnings.warn(reason, stacklevel=1)


def _log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    form = page.locator('form:has(input[name="username"])')
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('[type="submit"]').click()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


# docs/design.md's pictures: (file, role, path, selector, width). A component is cropped to
# its element (at most CROP px high); None takes what a phone's screen shows, whole (the
# case page's action bar sits at its bottom).
DESIGN_PICTURES = [
    ("page-header", "admin", "/moderation/staff/", ".page-header", 1366),
    ("card", "visitor", "{track}", "main .card", 390),
    ("data-table-phone", "clerk", "/staff/?status=default", "#case-table table", 390),
    ("data-table-wide", "clerk", "/staff/?status=default", "#case-table table", 1366),
    ("badge", "clerk", "/staff/?status=default", "#case-table tbody tr", 1366),
    ("queue-counter", "clerk", "/staff/", ".queue-counters", 390),
    ("action-bar", "handler-urban", "{case}", "#action-bar", 390),
    ("empty-state", "clerk", "/staff/cases/999999999/", ".empty-state", 390),
    ("form-field", "visitor", "/report/", "{field_error}", 390),
    ("day-clerk", "clerk", "/staff/", None, 390),
    ("day-handler", "handler-urban", "/staff/", None, 390),
    ("day-handler-case", "handler-urban", "{case}", None, 390),
    ("day-supervisor", "supervisor", "/staff/", None, 390),
    ("day-leader", "leader", "/staff/", None, 390),
]
CROP = 700


def test_design_pictures(demo_district, browser, new_context, open_page):
    """Writes docs/design.md's pictures where CIVICDESK_DESIGN_SHOTS names a folder
    (``CIVICDESK_DESIGN_SHOTS=docs/design pytest -m screenshots -k design``)."""
    from PIL import Image

    from civicdesk.demo.generator import DEMO_PASSWORD

    folder = os.environ.get("CIVICDESK_DESIGN_SHOTS")
    if not folder:
        pytest.skip("CIVICDESK_DESIGN_SHOTS names no folder")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tracked = Case.objects.exclude(answer="").order_by("pk").first()
    handler_case = Case.objects.filter(unit__code="urban", status="in_progress").first()
    handler_case = handler_case or Case.objects.filter(unit__code="urban").first()
    places = {
        "{track}": f"/track/{tracked.tracking_code}/",
        "{case}": f"/staff/cases/{handler_case.pk}/",
    }
    for name, username, path, selector, width in DESIGN_PICTURES:
        phone = width < 600
        context = new_context(
            locale="zh-CN",
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
        )
        page = open_page(context)
        if username != "visitor":
            _log_in(page, username, DEMO_PASSWORD)
        page.goto(places.get(path, path))
        page.wait_for_load_state("networkidle")
        target = out / f"{name}.png"
        if selector == "{field_error}":
            # The report form sent empty: the description's field shows its error.
            page.evaluate("document.querySelector('main form').noValidate = true")
            with page.expect_navigation():
                page.locator("main form [type=submit]").last.click()
            selector = ".field:has(.errorlist)"
        if selector is None:
            page.screenshot(path=target)
        else:
            page.locator(selector).first.screenshot(path=target)
        image = Image.open(target)
        if selector is not None and image.height > CROP:
            image = image.crop((0, 0, image.width, CROP))
        image.convert("RGB").quantize(colors=128).save(target, optimize=True)
        assert target.stat().st_size < 150_000, (name, target.stat().st_size)
        context.close()
