"""Keep the translations in step: zh-Hans is translated by people, zh-Hant derived from it.

    python scripts/translate.py          # derive zh_Hant, report what zh_Hans lacks, compile

zh-Hant text is the zh-Hans text converted by OpenCC (s2t), then the phrase table below
swaps mainland wording for the usual Traditional-script wording.
"""

import subprocess
import sys
from pathlib import Path

import opencc

sys.path.insert(0, str(Path(__file__).parent))
from po import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "civicdesk" / "locale"
HANT_PHRASES = {
    "退出登錄": "登出",
    "登錄": "登入",
    "網絡": "網路",
    "信息": "資訊",
    "默認": "預設",
    "視頻": "影片",
    # OpenCC's s2t picks the classical 覈 in 核查/核驗; 核 is what readers write today.
    "覈": "核",
}


S2T = opencc.OpenCC("s2t")


def to_hant(text: str) -> str:
    text = S2T.convert(text)
    for mainland, usual in HANT_PHRASES.items():
        text = text.replace(mainland, usual)
    return text


def main() -> int:
    hans_path = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    hant_path = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
    hans = read_po(str(hans_path))
    source = {(e.msgctxt, e.msgid): e for e in hans if e.msgid}
    missing = [e.msgid for e in source.values() if not all(e.msgstr) or e.fuzzy]
    hant = read_po(str(hant_path))
    for entry in hant:
        if not entry.msgid:
            continue
        origin = source.get((entry.msgctxt, entry.msgid))
        if origin and all(origin.msgstr) and not origin.fuzzy:
            entry.msgstr = [to_hant(text) for text in origin.msgstr]
            entry.unfuzz()
    write_po(str(hant_path), hant)
    subprocess.run(
        [sys.executable, "-m", "civicdesk", "compilemessages", "--ignore=.venv"],
        check=True,
        cwd=LOCALE.parent,
        env={"CIVICDESK_DEBUG": "1", **__import__("os").environ},
    )
    for msgid in missing:
        print(f"zh_Hans lacks a translation: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
