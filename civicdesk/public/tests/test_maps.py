"""Map tile providers: the settings, what the maps are told, and the Content-Security-Policy
that lets images come from the configured tile hosts and no other."""

import json
import os
import re
import subprocess
import sys
from html import unescape

import pytest

from civicdesk.core.maps import MapConfigError, build_provider

pytestmark = pytest.mark.django_db


def img_sources(response) -> list[str]:
    policy = dict(part.split(" ", 1) for part in response["Content-Security-Policy"].split("; "))
    return policy["img-src"].split()


def map_settings(response, element_id: str = "map") -> dict:
    body = response.content.decode()
    found = re.search(rf'<div id="{element_id}"[^>]*data-map="([^"]*)"', body)
    assert found, f"no map #{element_id}"
    return json.loads(unescape(found.group(1)))


def test_openstreetmap_by_default(citizen):
    response = citizen.get("/report/")

    assert img_sources(response) == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    tiles = map_settings(response)["tiles"]
    assert tiles["provider"] == "osm"
    assert tiles["datum"] == "wgs84"
    assert tiles["layers"][0]["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert tiles["layers"][0]["attribution"] == "© OpenStreetMap contributors"


def test_tianditu_with_its_key_and_only_its_hosts(settings, citizen):
    settings.CIVICDESK_MAP_PROVIDER = "tianditu"
    settings.CIVICDESK_MAP_KEY = "0123abcd"

    response = citizen.get("/report/")

    hosts = img_sources(response)[3:]
    assert hosts == [f"https://t{n}.tianditu.gov.cn" for n in range(8)]
    tiles = map_settings(response)["tiles"]
    assert tiles["datum"] == "wgs84"  # CGCS2000: no shift
    base, labels = tiles["layers"]
    assert base["url"].startswith("https://t{s}.tianditu.gov.cn/vec_w/wmts?")
    assert labels["url"].startswith("https://t{s}.tianditu.gov.cn/cva_w/wmts?")
    assert all("tk=0123abcd" in layer["url"] for layer in (base, labels))
    assert base["subdomains"] == "01234567"


def test_any_xyz_template_in_gcj02_with_subdomains(settings, citizen):
    settings.CIVICDESK_MAP_PROVIDER = "xyz"
    settings.CIVICDESK_MAP_TILE_URL = "https://webrd0{s}.is.example.cn/tile?x={x}&y={y}&z={z}"
    settings.CIVICDESK_MAP_SUBDOMAINS = "1234"
    settings.CIVICDESK_MAP_ATTRIBUTION = "© 示例地图"
    settings.CIVICDESK_MAP_DATUM = "gcj02"

    response = citizen.get("/report/")

    assert img_sources(response)[3:] == [f"https://webrd0{n}.is.example.cn" for n in "1234"]
    tiles = map_settings(response)["tiles"]
    assert (tiles["datum"], tiles["layers"][0]["attribution"]) == ("gcj02", "© 示例地图")


def test_tiles_served_by_the_site_itself_need_no_host(settings, citizen):
    settings.CIVICDESK_MAP_PROVIDER = "xyz"
    settings.CIVICDESK_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"

    assert img_sources(citizen.get("/report/")) == ["'self'", "data:", "blob:"]


def test_no_tiles_no_map_and_no_tile_host(settings, citizen):
    settings.CIVICDESK_MAP_PROVIDER = "none"

    response = citizen.get("/report/")

    assert img_sources(response) == ["'self'", "data:", "blob:"]
    body = response.content.decode()
    assert 'id="map"' not in body
    assert 'id="id_address"' in body


def test_the_staff_pages_allow_the_same_hosts_only(settings, clerk):
    from civicdesk.conftest import login

    settings.CIVICDESK_MAP_PROVIDER = "tianditu"
    settings.CIVICDESK_MAP_KEY = "0123abcd"

    response = login(clerk).get("/staff/")

    assert "https://tile.openstreetmap.org" not in response["Content-Security-Policy"]
    assert "https://t7.tianditu.gov.cn" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("provider", "options", "names"),
    [
        ("google", {}, "CIVICDESK_MAP_PROVIDER"),
        ("tianditu", {}, "CIVICDESK_MAP_KEY"),
        ("tianditu", {"key": "a&b=c"}, "CIVICDESK_MAP_KEY"),
        ("xyz", {"tile_url": "ftp://tiles.example.org/{z}/{x}/{y}.png"}, "http(s)"),
        ("xyz", {"tile_url": "https://tiles.example.org/tile.png"}, "{z}, {x} and {y}"),
        ("xyz", {"tile_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}, "SUBDOMAINS"),
        (
            "xyz",
            {"tile_url": "https://tiles.example.org/{z}/{x}/{y}.png", "subdomains": "abc"},
            "has no {s}",
        ),
        ("osm", {"datum": "bd09"}, "CIVICDESK_MAP_DATUM"),
    ],
)
def test_settings_that_cannot_work_are_refused_naming_the_setting(provider, options, names):
    with pytest.raises(MapConfigError, match=re.escape(names)):
        build_provider(provider, **options)


def test_an_empty_tile_url_means_no_tiles_as_before():
    assert build_provider("xyz", tile_url="") is None


def _settings_in_a_new_process(**env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CIVICDESK_MAP_PROVIDER)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicdesk.settings", **env}
    environment.pop("CIVICDESK_MAP_PROVIDER", None)
    environment.pop("CIVICDESK_MAP_TILE_URL", None)
    environment.update(env)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )


def test_a_tile_url_without_a_provider_is_an_xyz_template_as_before():
    done = _settings_in_a_new_process(
        CIVICDESK_MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
        CIVICDESK_SECRET_KEY="x" * 50,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "xyz"


def test_a_map_setting_that_cannot_work_stops_start_up_naming_it():
    done = _settings_in_a_new_process(
        CIVICDESK_MAP_PROVIDER="tianditu", CIVICDESK_SECRET_KEY="x" * 50
    )

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "CIVICDESK_MAP_KEY" in done.stderr


def test_the_report_form_asks_for_the_address_first_and_keeps_coordinates_disclosed(citizen):
    body = citizen.get("/report/").content.decode()

    address = body.index('id="id_address"')
    locate = body.index('id="locate-me"')
    the_map = body.index('<div id="map"')
    disclosure = body.index('<details id="coordinates"')
    assert address < locate < the_map < disclosure < body.index('id="id_latitude"')
    assert 'id="map-offline" class="map-offline-note" role="status" hidden' in body


def test_coordinates_with_an_error_are_disclosed(citizen):
    response = citizen.post("/report/", {"description": "路灯不亮了好几天", "latitude": "30.27"})

    assert response.status_code == 400
    assert '<details id="coordinates" open>' in response.content.decode()
