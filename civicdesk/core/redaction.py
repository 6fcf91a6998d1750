"""Removing personal data from text shown on public pages.

Case descriptions are published so that neighbours can see what was reported and fixed, but
reporters routinely type their phone number, ID card number, licence plate, flat number or name
into the description. ``redact`` replaces those with a marker and keeps the rest of the sentence.
A ``Redactor`` is the same with its known names compiled once, for the several texts of one case;
``names_in`` lists the names the redactor recognises in a text, so that a name found in one text
of a case can be hidden in the others, where nothing announces it.

It is a safety net, not a guarantee: it errs on the side of hiding a little too much around
names, and staff still review public text. Detection runs on a copy where full-width digits
and letters are folded to ASCII (same length), so full-width ``138…`` is caught too.
The function is idempotent: its output contains nothing it would redact again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

__all__ = ["MARKER", "Redactor", "names_in", "redact"]

MARKER = "\uff0a" * 3  # full-width asterisks, which read well in Chinese text

# ---------------------------------------------------------------------------------------
# Character data
# ---------------------------------------------------------------------------------------

# About 200 common single-character surnames, Simplified then the Traditional forms that
# differ. Prepositions that double as surnames in Traditional (於) are left out on purpose.
_SURNAMES_SIMPLIFIED = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申耿焦"
    "俞柳祝包舒阮柯纪梅童凌毕裴霍涂苗盛翁冉骆蓝辛靳柴鲍喻祁蒲房滕饶艾尤穆卓缪褚窦戚岑晏瞿"
    "佟臧闵邬卞姬栾隋刁寇桑甄敖巩佘邝鞠荆郁胥楚鄢奚冼蔺禹狄芮邸雍裘邰赫嵇湛"
)
_SURNAMES_TRADITIONAL = (
    "張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒閆閻龍賀顧龔萬錢嚴湯溫齊喬龐顏莊"
    "聶魯紀畢駱藍鮑饒繆竇閔鄔欒鞏鄺荊藺"
)
_SURNAMES = _SURNAMES_SIMPLIFIED + _SURNAMES_TRADITIONAL
_COMPOUND_SURNAMES = [
    "欧阳",
    "歐陽",
    "司马",
    "司馬",
    "上官",
    "诸葛",
    "諸葛",
    "东方",
    "東方",
    "皇甫",
    "令狐",
    "慕容",
    "尉迟",
    "尉遲",
    "长孙",
    "長孫",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
    "公孙",
    "公孫",
    "西门",
    "西門",
    "南宫",
    "南宮",
    "独孤",
    "獨孤",
    "轩辕",
    "軒轅",
    "钟离",
    "鍾離",
]
# Simplified <-> Traditional pairs of surname characters, so that a name given in one script
# is also found in the other.
_SURNAME_VARIANTS: dict[str, str] = {}
for _s, _t in zip(
    "张刘陈杨黄赵吴孙马罗郑谢许韩冯邓蒋叶苏吕卢钟谭陆贾韦邹闫龙贺顾龚万钱严汤温齐乔庞颜庄"
    "聂鲁纪毕骆蓝鲍饶缪窦闵邬栾巩邝荆蔺",
    "張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒閆龍賀顧龔萬錢嚴湯溫齊喬龐顏莊"
    "聶魯紀畢駱藍鮑饒繆竇閔鄔欒鞏鄺荊藺",
    strict=True,
):
    _SURNAME_VARIANTS[_s] = _t
    _SURNAME_VARIANTS[_t] = _s

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = f"[{_CJK}]"
_SURNAME_RE = "(?:" + "|".join(_COMPOUND_SURNAMES) + f"|[{_SURNAMES}])"
_HONORIFICS = "先生|女士|小姐|师傅|師傅|阿姨|老师|老師|大爷|大爺|大妈|大媽|同学|同學"
# Characters that usually start the word after a name, not the last character of a name:
# "联系人王明电话…" should hide 王明, not 王明电.
_AFTER_NAME = set("电電手先女小师師阿住家在的说說反投举舉和与與是来來要想去也都就已")

# Surnames that are also prepositions, often written right before a name.
_PREPOSITION_SURNAMES = set("于向")

_PROVINCES = (
    "京津沪滬渝冀豫云雲辽遼黑湘皖鲁魯新苏蘇浙赣贛鄂桂甘晋晉蒙陕陝吉闽閩贵貴粤粵青藏川宁寧琼瓊"
)

# Full-width digits, letters and a few symbols -> ASCII, one character for one character,
# so that match positions in the folded copy are valid in the original text.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "\uff0b": "+",
        "\uff0d": "-",
        "\uff08": "(",
        "\uff09": ")",
        "\uff20": "@",
        "\uff0e": ".",
        "\uff03": "#",
        "\u3000": " ",
        "\u00a0": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)

# ---------------------------------------------------------------------------------------
# Patterns (applied to the folded text; only ASCII digits, so no Arabic-Indic surprises)
# ---------------------------------------------------------------------------------------

_DATE_MMDD = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_CARD = re.compile(
    # 18-digit ID: region(6) birth date(8) sequence(3) check(digit or X); optional spaces
    r"(?<![0-9])[1-9][0-9]{5}[ -]?(?:18|19|20)[0-9]{2}" + _DATE_MMDD + r"[ -]?[0-9]{3}[0-9Xx]"
    r"(?![0-9])"
    # 15-digit ID (before 1999): region(6) yymmdd(6) sequence(3)
    r"|(?<![0-9])[1-9][0-9]{5}[0-9]{2}" + _DATE_MMDD + r"[0-9]{3}(?![0-9])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_MOBILE_CN = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)86[ -]?|\(\+?86\)[ -]?|86[ -])?"
    r"1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
)
_MOBILE_TW = re.compile(r"(?<![0-9])09[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}(?![0-9])")
_LANDLINE_CN = re.compile(
    r"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[1-9][0-9]{1,2})[ -]?[1-9][0-9]{6,7}"
    r"(?:(?:-|转|轉|ext\.?|#)[0-9]{1,6})?(?![0-9])"
)
_PHONE_INTL = re.compile(
    r"(?<![0-9A-Za-z])\+[1-9][0-9]{0,2}(?:[ .-]?\(?[0-9]{1,5}\)?){2,5}(?![0-9])"
)
_PHONE_NANP = re.compile(
    r"(?<![0-9])(?!\(?[48]00\b)\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-][0-9]{4}(?![0-9])"
)
# Numbers introduced by a "phone" cue, e.g. 电话 87654321 (local numbers without area code).
_PHONE_CUE = re.compile(
    r"(?:电话|電話|座机|座機|固话|固話|手机|手機|联系方式|聯繫方式|聯絡方式|tel|phone|mobile)"
    r"(?:号码|號碼|号|號)?[ :\uff1a]*(?P<number>[0-9][0-9 -]{5,16}[0-9])(?![0-9])",
    re.IGNORECASE,
)
_PLATE = re.compile(
    rf"[{_PROVINCES}][A-Za-z][\u00b7\u30fb\u2022 ]?"
    r"(?:"
    # Written as on the plate: capitals (no I or O) and at least one digit, e.g. 浙A4PBMH.
    r"(?=[A-HJ-NP-Z]*[0-9])[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])"
    # Any case needs three digits, so that words like 新Model3 stay.
    r"|(?=(?:[A-Za-z]*[0-9]){3})(?:[A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[挂学警港澳掛學])(?![A-Za-z0-9])"
    r")"
)
# A flat: unit and/or room number, optionally after its building, e.g. 3栋2单元501室, 3单元502室,
# 5号楼1203, 1203室. The building alone (3号楼) names no household and stays, as does a house
# number on a street (12号); only the unit and room are hidden, so 3栋502 reads 3栋＊＊＊. 第三单元
# (a lesson) is no flat; lone rooms need three digits so that 3室1厅 (a flat's layout) stays.
_NUMBER = r"(?:[0-9]{1,5}|[零〇一二三四五六七八九十两兩]{1,4})"
_BUILDING = rf"(?:{_NUMBER}(?:号楼|號樓|号樓|號楼|栋|棟|幢)|[A-Za-z0-9]{{1,3}}座)"
_UNIT = rf"{_NUMBER}(?:单元|單元)"
_ROOM_SUFFIX = r"(?:室|房间|房間|房|户|戶)"
# A bare number after a building is its room unless a measure or date follows (3号楼300米外).
_BARE_ROOM = r"(?:[0-9]{1,2}-)?[0-9]{3,5}(?![0-9.米元年月日天个個次平㎡%％])"
_DWELLING = re.compile(
    # The lookahead only makes the scan fast: every alternative starts with one of these.
    r"(?=[0-9A-Za-z零〇一二三四五六七八九十两兩])"
    rf"(?<![0-9A-Za-z第])(?:"
    # A unit, with its building before and its room after when they are there.
    rf"(?:{_BUILDING} ?)?(?P<unit>{_UNIT}(?: ?[0-9]{{1,5}}(?:{_ROOM_SUFFIX}|号|號)?(?![0-9]))?)"
    # A building's room: 3栋502, 3号楼502室, 3栋1-502, 3栋12室.
    rf"|{_BUILDING} ?(?P<room>[0-9]{{1,5}}{_ROOM_SUFFIX}|{_BARE_ROOM}(?:{_ROOM_SUFFIX}|号|號)?)"
    # A room on its own: 502室, 3-2-502室.
    rf"|(?P<lone_room>(?:[0-9]{{1,3}}-){{0,2}}[0-9]{{3,5}}{_ROOM_SUFFIX})"
    r")"
)


def _dwelling_spans(text: str) -> Iterator[Span]:
    for match in _DWELLING.finditer(text):
        group = next(name for name in ("unit", "room", "lone_room") if match.group(name))
        yield match.span(group)


# Names introduced by a cue. 我叫/本人 are common in ordinary sentences, so the name must
# start with a known surname there; after 姓名:/联系人 anything of 2-3 Han characters goes.
_NAME_CUE_ANY = re.compile(
    rf"(?:姓名|联系人|联络人|聯繫人|聯絡人|聯系人)[ :\uff1a]*(?P<name>{_HAN}{{2,3}})"
)
_NAME_CUE_SURNAME = re.compile(
    rf"(?:我叫|我是|本人|我的名字是|我姓名是)(?P<name>{_SURNAME_RE}{_HAN}{{1,2}})"
)
# Surname (optionally with given name) directly before an honorific: 王先生, 王小明女士.
_NAME_HONORIFIC = re.compile(rf"(?P<name>{_SURNAME_RE}{_HAN}{{0,2}}?)(?={_HONORIFICS})")

Span = tuple[int, int]


def _spans(pattern: re.Pattern[str], text: str, group: str | int = 0) -> Iterator[Span]:
    for match in pattern.finditer(text):
        yield match.span(group)


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _phone_spans(text: str) -> Iterator[Span]:
    yield from _spans(_MOBILE_CN, text)
    yield from _spans(_MOBILE_TW, text)
    yield from _spans(_LANDLINE_CN, text)
    for match in _PHONE_INTL.finditer(text):
        if 8 <= _digits(match.group()) <= 15:
            yield match.span()
    yield from _spans(_PHONE_NANP, text)
    for match in _PHONE_CUE.finditer(text):
        number = match.group("number")
        compact = number.replace(" ", "").replace("-", "")
        if 7 <= len(compact) <= 15 and not compact.startswith(("400", "800")):
            yield match.span("number")


def _trim_name(start: int, name: str) -> Span:
    """Drop a trailing character that is more likely the next word than part of the name."""
    if len(name) == 3 and name[-1] in _AFTER_NAME:
        return start, start + 2
    return start, start + len(name)


def _cue_name_spans(text: str) -> Iterator[Span]:
    for pattern in (_NAME_CUE_ANY, _NAME_CUE_SURNAME):
        for match in pattern.finditer(text):
            yield _trim_name(match.start("name"), match.group("name"))
    for match in _NAME_HONORIFIC.finditer(text):
        start, name = match.start("name"), match.group("name")
        # "向王先生" / "对于李先生": the preposition is not part of the name.
        if len(name) == 2 and name[0] in _PREPOSITION_SURNAMES and name[1] in _SURNAMES:
            start += 1
        yield start, match.end("name")


def names_in(texts: Iterable[str]) -> list[str]:
    """The names the redactor recognises in ``texts`` (after a cue such as 我叫 or 联系人, or
    before 先生/女士…), each once, in the order found.

    Only names that start with a known surname are returned: after 姓名/联系人 the redactor
    also hides words that are no name ("联系人表示…"), and those should not be hidden all over
    other texts. A lone surname (王先生) is left out too: the honorific finds it anywhere.
    """
    found: dict[str, None] = {}
    surname_start = re.compile(_SURNAME_RE)
    for text in texts:
        folded = (text or "").translate(_FOLD)
        for start, end in _cue_name_spans(folded):
            name = folded[start:end]
            surname = surname_start.match(name)
            if surname and len(name) > surname.end() and MARKER[0] not in name:
                found[name] = None
    return list(found)


def _known_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the given names, their other-script surname and 'surname + 先生'."""
    alternatives: set[str] = set()
    for raw in names:
        name = raw.strip().translate(_FOLD)
        if len(name) < 2:
            continue
        if re.fullmatch(_HAN + "+", name):
            variants = {name}
            if name[0] in _SURNAME_VARIANTS:
                variants.add(_SURNAME_VARIANTS[name[0]] + name[1:])
            for variant in variants:
                alternatives.add(re.escape(variant))
                surname = variant[:2] if variant[:2] in _COMPOUND_SURNAMES else variant[0]
                alternatives.add(f"{re.escape(surname)}(?=(?:{_HONORIFICS}))")
        elif sum(ch.isdigit() for ch in name) >= 5 and re.fullmatch(r"[\d\s\-+()]+", name):
            # A known phone number: its digits with any spacing or dashes between them.
            digits = [d for d in name if d.isdigit()]
            alternatives.add(r"(?<!\d)" + r"[\s\-]*".join(digits) + r"(?!\d)")
        else:
            # Latin names: whole words only ("Li" must not hide "Linux"); any spacing.
            # Only they need case-folding: IGNORECASE on the whole pattern makes compiling it
            # (once per case) several times slower for the Han names and phones.
            words = [re.escape(w) for w in name.split()]
            alternatives.add(r"(?<![A-Za-z])(?i:" + r"\s+".join(words) + r")(?![A-Za-z])")
    if not alternatives:
        return None
    # Longest first, so "王小明" wins over "王(?=先生)"-style shorter alternatives.
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile("|".join(ordered))


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sort and merge overlapping or touching spans (one marker per run of personal data)."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _find(text: str, name_pattern: re.Pattern[str] | None) -> list[Span]:
    folded = text.translate(_FOLD)
    finders: list[Callable[[str], Iterator[Span]]] = [
        lambda t: _spans(_ID_CARD, t),  # ID numbers before phones: merged spans keep them whole
        lambda t: _spans(_EMAIL, t),
        _phone_spans,
        lambda t: _spans(_PLATE, t),
        _dwelling_spans,
        _cue_name_spans,
    ]
    spans: list[Span] = [span for finder in finders for span in finder(folded)]
    if name_pattern is not None:
        spans.extend(_spans(name_pattern, folded))
    # Never count the marker itself as something to hide (keeps redact idempotent).
    return [s for s in _merge(spans) if text[s[0] : s[1]].strip(MARKER[0] + " ")]


