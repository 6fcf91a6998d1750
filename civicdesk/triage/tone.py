"""Is a written opinion praise, a concern, or neither? (questionnaire answers and the like)

A questionnaire's free-text answer may thank a window (企业开办一网通办很方便，点赞), ask for
something (希望加快兑现技改补贴), complain (材料要求不一致，多跑了一趟) or say nothing (无).
Only concerns need a case; praise is counted, not handled, and an answer the cues cannot
place goes to staff to decide.

The reading uses the cues Chinese government feedback is written in, as 12345 and 好差评
staff read it, in a fixed order so that one cue never counts twice:

1. Nothing said: 无, 暂无, 没有意见 … → ``NOTHING``.
2. Encouragement reads as praise, not as a request: 希望继续保持, 建议继续推广, 再接再厉.
3. "No problem" is not a problem (没有问题, 无其他意见), and a problem solved is thanks
   (帮我们解决了申报难题).
4. Praise words that contain a negation are praise: 不错, 不用跑, 不再排队.
5. Negated praise is a concern: 不满意, 不太方便, 不够及时, 没有落实, 未到账.
6. Requests, complaints and shortcomings are concerns: 希望, 建议, 投诉, 反映, 为什么, 问题,
   至今, 迟迟, 多跑了一趟, 太慢, 门槛高, 不一致 …
7. Praise: 点赞, 满意, 感谢, 很方便, 高效, 热情, 耐心 … (thanks that only close the message
   or greet the reader, 谢谢！ or 感谢您百忙之中, are courtesy and count for nothing).

Any concern makes the answer a ``CONCERN`` (a mixed answer holds a concern, and a case is
where it is handled); praise without a concern is ``PRAISE`` when the text is short (up to
PRAISE_MAX_CHARS); a longer text without a concern cue, or a text with no cue either way, is
``UNSURE``. Courtesy such as 谢谢 after a request does not change that: the request counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from civicdesk.triage.normalize import normalize


class Tone(StrEnum):
    PRAISE = "praise"
    CONCERN = "concern"
    UNSURE = "unsure"
    NOTHING = "nothing"


@dataclass(frozen=True)
class ToneReading:
    tone: Tone
    # The cues that decided it, as found in the (normalised) text, for staff to see why.
    concern_cues: tuple[str, ...] = ()
    praise_cues: tuple[str, ...] = ()


# Praise is short: a long text without a concern cue is more likely a complaint told as a
# story than a thank-you, so staff read it (UNSURE) rather than letting it pass unhandled.
PRAISE_MAX_CHARS = 150

# Degree words between a negation and what it negates: 不太满意, 不够及时, 没那么方便.
_DEGREE = r"(?:太|够|很|怎么|是很|是太|那么|大|甚|十分|算|够得上)?"

_NOTHING = re.compile(
    r"(?:无|暂无|没有|没|否|不|nothing|none|n/?a|no|nil|null)"
    r"(?:其他|其它|别的|什么|更多|任何)?"
    r"(?:意见|建议|意见建议|意见和建议|问题|补充|要求|诉求|想法)?(?:了|的)?"
)
_PUNCTUATION = re.compile(r"[\s\W_]+")

_ENCOURAGEMENT = re.compile(
    r"(?:希望|建议|期待|期望|祝愿?|愿|请)[^，。；！？,.;!?]{0,6}"
    r"(?:继续保持|保持下去|继续发扬|再接再厉|越办越好|越来越好|一如既往|继续推广|推广开来|坚持下去|更上一层楼)"
)
_NO_PROBLEM = re.compile(
    r"(?:没有|没|无|不存在)(?:什么|其他|其它|别的|任何|太大|大的)?(?:问题|意见|建议|困难|要求)"
)
# A problem someone solved is thanks, not a complaint: 帮我们解决了申报难题, 问题得到了解决.
_SOLVED = re.compile(
    r"(?:解决|化解|破解|协调解决|处理)了[^，。；！？,.;!?]{0,10}(?:问题|难题|困难|难事|烦心事)|"
    r"(?:问题|难题|困难)(?:都|也|很快|及时|顺利)?(?:得到|得以|已经?|被)(?:了)?(?:解决|处理|妥善处理)"
)
# Thanks that close a message or greet the reader are courtesy, not praise of the service:
# 请尽快处理，谢谢！ / 感谢您百忙之中阅读.
_COURTESY = re.compile(
    r"(?:谢谢|感谢|多谢)(?:您|你|你们|领导)?(?:在?百忙之中|百忙中|抽空|阅读|关注|看|回复|审阅)[^。！!]*|"
    r"(?:谢谢|感谢|多谢|致谢)(?:您|你|你们|领导|了)?[!！。.~～\s]*$"
)
_NEGATED_PRAISE_WORDS = re.compile(
    r"不错|不用(?:来回)?跑|不用排队|不再(?:来回)?跑|不再排队|不需要(?:来回)?跑|不需要排队|"
    r"不用(?:提交|重复提交)|无需(?:跑|排队|提交)|零跑腿|不见面审批"
)
_NEGATED_PRAISE = re.compile(
    r"(?:不|没有?|未|并不|并没有?)" + _DEGREE + r"(?:令人)?"
    r"(?:满意|方便|便捷|及时|规范|到位|合理|清楚|清晰|明确|透明|公平|公正|公开|一致|畅通|完善|"
    r"专业|耐心|热情|主动|周到|友好|高效|顺利|简便|人性化|落实|兑现|到账|解决|回复|答复|处理|"
    r"办结|作为|理睬|理会|管|受理|反馈|通知|告知|下文|结果|落地)"
)
_CONCERN = re.compile(
    r"希望|建议|期望|期盼|盼望|恳请|请求|恳求|呼吁|要求|投诉|举报|反映|诉求|"
    r"请(?!问)|(?<![希期盼渴失绝声观展仰张])望|务必|求你|跪求|求助|求救|"
    r"能否|能不能|可否|可不可以|是否可以|是否能|为什么|为何|凭什么|怎么还|何时|什么时候才|"
    r"问题|困难|难题|隐患|漏洞|短板|堵点|痛点|难点|"
    r"至今|迟迟|一直(?:没|不|未|无)|仍然|仍需|仍要|还要再|还得|"
    r"(?:多|白)跑了?|跑了?(?:好几|几|两|三|多)(?:趟|次)|来回跑|反复跑|"
    r"(?:太|过于|偏|有点|有些)(?:多|少)|"
    r"(?:太|过于|比较|较|很|有点|有些|偏|非常|特别)(?:慢|难|贵|久|长|繁琐|麻烦|复杂|差|乱)|"
    r"(?:更|越来越|越发)(?:难|贵|差|慢|乱|少)|贵得|难以|"
    r"不知道|不了解|不能|无法|不给|不予|拒绝|不让|不准|不允许|"
    r"请问|咨询|怎么办|如何|是否|有无|有没有|多少|哪里|去哪|怎样|怎么(?!样)|难道|凭啥|吗|呢|[？?]|"
    r"太低|太高|过高|过低|偏高|偏低|但(?!愿)|可是|然而|不过(?!来)|"
    r"停电|停水|断电|偷工减料|伪造|造假|滥用|无动于衷|不作为|乱作为|推脱|推托|不管不问|"
    r"不闻不问|置之不理|侵犯|侵占|损害|危害|严重影响|影响了|影响到|影响正常|偷排|恶臭|刺鼻|"
    r"骗|诈骗|非法|违法|违规|违章|无证|传销|歧视|不合理|不公|强制|强迫|克扣|欠薪|"
    r"门槛高|费用高|收费高|成本高|利息高|(?<!不)(?<!没)(?:繁琐|拖延|拖欠|拖拉|推诿|扯皮|刁难|敷衍|卡壳)|"
    r"乱收费|乱罚款|乱检查|乱摊派|重复检查|多头检查|"
    r"缺少|缺乏|短缺|不足|欠缺|跟不上|"
    r"拖着|没人管|无人管|没人理|无人理|石沉大海|"
    r"不一致|不统一|不对应|对不上|说法不一|"
    r"(?<!不)(?<!没)(?:太慢|很慢|慢了|变慢|堵车|拥堵|积水|漏水|噪音|扰民|污染|脏乱|破损|损坏|故障|坏了)|"
    r"不亮|不通|不畅|失灵|不出水|用不了|不能用|没法用|断了|塌了|裂了|发臭"
)
_PRAISE = re.compile(
    r"点赞|点个赞|赞一个|好评|满意|感谢|谢谢|多谢|致谢|表扬|称赞|肯定|给力|辛苦了|"
    r"高效|快捷|便捷|方便|省心|省时|省事(?!业)|贴心|暖心|热情|耐心|细心|周到|优质|满分|"
    r"很好|非常好|挺好|真好|好样的|效率高|速度快|很快|及时|顺利|一次办成|一次办好|"
    r"少跑腿|跑一次|一网通办|立等可取|当场办结|即办|秒批|不错"
)


def read_tone(text: str) -> ToneReading:
    """Praise, concern, unsure or nothing, with the cues that decided it."""
    t = normalize(text or "")
    if not _PUNCTUATION.sub("", t) or _NOTHING.fullmatch(_PUNCTUATION.sub("", t)):
        return ToneReading(Tone.NOTHING)
    praise: list[str] = []
    concern: list[str] = []

    def take(pattern: re.Pattern[str], into: list[str] | None, source: str) -> str:
        # Found cues are blanked out, so that 希望继续保持 is not also read as 希望.
        def blank(match: re.Match[str]) -> str:
            if into is not None:
                into.append(match.group())
            return "□" * len(match.group())

        return pattern.sub(blank, source)

    t = take(_ENCOURAGEMENT, praise, t)
    t = take(_NO_PROBLEM, None, t)
    t = take(_SOLVED, praise, t)
    t = take(_COURTESY, None, t)
    t = take(_NEGATED_PRAISE_WORDS, praise, t)
    t = take(_NEGATED_PRAISE, concern, t)
    t = take(_CONCERN, concern, t)
    t = take(_PRAISE, praise, t)
    if concern:
        tone = Tone.CONCERN
    elif praise and len(t) <= PRAISE_MAX_CHARS:
        tone = Tone.PRAISE
    elif not _PUNCTUATION.sub("", t.replace("□", "")):
        # Only "no problem / no opinion" was said.
        tone = Tone.NOTHING
    else:
        tone = Tone.UNSURE
    return ToneReading(tone, tuple(concern), tuple(praise))
