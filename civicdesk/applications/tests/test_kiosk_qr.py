"""The kiosk scan of the application's QR code (issue 18, item 4): the applicant's page shows a
QR code of the kiosk's address with the tracking code; scanned by the hall's staff it opens
the kiosk on that application, and recording it counts the applicant's visit, which the
applicant's page then shows."""

import html
import re

import pytest

from civicdesk.applications.models import Application
from civicdesk.applications.tests.conftest import apply_form, login

pytestmark = pytest.mark.django_db


def test_the_qr_code_opens_the_kiosk_and_the_scan_is_a_visit(citizen, version, window_clerk):
    assert citizen.post("/hall/matters/food-license/apply/", apply_form(version)).status_code == 302
    application = Application.objects.get()
    code = application.tracking_code
    page = citizen.get(f"/hall/a/{code}/").content.decode()
    assert 'id="visit-count">0<' in page

    # The code in the QR (segno writes its URL as the SVG's title).
    section = re.search(r'<section class="card kiosk-qr" id="kiosk">(.*?)</section>', page, re.S)
    assert section and "<svg" in section.group(1)
    url = html.unescape(re.search(r"<title>(.*?)</title>", section.group(1)).group(1))
    path = re.sub(r"^https?://[^/]+", "", url)
    assert path == f"/hall/staff/kiosk/?code={code}"

    # Scanned by the hall's staff: the kiosk opens on the application.
    clerk = login(window_clerk)
    opened = clerk.get(path)
    assert opened.status_code == 200 and code in opened.text and "Record visit" in opened.text
    # Anyone else who scans it is sent to log in, and nothing is counted.
    assert citizen.get(path).status_code == 302
    assert citizen.post("/hall/staff/kiosk/", {"code": code}).status_code == 302
    application.refresh_from_db()
    assert application.visit_count == 0

    recorded = clerk.post("/hall/staff/kiosk/", {"code": code})
    assert recorded.status_code == 302
    application.refresh_from_db()
    assert application.visit_count == 1
    assert application.visits.get().kind == "kiosk"
    assert 'id="visit-count">1<' in citizen.get(f"/hall/a/{code}/").content.decode()
