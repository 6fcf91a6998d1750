"""Translations are complete, compiled, and chosen from the browser or the switcher."""

import gettext
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
sys.path.insert(0, str(LOCALE.parents[1] / "scripts"))
from po import read_po  # noqa: E402


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_every_message_is_translated_and_compiled(language):
    folder = LOCALE / language / "LC_MESSAGES"
    entries = [e for e in read_po(str(folder / "django.po")) if e.msgid]
    untranslated = [e.msgid for e in entries if e.fuzzy or not all(e.msgstr)]
    assert untranslated == []
    with open(folder / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(entry) -> str:
        if entry.msgctxt is None:
            return compiled.gettext(entry.msgid)
        return compiled.pgettext(entry.msgctxt, entry.msgid)

    stale = [e.msgid for e in entries if e.msgid_plural is None and compiled_text(e) != e.msgstr[0]]
    assert stale == [], "run: python scripts/translate.py"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected", "lang"),
    [
        ("zh-TW,zh;q=0.9", "隨手拍", "zh-hant"),
        ("zh-HK", "隨手拍", "zh-hant"),
        ("zh-CN,zh;q=0.9", "随手拍", "zh-hans"),
        ("en-GB,en;q=0.8", "Snap and report", "en"),
    ],
)
def test_language_follows_the_browser(client, accept, expected, lang):
    response = client.get("/report/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_switcher_overrides_the_browser(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/report/"})
    assert response.status_code == 302 and response["Location"] == "/report/"
    page = client.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "提交反映" in page and "Send report" not in page


@pytest.mark.django_db
def test_data_names_follow_the_script(client, make_case, units):
    """Units and categories are stored once, in Simplified, and shown in the reader's script."""
    from civicdesk.accounts.models import Role, User
    from civicdesk.cases import services

    boss = User.objects.create_user(username="s", role=Role.SUPERVISOR, unit=units["district"])
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=boss)
    units["urban"].name = "住房和城乡建设局"
    units["urban"].save()
    page = client.get(
        f"/track/{case.tracking_code}/", HTTP_ACCEPT_LANGUAGE="zh-TW"
    ).content.decode()
    assert "住房和城鄉建設局" in page