class Redactor:
    """``redact`` with a fixed set of known names, compiled once for many texts."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._name_pattern = _known_name_pattern(names)

    def __call__(self, text: str) -> str:
        # Replacing can join text into something new to hide (rare); repeat until stable. Each
        # round turns at least one non-marker character into the marker, so this terminates.
        while True:
            spans = _find(text, self._name_pattern)
            if not spans:
                return text
            parts: list[str] = []
            position = 0
            for start, end in spans:
                parts.append(text[position:start])
                parts.append(MARKER)
                position = end
            parts.append(text[position:])
            text = "".join(parts)


_MASKED_BEFORE_HONORIFIC = re.compile(re.escape(MARKER) + f"(?=(?:{_HONORIFICS}))")


def address_politely(text: str) -> str:
    """A redacted text addressed to the reporter: "＊＊＊先生，您好" reads "先生，您好". What was
    hidden stays hidden; only the mask in front of an honorific goes, which in a greeting to
    the person reading it says nothing (the status page, read by the reporter)."""
    return _MASKED_BEFORE_HONORIFIC.sub("", text)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with ID numbers, phones, e-mails, plates, flats and names replaced by ``MARKER``.

    ``names`` are names known to belong to the case (reporter, contacts); each one of two
    or more characters is hidden wherever it occurs, plus its "surname + 先生/女士" form.
    """
    return Redactor(names)(text)
