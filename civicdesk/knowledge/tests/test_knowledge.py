"""The knowledge base: editing (all or nothing, translated errors), the public search, the panel
beside a case's answer box, the first-contact figure, and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.cases import services as case_services
from civicdesk.cases.models import Category
from civicdesk.catalogue.models import ServiceItem
from civicdesk.conftest import login
from civicdesk.evaluation import rates
from civicdesk.knowledge.models import Entry, EntryUse
from civicdesk.knowledge.services import EntryFields, entry_save, notice_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(clerk) -> Entry:
    return entry_save(
        actor=clerk,
        fields=EntryFields(
            title="居住证怎么办理",
            summary="居住证可在户籍窗口或网上办理，材料齐全的10个工作日内办结。",
            service_item=ServiceItem.objects.get(code="residence-permit"),
            category=Category.objects.get(code="housing"),
            place="区政务服务中心一楼户籍窗口（工作日9:00-17:00）",
            fees="免费",
            legal_basis="《居住证暂行条例》第九条",
        ),
    )


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        return ApiClient(ApiToken.issue(user=user, name="test")[1])

    return make


def test_a_clerk_adds_an_entry_and_a_missing_link_saves_nothing(clerk):
    client = login(clerk)
    refused = client.post(
        "/knowledge/staff/new/", {"title": "噪音投诉须知", "summary": "夜间施工噪音请……"}
    )
    assert refused.status_code == 400
    assert "Link the entry to a service catalogue item or a category." in refused.content.decode()
    assert not Entry.objects.exists()

    noise = Category.objects.get(code="noise")
    saved = client.post(
        "/knowledge/staff/new/",
        {
            "title": "噪音投诉须知",
            "summary": "夜间22时至次日6时施工须取得夜间施工许可。",
            "category": noise.pk,
            "is_published": "on",
        },
    )
    assert saved.status_code == 302
    assert Entry.objects.get().category == noise


def test_the_error_is_translated(clerk):
    with translation.override("zh-hans"):
        refused = login(clerk).post(
            "/knowledge/staff/new/",
            {"title": "噪音投诉须知", "summary": "……"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert "请将条目关联到服务事项或诉求分类。" in refused.content.decode()


def test_handlers_read_but_do_not_edit(handler, permit):
    assert login(handler).get("/knowledge/staff/").status_code == 200
    assert login(handler).get("/knowledge/staff/new/").status_code == 404
    assert login(handler).post(f"/knowledge/staff/{permit.pk}/edit/", {}).status_code == 404


def test_the_public_searches_published_entries_in_either_script(citizen, permit, clerk):
    withdrawn = entry_save(
        actor=clerk,
        entry=None,
        fields=EntryFields(
            title="旧版居住证须知",
            summary="已停止使用",
            category=Category.objects.get(code="housing"),
            is_published=False,
        ),
    )

    found = citizen.get("/knowledge/", {"q": "居住證"})  # Traditional characters
    assert found.status_code == 200
    assert list(found.context["page"]) == [permit]
    assert citizen.get("/knowledge/", {"q": "社保"}).context["page"].object_list == []

    page = citizen.get(f"/knowledge/{permit.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    # The catalogue item's materials, since the entry lists none of its own.
    assert "居住证申领登记表" in body and "《居住证暂行条例》第九条" in body
    assert f'href="/services/{permit.service_item.code}/"' in body
    assert citizen.get(f"/knowledge/{withdrawn.pk}/").status_code == 404


def test_the_catalogue_item_links_its_entries(citizen, permit):
    body = citizen.get("/services/residence-permit/").content.decode()
    assert f'href="/knowledge/{permit.pk}/"' in body


@pytest.fixture
def housing_case(make_case, units, supervisor):
    case = make_case(category=Category.objects.get(code="housing"))
    return case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)


def test_the_answer_box_offers_the_categorys_entries_and_records_the_insertion(
    handler, housing_case, permit
):
    client = login(handler)
    page = client.get(f"/staff/cases/{housing_case.pk}/").content.decode()
    assert f'hx-get="/knowledge/cases/{housing_case.pk}/"' in page
    assert "knowledge/insert.js" in page

    panel = client.get(f"/knowledge/cases/{housing_case.pk}/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    assert permit.title in panel.content.decode()
    assert "区政务服务中心一楼户籍窗口" in panel.content.decode()

    used = client.post(f"/knowledge/cases/{housing_case.pk}/use/{permit.pk}/")
    assert used.status_code == 200
    assert EntryUse.objects.get().case == housing_case


def test_panel_and_use_need_someone_who_answers_the_case(
    leader, other_handler, housing_case, permit
):
    assert login(leader).get(f"/knowledge/cases/{housing_case.pk}/").status_code == 404
    # Another unit's handler does not see the case at all.
    assert login(other_handler).get(f"/knowledge/cases/{housing_case.pk}/").status_code == 404
    assert (
        login(other_handler)
        .post(f"/knowledge/cases/{housing_case.pk}/use/{permit.pk}/")
        .status_code
        == 404
    )
    assert not EntryUse.objects.exists()


def test_notice_text_lists_every_part(permit):
    with translation.override("zh-hans"):
        text = notice_text(permit)
    assert text.startswith("居住证可在户籍窗口或网上办理")
    assert "所需材料：居住证申领登记表；居民身份证；" in text
    assert "收费标准：免费" in text and "办理依据：《居住证暂行条例》第九条" in text


def _first_contact(unit):
    now = timezone.now()
    period = (now - timedelta(days=1), now + timedelta(days=1))
    return rates.unit_rates(unit, *period).figures[rates.FIRST_CONTACT]


def test_answered_at_first_contact_from_an_entry(
    make_case, units, supervisor, handler, permit, housing_case
):
    def assigned():
        case = make_case(category=Category.objects.get(code="housing"))
        return case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)

    # 1. An entry inserted, then answered straight away: counted.
    login(handler).post(f"/knowledge/cases/{housing_case.pk}/use/{permit.pk}/")
    case_services.case_answer(case=housing_case, actor=handler, text=notice_text(permit))
    # 2. Answered without an entry: not counted.
    case_services.case_answer(case=assigned(), actor=handler, text="已答复。")
    # 3. Accepted first (a first reply before the answer): not at first contact.
    accepted = case_services.case_accept(case=assigned(), actor=handler)
    login(handler).post(f"/knowledge/cases/{accepted.pk}/use/{permit.pk}/")
    case_services.case_answer(case=accepted, actor=handler, text=notice_text(permit))
    # 4. From an entry but reopened and answered again: not at first contact.
    reopened = assigned()
    login(handler).post(f"/knowledge/cases/{reopened.pk}/use/{permit.pk}/")
    reopened = case_services.case_answer(case=reopened, actor=handler, text=notice_text(permit))
    reopened = case_services.case_reopen(case=reopened, actor=supervisor, reason="材料不全")
    case_services.case_answer(case=reopened, actor=handler, text="补充答复。")

    assert _first_contact(units["urban"]) == rates.Figure(1, 4)


def test_the_rates_table_shows_the_first_contact_figure(supervisor, units):
    body = login(supervisor).get("/evaluation/").content.decode()
    assert "Answered at first contact from the knowledge base" in body


def test_api_search_edit_and_use(api_as, citizen, clerk, handler, leader, permit, housing_case):
    public = ApiClient().get("/api/v1/knowledge/entries", q="居住证")
    assert public.status_code == 200 and public.json()["items"][0]["id"] == permit.pk

    bad = api_as(clerk).post("/api/v1/knowledge/entries", {"title": "无关联条目", "summary": "……"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"].startswith("category: Link the entry")
    assert Entry.objects.count() == 1
    assert (
        api_as(handler)
        .post("/api/v1/knowledge/entries", {"title": "x", "summary": "y", "category": "noise"})
        .status_code
        == 403
    )
    created = api_as(clerk).post(
        "/api/v1/knowledge/entries",
        {
            "title": "社保卡补办",
            "summary": "携带身份证到窗口补办。",
            "service_item": "social-security-card-replacement",
        },
    )
    assert created.status_code == 201 and created.json()["materials"][0] == "居民身份证"

    entries = api_as(handler).get(f"/api/v1/knowledge/cases/{housing_case.pk}/entries")
    assert entries.status_code == 200
    assert entries.json()[0]["text"].startswith("居住证可在户籍窗口")
    assert (
        api_as(leader).get(f"/api/v1/knowledge/cases/{housing_case.pk}/entries").status_code == 403
    )
    used = api_as(handler).post(
        f"/api/v1/knowledge/cases/{housing_case.pk}/uses", {"entry_id": permit.pk}
    )
    assert used.status_code == 201 and EntryUse.objects.count() == 1
