"""Issue 15's "unfinished surfaces", each checked through HTTP (the browser suite,
`pytest -m screenshots`, looks at every page; these keep each fix in the default run)."""

import re

import pytest
from django.test import Client

from civicdesk.conftest import login

pytestmark = pytest.mark.django_db


def test_public_commitment_filters_offer_any_instead_of_dashes(units):
    body = Client().get("/commitments/").content.decode()
    assert "---------" not in body
    for name in ("unit", "campaign"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
        assert re.search(r'<option value=""[^>]*>Any</option>', select), name


def test_prominent_problems_opened_by_a_link_are_a_whole_page(units):
    page = Client().get("/dashboard/problems/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<html" in body and "<title>Prominent problems" in body
    assert 'href="/dashboard/"' in body  # back to the dashboard
    assert re.search(r"<table[^>]*data-cards", body)  # cards on a phone
    # The dashboard's htmx request still gets the list alone.
    fragment = Client().get("/dashboard/problems/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "Prominent problems" in fragment.content.decode()


def test_rates_per_unit_turn_into_cards_on_a_phone(units):
    body = Client().get("/dashboard/").content.decode()
    table = re.search(r'<table[^>]*id="unit-rates"[^>]*>', body).group(0)
    assert "data-cards" in table
    assert re.search(r'<td data-label="Unit"', body)


def test_case_page_names_the_channel_details_and_hides_internal_keys(clerk, make_case):
    case = make_case(
        source_details={"form": "web", "openid": "o-42", "rating": 6, "window": "urban-window"}
    )
    body = login(clerk).get(f"/staff/cases/{case.pk}/").content.decode()
    assert re.search(r"Window: (<bdi>)?城管服务窗口", body)
    for raw in ("form: web", "o-42", "rating: 6", "urban-window"):
        assert raw not in body, raw


def test_the_reporter_is_greeted_without_a_mask_on_their_status_page(
    make_case, units, supervisor, handler
):
    from civicdesk.cases.services import case_answer, case_assign

    case = make_case(contact_name="王小明", description="我叫王小明，楼道路灯坏了。")
    case = case_assign(case=case, unit=units["urban"], actor=supervisor)
    case_answer(case=case, actor=handler, text="王先生，您好！王小明反映的路灯已修复。")
    body = Client().get(f"/track/{case.tracking_code}/").content.decode()
    answer = re.search(r'id="official-answer"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert answer.startswith("先生，您好！")
    assert "＊＊＊反映的路灯" in answer  # the name itself stays hidden
    assert "＊＊＊先生" not in body and "王" not in body.split("<main", 1)[1]


def test_chinese_labels_say_what_they_mean():
    """A file's size is not a count of cases (件数), and an aspect named …领域 is not said
    twice (属于民生领域领域)."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("zh-hans"):
        assert pgettext("file size", "Size") == "文件大小"
        assert gettext("Size") == "件数"  # a problem group's size: its cases
        sentence = gettext("Reports about %(category)s, in the area of %(aspect)s.") % {
            "category": "路灯照明",
            "aspect": "民生领域",
        }
        assert "领域领域" not in sentence and "民生领域" in sentence


def test_inbox_rows_are_labelled_cards_on_a_phone(clerk, make_case):
    """Unit, channel and deadline can be told apart on a phone: each cell carries its
    column's name (shown before it) and the table turns into cards."""
    make_case()
    body = login(clerk).get("/staff/?status=default").content.decode()
    table = re.search(r"<table[^>]*>", body[body.index('id="case-table"') :]).group(0)
    assert "data-cards" in table
    for label in ("Unit", "Channel", "Due"):
        assert f'data-label="{label}"' in body, label


TABLE = re.compile(r'<table class="(?:list responsive[^"]*|table)"[^>]*>')


def test_every_stacking_table_is_a_datatable():
    """A table styled to stack on a phone (list responsive, table) goes through
    {% datatable %} (labels on its cells) or labels them itself (data-cards): no template
    stacks bare values."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    bare = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in TABLE.finditer(text):
            wrapped = text[: match.start()].rstrip().endswith("{% datatable %}")
            if not wrapped and "data-cards" not in match.group(0):
                bare.append(f"{template.relative_to(root)}: {match.group(0)}")
    assert not bare, "\n".join(bare)


def test_the_calendar_banner_names_the_command_to_administrators_only(
    clerk, admin_user, settings, tmp_path
):
    """A clerk cannot run a command: they are told whom to ask."""
    import json
    from datetime import date

    from civicdesk.core.tests.test_calendar_coverage import on

    calendar = tmp_path / "short.json"
    calendar.write_text(
        json.dumps({"years": {"2026": {"status": "official"}}, "holidays": ["2026-10-01"]})
    )
    settings.CIVICDESK_HOLIDAY_CALENDAR = str(calendar)
    with on(date(2026, 12, 7)):
        clerk_page = login(clerk).get("/staff/", follow=True).content.decode()
        admin_page = login(admin_user).get("/staff/", follow=True).content.decode()
    banner = re.compile(r'id="calendar-warning">(.*?)</details>', re.S)
    assert "Ask the system administrator" in banner.search(clerk_page).group(1)
    # One line until opened: a phone's screen is short and the banner is on every page.
    assert "<summary>The holiday calendar needs updating" in clerk_page
    assert "load_holidays" not in clerk_page
    assert "civicdesk load_holidays FILE" in banner.search(admin_page).group(1)


def test_ledgers_and_utilities_list_their_pages_as_cards(clerk, citizen):
    """Not bare link lists: each entry is a card with its title (and what it is)."""
    ledgers = login(clerk).get("/ledgers/").content.decode()
    assert re.search(r'<ul class="link-cards" id="ledger-links">', ledgers)
    assert ledgers.count('class="link-cards__title"') == 3
    utilities = citizen.get("/ledgers/utilities/").content.decode()
    assert '<ul class="link-cards" id="utilities">' in utilities


def test_a_queue_page_gives_each_control_its_own_id_and_label(clerk, make_case):
    """The filter's unit list and the batch panel's unit list were both id_unit: one of
    them had no label."""
    make_case()
    body = login(clerk).get("/staff/queues/to-route/").content.decode()
    ids = re.findall(r'<(?:select|input|textarea)[^>]*\bid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for control in ("batch_action", "batch_unit", "batch_note"):
        assert f'for="{control}"' in body, control


def test_the_outbox_names_a_message_language_in_words(supervisor):
    from civicdesk.notifications.models import Channel, Event, Outbox, Status

    Outbox.objects.create(
        channel=Channel.EMAIL,
        recipient="person@example.org",
        event=Event.CASE_ANSWERED,
        language="zh-hans",
        subject="答复",
        body="/track/X/",
        status=Status.PENDING,
        dedupe_key="test:zh",
    )
    body = login(supervisor).get("/notifications/staff/").content.decode()
    assert "Simplified Chinese" in body
    assert "zh-hans" not in body.split("<main", 1)[1]


def test_the_service_figures_do_not_head_two_columns_alike(units):
    """最多跑一次 headed both the share of cases with at most one visit and whether the item
    is run at most once."""
    from django.utils import translation

    with translation.override("zh-hans"):
        body = Client(headers={"accept-language": "zh-hans"}).get("/services/").content.decode()
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", body.split('id="catalogue"', 1)[1])
    assert "至多跑一次占比" in headers and "最多跑一次" in headers
    assert len(headers) == len(set(headers)), headers
