"""Does a text accuse officials of misconduct, or of colluding with black intermediaries?

Such an allegation must not become an ordinary case, which could be assigned to the very unit
it accuses: it belongs in the confidential ledgers (inaction and misconduct for supervisors,
black intermediaries for discipline inspectors). Where the person chose a category, the
category says so; this reading is for what arrives without one (questionnaire answers,
imported messages), so it only takes explicit words for the wrongdoing itself, as 12345
centres and discipline inspection offices name it, never a vague complaint: 物业不作为 or
"the office is slow" stay ordinary cases, 窗口工作人员吃拿卡要 or 不找中介就办不成 do not.
"""

from __future__ import annotations

import re
from enum import StrEnum

from civicdesk.triage.normalize import normalize

_CLAUSE = r"[^，。；！？,.;!?\n]"


class Allegation(StrEnum):
    MISCONDUCT = "misconduct"
    INTERMEDIARY = "intermediary"


_INTERMEDIARY = re.compile(
    r"黑中介|"
    rf"(?:工作人员|窗口|干部|公务员|科长|所长|局长|经办人){_CLAUSE}{{0,12}}"
    rf"(?:介绍|推荐|指定|指使|串通|勾结|联系|找){_CLAUSE}{{0,8}}中介|"
    rf"中介{_CLAUSE}{{0,10}}(?:勾结|串通|内外勾结|里应外合|内部有人)|"
    rf"(?:不找|不通过|不经过)中介{_CLAUSE}{{0,10}}(?:办不|不给办|不予办理|批不|卡着)"
)
_MISCONDUCT = re.compile(
    r"不作为[、,，]?乱作为|乱作为|吃拿卡要|索贿|受贿|行贿|"
    rf"(?:收受|收取|索要|索取|私收|收了|要了){_CLAUSE}{{0,8}}"
    r"(?:红包|好处费?|礼金|贿赂|购物卡|回扣|财物|钱财|烟酒)|"
    r"以权谋私|滥用职权|徇私舞弊|徇私枉法|权钱交易|贪污|挪用公款|挪用专项|吃空饷|"
    rf"充当{_CLAUSE}{{0,6}}保护伞|门难进[、,，]?脸难看[、,，]?事难办"
)


def read_allegation(text: str) -> tuple[Allegation | None, str]:
    """The ledger an allegation in ``text`` belongs to (None: none), and the words found.
    Collusion with intermediaries wins over other misconduct: it has its own audience."""
    t = normalize(text or "")
    for kind, pattern in (
        (Allegation.INTERMEDIARY, _INTERMEDIARY),
        (Allegation.MISCONDUCT, _MISCONDUCT),
    ):
        found = pattern.search(t)
        if found:
            return kind, found.group()
    return None, ""
