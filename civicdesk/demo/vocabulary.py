"""Words and sentence parts for the demo district "示范区", all invented for civicdesk.

Kept apart from the generator so the data can be read (and extended) without the mechanics.
Every place, person and enterprise here is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

from civicdesk.accounts.models import Role, UnitKind

DISTRICT_NAME = "示范区"
DEMO_PASSWORD = "civicdesk-demo"  # noqa: S105 - a published demo password, on purpose

# (code, name, kind, parent code); parents come first so each one exists before its children.
UNITS: list[tuple[str, str, str, str | None]] = [
    ("district", DISTRICT_NAME, UnitKind.DISTRICT, None),
    ("urban", "城市管理局", UnitKind.DEPARTMENT, "district"),
    ("market", "市场监管局", UnitKind.DEPARTMENT, "district"),
    ("housing", "住房和城乡建设局", UnitKind.DEPARTMENT, "district"),
    ("approval", "行政审批局", UnitKind.DEPARTMENT, "district"),
    ("hrss", "人力资源和社会保障局", UnitKind.DEPARTMENT, "district"),
    ("education", "教育局", UnitKind.DEPARTMENT, "district"),
    ("health", "卫生健康局", UnitKind.DEPARTMENT, "district"),
    ("ecology", "生态环境分局", UnitKind.DEPARTMENT, "district"),
    ("service-center", "政务服务中心综合窗口", UnitKind.WINDOW, "approval"),
    ("east-street", "东街道", UnitKind.STREET, "district"),
    ("east-dongyuan", "东苑社区", UnitKind.COMMUNITY, "east-street"),
    ("east-chaoyang", "朝阳社区", UnitKind.COMMUNITY, "east-street"),
    ("west-street", "西街道", UnitKind.STREET, "district"),
    ("west-xihu", "西湖社区", UnitKind.COMMUNITY, "west-street"),
    ("west-jinxiu", "锦绣社区", UnitKind.COMMUNITY, "west-street"),
    ("south-street", "南街道", UnitKind.STREET, "district"),
    ("south-nanyuan", "南苑社区", UnitKind.COMMUNITY, "south-street"),
    ("south-xingfu", "幸福社区", UnitKind.COMMUNITY, "south-street"),
    ("power", "供电公司", UnitKind.UTILITY, "district"),
    ("gas", "燃气公司", UnitKind.UTILITY, "district"),
    ("water", "自来水公司", UnitKind.UTILITY, "district"),
    ("enterprise-desk", "企业服务中心", UnitKind.ENTERPRISE_DESK, "district"),
]

# (username, display name, role, unit code). Handlers are named after their unit so that a
# visitor trying the demo can guess whose inbox they are looking at.
STAFF: list[tuple[str, str, str, str]] = [
    ("admin", "系统管理员", Role.ADMIN, "district"),
    ("clerk", "陈静", Role.CLERK, "district"),
    ("clerk-window", "周敏", Role.CLERK, "service-center"),
    ("supervisor", "刘洋", Role.SUPERVISOR, "district"),
    ("supervisor-2", "孙悦", Role.SUPERVISOR, "district"),
    ("leader", "王建国", Role.LEADER, "district"),
    ("leader-2", "赵立新", Role.LEADER, "district"),
    ("discipline", "纪明", Role.DISCIPLINE, "district"),
    ("handler-urban", "李强", Role.HANDLER, "urban"),
    ("handler-urban-2", "黄磊", Role.HANDLER, "urban"),
    ("handler-market", "吴倩", Role.HANDLER, "market"),
    ("handler-housing", "郑凯", Role.HANDLER, "housing"),
    ("handler-approval", "何琳", Role.HANDLER, "approval"),
    ("handler-window", "马丽", Role.HANDLER, "service-center"),
    ("handler-hrss", "罗斌", Role.HANDLER, "hrss"),
    ("handler-education", "高原", Role.HANDLER, "education"),
    ("handler-health", "林芳", Role.HANDLER, "health"),
    ("handler-ecology", "梁晨", Role.HANDLER, "ecology"),
    ("handler-east", "宋涛", Role.HANDLER, "east-street"),
    ("handler-dongyuan", "唐慧", Role.HANDLER, "east-dongyuan"),
    ("handler-chaoyang", "韩冰", Role.HANDLER, "east-chaoyang"),
    ("handler-west", "冯刚", Role.HANDLER, "west-street"),
    ("handler-xihu", "曹颖", Role.HANDLER, "west-xihu"),
    ("handler-jinxiu", "彭飞", Role.HANDLER, "west-jinxiu"),
    ("handler-south", "曾伟", Role.HANDLER, "south-street"),
    ("handler-nanyuan", "田甜", Role.HANDLER, "south-nanyuan"),
    ("handler-xingfu", "董明", Role.HANDLER, "south-xingfu"),
    ("handler-power", "袁野", Role.HANDLER, "power"),
    ("handler-gas", "潘越", Role.HANDLER, "gas"),
    ("handler-water", "蒋平", Role.HANDLER, "water"),
    ("handler-enterprise", "蔡敏", Role.HANDLER, "enterprise-desk"),
]

# Where each category goes by default. Aspects (top level) go to the district itself, which
# then routes by hand; so do categories no single department owns (cadre conduct, inaction).
CATEGORY_UNITS: dict[str, str] = {
    "livelihood": "district",
    "urban": "district",
    "economy": "district",
    "service": "district",
    "education": "education",
    "health": "health",
    "social-security": "hrss",
    "elderly-care": "health",
    "housing": "housing",
    "food-safety": "market",
    "employment": "hrss",
    "roads-traffic": "urban",
    "sanitation": "urban",
    "greening": "urban",
    "water-drainage": "water",
    "property-management": "housing",
    "illegal-construction": "urban",
    "noise": "ecology",
    "parking": "urban",
    "street-lights": "urban",
    "business-environment": "enterprise-desk",
    "enterprise-services": "enterprise-desk",
    "government-promises": "enterprise-desk",
    "market-regulation": "market",
    "utilities": "power",
    "judicial-enforcement": "enterprise-desk",
    "approval-efficiency": "approval",
    "window-service": "service-center",
    "cadre-conduct": "district",
    "black-intermediaries": "market",
    "inaction": "district",
}

# Categories that a community or street usually sorts out on the spot rather than a department.
NEIGHBOURHOOD_CATEGORIES = frozenset(
    {"sanitation", "greening", "parking", "property-management", "noise", "illegal-construction"}
)

# community unit code -> (places in it, latitude, longitude of its centre)
PLACES: dict[str, tuple[list[str], float, float]] = {
    "east-dongyuan": (
        ["东苑小区", "人民路与建设路口", "东苑菜市场", "东苑公园"],
        30.2812,
        120.1703,
    ),
    "east-chaoyang": (["朝阳新村", "朝阳路公交站", "朝阳公园", "光明巷"], 30.2856, 120.1768),
    "west-xihu": (["西湖花园", "湖滨路", "西湖小学门口", "柳岸小区"], 30.2705, 120.1402),
    "west-jinxiu": (["锦绣家园", "锦绣路夜市", "文化街", "翠苑三区"], 30.2661, 120.1355),
    "south-nanyuan": (["南苑小区", "南环路", "南苑农贸市场", "桂花里"], 30.2580, 120.1560),
    "south-xingfu": (["幸福里小区", "幸福路", "中山路口", "和平新村"], 30.2534, 120.1617),
}
# Where exactly, for housing estates and for streets and other public places.
ESTATE_SPOTS = ["", "", "3号楼旁", "东门", "地下车库入口", "南门口", "18栋附近", "2单元楼下"]
STREET_SPOTS = ["", "", "北侧人行道", "路口", "公交站台边", "东侧", "中段"]
ESTATE_SUFFIXES = ("小区", "新村", "花园", "家园", "里", "三区")
DURATIONS = [
    "已经好几天了",
    "有一个多星期了",
    "快半个月了",
    "上个月就反映过还没解决",
    "这几天一直这样",
    "持续一个多月了",
]
REQUESTS = [
    "希望尽快处理",
    "请相关部门派人来看看",
    "希望给个说法",
    "请加强管理",
    "麻烦尽快解决",
    "希望有关部门重视",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志文斌"


@dataclass(frozen=True)
class Problem:
    """One kind of complaint: its category, ways people phrase it, and what they add."""

    category: str
    phrases: tuple[str, ...]
    impacts: tuple[str, ...]
    unit: str | None = None  # overrides the category's default unit (utilities)


# Problems people report about a place in their neighbourhood.
PLACE_PROBLEMS: list[Problem] = [
    Problem(
        "street-lights",
        ("路灯不亮", "路灯一直闪烁", "路灯白天也亮着", "好几盏路灯坏了"),
        ("晚上出行很不安全", "老人晚上散步摔倒过", "黑灯瞎火的孩子放学不敢走"),
    ),
    Problem(
        "roads-traffic",
        ("井盖缺失", "路面坑洼积水", "人行道砖松动", "红绿灯时间太短", "井盖松动一踩就响"),
        ("老人小孩经过很危险", "电动车已经摔过好几辆", "下雨天根本没法走"),
    ),
    Problem(
        "noise",
        ("噪音扰民", "夜间施工噪音很大", "广场舞音响太吵", "烧烤店排风机噪音大"),
        ("晚上根本睡不着", "影响孩子学习", "居民意见很大"),
    ),
    Problem(
        "parking",
        ("停车难", "消防通道被车辆占用", "僵尸车长期占道", "共享单车乱停放"),
        ("救护车都开不进来", "每天下班找不到车位", "行人只能走机动车道"),
    ),
    Problem(
        "sanitation",
        ("垃圾清运不及时", "垃圾桶满溢", "公厕无人打扫", "建筑垃圾乱堆"),
        ("臭味很大", "招了很多蚊虫", "影响小区环境"),
    ),
    Problem(
        "greening",
        ("树枝遮挡窗户", "绿化带被毁", "行道树倒伏没人管", "草坪被改成菜地"),
        ("屋里白天都要开灯", "存在安全隐患", "影响小区环境"),
    ),
    Problem(
        "water-drainage",
        ("下水道堵塞", "雨后积水严重"),
        ("污水漫到路面上", "一楼住户家里进水", "出门要蹚水"),
    ),
    Problem(
        "water-drainage",
        ("停水未提前通知", "自来水发黄"),
        ("家里没法做饭", "不敢给孩子喝", "影响正常生活"),
    ),
    Problem(
        "property-management",
        ("物业不作为", "电梯经常故障", "小区门禁坏了", "物业费乱收费"),
        ("老人上下楼很困难", "外来人员随便进出", "业主意见很大"),
    ),
    Problem(
        "illegal-construction",
        ("楼顶违建", "占用绿地搭建棚子", "一楼住户私自扩建院子"),
        ("存在安全隐患", "影响邻居采光", "大家都很有意见"),
    ),
    Problem(
        "food-safety",
        ("餐馆后厨卫生差", "超市售卖过期食品", "流动摊贩卖的熟食没有包装"),
        ("吃完拉肚子", "担心食品安全", "孩子经常去买"),
    ),
    Problem(
        "utilities",
        ("经常停电", "电压不稳", "电线私拉乱接"),
        ("冰箱里的东西都坏了", "家电烧坏了", "存在火灾隐患"),
        unit="power",
    ),
    Problem(
        "utilities",
        ("燃气管道有异味", "燃气表更换后计费不准"),
        ("担心出安全事故", "费用比以前高了一倍"),
        unit="gas",
    ),
    Problem("utilities", ("水压不足",), ("高层住户经常没水", "洗澡都成问题"), unit="water"),
    Problem("utilities", ("水管爆裂",), ("路面都被淹了", "水白白流了一晚上"), unit="water"),
]

# Problems about services rather than places.
SERVICE_PROBLEMS: list[Problem] = [
    Problem(
        "education",
        ("学校门口接送时段交通拥堵", "学位紧张，孩子入学难"),
        ("家长意见很大", "孩子上学不方便"),
    ),
    Problem("education", ("校外培训机构收费不退",), ("钱已经交了半年", "机构电话打不通")),
    Problem(
        "health",
        ("社区卫生服务中心排队时间长", "家庭医生签约后联系不上"),
        ("老人等了一上午", "有问题找不到人"),
    ),
    Problem("health", ("医保报销太慢",), ("垫付的钱迟迟没到账", "材料交了两个月没消息")),
    Problem(
        "social-security", ("社保转移手续复杂", "失业金申领进度慢"), ("跑了好几趟", "生活有困难")
    ),
    Problem("social-security", ("养老金查询不方便",), ("老人不会用手机查", "只能跑到窗口问")),
    Problem(
        "elderly-care",
        ("老年食堂价格上涨", "缺少日间照料服务", "养老服务补贴没到账"),
        ("独居老人吃饭成问题", "子女上班没人照看", "老人很着急"),
    ),
    Problem("housing", ("公租房申请进度慢",), ("等了大半年", "一家人还在外面租房")),
    Problem("housing", ("老旧小区屋顶漏水",), ("下雨天家里到处接水", "墙皮都泡掉了")),
    Problem("housing", ("加装电梯推进慢",), ("老人上下楼困难", "方案定了一年还没动工")),
    Problem(
        "employment",
        ("招聘会信息不透明", "创业补贴申请难", "就业培训名额太少"),
        ("找工作没有渠道", "材料交了没下文", "想报名报不上"),
    ),
    Problem(
        "market-regulation",
        ("商家虚假宣传", "农贸市场缺斤短两"),
        ("消费者权益受损", "好几次都这样"),
    ),
    Problem("market-regulation", ("预付卡商家跑路",), ("充的卡退不了", "好多人都受骗了")),
    Problem(
        "black-intermediaries",
        ("中介收费代办业务", "黑中介冒充工作人员揽活"),
        ("多花了好几百块", "老百姓分不清真假"),
    ),
    Problem("inaction", ("反映多次无人处理", "热线答复敷衍了事"), ("问题一直拖着", "很失望")),
]

# What people say about service windows (百姓评 ratings, window visits, leaders at windows).
WINDOW_PROBLEMS: list[Problem] = [
    Problem(
        "window-service",
        ("窗口工作人员态度生硬", "排队时间太长", "午休时间窗口不办理", "取号后被告知系统故障"),
        ("白白等了一上午", "请假过来办事很不容易", "群众体验很差"),
    ),
    Problem(
        "approval-efficiency",
        ("审批材料反复提交", "审批超过承诺时限", "网上办理系统经常卡顿", "一件事要跑好几个窗口"),
        ("前后跑了三趟", "耽误了正常经营", "办事效率太低"),
    ),
    Problem(
        "cadre-conduct",
        ("工作人员推诿扯皮", "工作人员上班时间玩手机"),
        ("问什么都说不归我管", "让人很寒心"),
    ),
]
WINDOW_PRAISE = [
    "工作人员很耐心，一次就办好了",
    "帮办代办服务很贴心",
    "材料不全还主动帮忙联系补齐",
    "延时服务解决了上班族的难题",
]

# Problems enterprises raise (enterprise questionnaires, leaders at windows).
ENTERPRISE_PROBLEMS: list[Problem] = [
    Problem(
        "business-environment",
        ("审批材料反复提交", "办事要求提供重复证明", "项目开工手续办理周期长"),
        ("前后跑了{n}趟", "项目已经延误{n}个月", "增加了企业成本"),
    ),
    Problem(
        "enterprise-services",
        ("企业补贴未兑现", "政策兑现周期长", "企业招工难", "融资难融资贵"),
        ("涉及金额约{n}万元", "去年申报的到现在没消息", "影响企业扩大生产"),
    ),
    Problem(
        "government-promises",
        ("招商时承诺的配套道路至今未建", "拖欠企业工程款", "承诺的厂房租金优惠没有落实"),
        ("拖了{n}个月", "企业资金周转困难", "当初是看中政策才落户的"),
    ),
    Problem(
        "judicial-enforcement",
        ("重复检查影响经营", "执法标准不一", "罚款依据不明确"),
        ("一个月来了{n}拨检查", "不同人说法不一样", "企业无所适从"),
    ),
    Problem(
        "utilities",
        ("用电报装等了一个多月", "园区频繁停电"),
        ("生产线停了{n}天", "订单交付受影响"),
        unit="power",
    ),
    Problem("utilities", ("燃气接入费用不透明",), ("报价比同行高出{n}成",), unit="gas"),
    Problem(
        "approval-efficiency",
        ("办理排污许可流程复杂", "营业执照变更要跑多个部门"),
        ("前后跑了{n}趟", "耽误了{n}周"),
    ),
]
ENTERPRISE_REQUESTS = ["希望尽快协调解决", "希望政府兑现承诺", "希望简化流程", "请帮助企业渡过难关"]
ENTERPRISE_PREFIXES = [
    "恒达",
    "东方",
    "绿源",
    "华信",
    "瑞丰",
    "星辰",
    "宏远",
    "金桥",
    "安泰",
    "润通",
    "博雅",
    "新航",
    "鼎盛",
    "嘉禾",
    "汇智",
    "银河",
    "长青",
    "天成",
]
ENTERPRISE_TRADES = [
    "机械制造",
    "食品",
    "电子科技",
    "物流",
    "建材",
    "服装",
    "医疗器械",
    "软件",
    "餐饮管理",
    "新材料",
    "印务",
    "汽车配件",
]

CHAT_GROUPS = ["居民群", "业主群", "邻里互助群", "志愿者群"]
SELF_MEDIA = ["示范区生活圈", "示范区大小事", "身边事随手拍", "街坊说"]
# window -> errands people come to it for
WINDOW_ERRANDS: dict[str, list[str]] = {
    "政务服务中心综合窗口": ["办理居住证", "办理食品经营许可", "申请公租房"],
    "不动产登记窗口": ["办理不动产登记", "办理房屋过户"],
    "社保医保窗口": ["办理社保转移", "办理医保异地备案"],
    "企业开办窗口": ["办理营业执照", "办理营业执照变更", "办理公司注销"],
}
RATING_WINDOWS = list(WINDOW_ERRANDS)

# The official answer for each category: what the unit did. The answer text wraps it in the
# district-wide opening and closing below, the same words as the "办结答复" reply template.
ANSWER_OPENING = "您好！您反映的问题已收悉。经"
ANSWER_CLOSING = "如仍有问题，可凭查询码继续反映。感谢您对示范区工作的支持！"
ANSWER_ACTIONS: dict[str, tuple[str, ...]] = {
    "street-lights": (
        "已安排维修人员更换损坏灯具，现已恢复正常照明",
        "查明为线路老化，已更换电缆并恢复照明",
    ),
    "roads-traffic": (
        "已于次日补装井盖并设置警示标志",
        "已完成路面修补，积水问题已消除",
        "已会同交警部门调整信号灯配时",
    ),
    "noise": ("已现场检测并责令整改，夜间22时后停止高噪声作业", "已约谈相关商户，加装了降噪设施"),
    "parking": ("已清理占用消防通道车辆，并增设禁停标志", "已拖移僵尸车辆，并增加巡查频次"),
    "sanitation": ("已增加垃圾清运频次，每日早晚各清运一次", "已清理建筑垃圾并对责任方进行教育"),
    "greening": ("已安排园林养护人员修剪树枝", "已补种绿植并加强巡查"),
    "water-drainage": ("已疏通堵塞管道，排水恢复正常", "已查明原因并完成管网冲洗，水质检测合格"),
    "property-management": ("已约谈物业公司，限期完成维修", "已督促物业公司公示收费标准"),
    "illegal-construction": ("已下达限期拆除通知书，当事人已自行拆除", "已立案调查，将依法处理"),
    "food-safety": ("已对涉事商户开展检查，责令停业整改", "已下架过期食品并依法立案查处"),
    "utilities": ("已完成线路检修，供应恢复稳定", "已上门核查并更换设备，费用已重新核算"),
    "education": ("已在上下学时段增派护学岗疏导交通", "已向家长说明今年的学位安排和申请渠道"),
    "health": ("已增设自助服务设备并延长服务时间", "已督促家庭医生团队主动联系签约居民"),
    "social-security": ("已为您开通线上办理渠道并电话指导", "已加快审核，相关待遇已发放"),
    "elderly-care": ("已协调老年食堂保持原价供应", "已安排社区养老服务站提供日间照料"),
    "housing": ("已督促维修单位完成屋面防水维修", "已向您说明申请进度，预计本月内完成审核"),
    "employment": ("已在公众号公开招聘会信息", "已安排专人指导补贴申请"),
    "market-regulation": ("已立案调查并责令商户整改", "已组织计量器具检查，查处缺斤短两行为"),
    "black-intermediaries": ("已联合公安部门开展专项整治", "已在大厅张贴防范提示"),
    "inaction": ("已督办相关单位限期办理并向您反馈", "已对承办人员进行提醒谈话"),
    "window-service": ("已对窗口人员进行批评教育，并调整午间值守安排", "已增开窗口、优化取号分流"),
    "approval-efficiency": ("已推行一次告知和容缺受理，材料只需提交一次", "已安排专人跟踪办理进度"),
    "cadre-conduct": ("已对相关工作人员进行约谈，并在全系统通报", "已核实情况并责令整改"),
    "business-environment": (
        "已安排专员全程帮办，相关手续已办结",
        "已梳理材料清单，实行一次性告知",
    ),
    "enterprise-services": (
        "已协调财政部门，补贴资金将于本月拨付",
        "已纳入重点企业服务清单，安排专员对接",
    ),
    "government-promises": ("已召开协调会，明确了配套建设时间表", "已督促相关单位制定付款计划"),
    "judicial-enforcement": ("已推行综合查一次，减少重复检查", "已向企业书面说明处罚依据"),
}

RETURN_REASONS = [
    "该事项不属于本单位职责，建议转交{unit}办理",
    "经核实，涉事地点不在本单位辖区，请重新分派",
    "该问题需由{unit}牵头处理",
]
REOPEN_REASONS = [
    "问题仍然存在，修好没几天又坏了",
    "答复内容与实际情况不符",
    "现场并没有人来看过",
    "只解决了一部分，还有问题没处理",
]
ACCEPT_NOTES = [
    "已受理，将安排人员现场核查",
    "已收到，正在联系相关责任方",
    "已受理，近期给您答复",
    "",
]
INTERNAL_NOTES = [
    "已电话联系反映人核实情况",
    "需协调相关单位共同处理",
    "已现场查看，正在制定整改方案",
    "反映人不接电话，已发短信告知",
]
ESCALATE_NOTES = ["已超过办理时限，请加快办理并及时答复", "多次反映未解决，请分管领导督办"]
CLOSE_NOTES = ["答复已送达，反映人表示满意", "回访无异议，予以办结", ""]
DUPLICATE_TEMPLATES = [
    "{summary}，之前邻居反映过，到现在还没解决，请尽快处理。",
    "再次反映：{summary}，希望尽快处理。",
    "我们楼好几户都遇到了：{summary}。",
]

# (unit code or None for district-wide, title, body)
REPLY_TEMPLATES: list[tuple[str | None, str, str]] = [
    (None, "已收悉", "您好！您反映的问题已收悉，我们已转交相关单位办理，请耐心等待答复。"),
    (None, "办结答复", ANSWER_OPENING + "有关单位核实处理，……。" + ANSWER_CLOSING),
    (
        None,
        "非本区职责",
        "您好！经核实，您反映的事项不属于本区职责范围，建议您向有关主管部门反映。感谢您的理解！",
    ),
    (
        "urban",
        "路灯维修",
        ANSWER_OPENING
        + "城市管理局核实，已安排维修人员更换损坏灯具，现已恢复正常照明。"
        + ANSWER_CLOSING,
    ),
    (
        "urban",
        "井盖补装",
        ANSWER_OPENING + "城市管理局核实，已补装井盖并设置警示标志。" + ANSWER_CLOSING,
    ),
    ("market", "投诉受理", "您好！您的投诉已受理，我局将在7个工作日内进行调查，并将结果告知您。"),
    (
        "approval",
        "审批进度说明",
        "您好！您的申请正在审核中，我们已安排专人跟踪办理进度，办结后将第一时间通知您。",
    ),
    (
        "enterprise-desk",
        "政策兑现说明",
        "您好！贵企业反映的政策兑现问题已纳入重点企业服务清单，专员将在3个工作日内与您联系。",
    ),
    (
        "power",
        "停电说明",
        "您好！经查，停电系线路检修所致，目前已恢复供电。给您带来的不便，敬请谅解。",
    ),
]
