"""The pages around every page: the brand in the header and the tab, the icon, the error
pages (debug mode too), and the district's colour check."""

import pytest
from django.core.checks import run_checks
from django.utils import translation

from civicdesk.accounts.models import ApiToken
from civicdesk.conftest import login
from civicdesk.core.checks import BRAND_COLOR_UNREADABLE


@pytest.mark.django_db
def test_the_log_in_page_shows_the_product_not_the_host(client, settings):
    settings.CIVICDESK_SITE_NAME = ""
    body = client.get("/accounts/login/").content.decode()
    assert "testserver" not in body  # Django's log-in view sets site_name to the host
    assert "<title>Staff login · civicdesk</title>" in body
    settings.CIVICDESK_SITE_NAME = "示范区政务服务"
    body = client.get("/accounts/login/").content.decode()
    assert "<title>Staff login · 示范区政务服务</title>" in body
    assert '<span class="brand__name">示范区政务服务</span>' in body


@pytest.mark.django_db
def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_a_page_not_open_to_a_role_says_so_in_words(handler, settings, debug):
    settings.DEBUG = debug
    response = login(handler).get("/dashboard/staff/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="error-page"' in body
    assert "it is not open to your role (Unit handler)" in body
    assert "Using the URLconf" not in body  # not Django's technical page
    assert 'class="nav nav--staff"' in body  # the way back is there


@pytest.mark.django_db
def test_the_error_page_speaks_the_visitors_language(citizen, settings):
    settings.DEBUG = True
    with translation.override("zh-hans"):
        response = citizen.get("/track/NOPE-NOPE-XX/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-page"' in body and '<html lang="zh-hans">' in body


@pytest.mark.django_db
def test_machines_keep_their_own_errors(handler, settings, client):
    settings.DEBUG = True
    _, token = ApiToken.issue(user=handler, name="t")
    response = client.get("/api/v1/cases/999999", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_an_unreadable_brand_colour_stops_the_server(settings):
    settings.CIVICDESK_BRAND_COLOR = "#b3261e"
    assert not [m for m in run_checks() if m.id == BRAND_COLOR_UNREADABLE]
    for unreadable in ("#ffd700", "red", "#12345"):
        settings.CIVICDESK_BRAND_COLOR = unreadable
        errors = [m for m in run_checks() if m.id == BRAND_COLOR_UNREADABLE]
        assert len(errors) == 1, unreadable
        assert "CIVICDESK_BRAND_COLOR" in errors[0].msg


@pytest.mark.django_db
def test_the_brand_colour_reaches_the_page_only_as_a_colour(client, settings):
    settings.CIVICDESK_BRAND_COLOR = "#1f5fa8"
    assert "--color-brand: #1f5fa8;" in client.get("/").content.decode()
    settings.CIVICDESK_BRAND_COLOR = "red;}</style><script>alert(1)</script>"
    body = client.get("/").content.decode()
    assert "alert(1)" not in body and "--color-brand:" not in body
