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

# The district's box (CIVICDESK_DISTRICT_BOUNDS of the demo), south,west,north,east: every
# place below, with the scatter of the positions reported around it (writer.py) and about
# 2 km to spare.
DISTRICT_BOUNDS = "30.23,120.11,30.31,120.20"

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
    "south-xingfu": (["幸福里小区", "幸福路", "中山路口", "平安新村"], 30.2534, 120.1617),
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
    """One concrete grievance: its category, the ways people put it, and what they add.

    ``code`` and ``name`` identify the grievance: the demo writes down, for every opinion, the
    place (or window) and the grievance it was generated from, so the problem list can be scored
    against that truth. ``phrases`` are paraphrases of the same complaint, in varied words, so
    that grouping them is a real test rather than matching one template. ``where`` says what kind
    of place it happens at: ``estate`` (a housing estate), ``street`` (a road, market, park or
    school gate) or ``any``.
    """

    code: str
    name: str
    category: str
    phrases: tuple[str, ...]
    impacts: tuple[str, ...]
    unit: str | None = None  # overrides the category's default unit (utilities)
    where: str = "any"


P = Problem

# Grievances people report about a place in their neighbourhood.
PLACE_PROBLEMS: list[Problem] = [
    P(
        "lights-out",
        "路灯不亮",
        "street-lights",
        ("路灯不亮", "好几盏路灯坏了", "路灯一到晚上就不亮", "路灯坏了没人修，晚上黑漆漆的"),
        ("晚上出行很不安全", "老人晚上散步摔倒过", "黑灯瞎火的孩子放学不敢走"),
    ),
    P(
        "lights-daytime",
        "路灯白天常亮",
        "street-lights",
        ("路灯白天也亮着", "大白天路灯一直开着", "路灯白天不关，太浪费电了"),
        ("一整天都亮着", "浪费公共资源"),
    ),
    P(
        "lights-flicker",
        "路灯闪烁",
        "street-lights",
        ("路灯一直闪烁", "路灯忽明忽暗", "路灯一闪一闪的晃眼睛"),
        ("开车经过很晃眼", "晚上看着心里发慌"),
    ),
    P(
        "manhole",
        "井盖缺失松动",
        "roads-traffic",
        ("井盖缺失", "井盖松动一踩就响", "有个井盖不见了，只拿块木板盖着", "窨井盖破损塌陷"),
        ("老人小孩经过很危险", "电动车已经摔过好几辆", "晚上看不见容易掉下去"),
        where="street",
    ),
    P(
        "potholes",
        "路面坑洼",
        "roads-traffic",
        ("路面坑洼积水", "马路上好几个大坑", "路面破损严重，坑里全是水", "道路坑坑洼洼"),
        ("电动车已经摔过好几辆", "下雨天根本没法走", "车子开过去颠得厉害"),
        where="street",
    ),
    P(
        "pavement",
        "人行道砖松动",
        "roads-traffic",
        ("人行道砖松动", "人行道地砖翘起来了", "人行道的砖一踩就溅一身泥水"),
        ("老人走路容易绊倒", "下雨天根本没法走"),
        where="street",
    ),
    P(
        "signal-short",
        "行人绿灯时间短",
        "roads-traffic",
        ("红绿灯时间太短", "行人绿灯只有十几秒", "过马路的绿灯太短，老人走不过去"),
        ("老人小孩经过很危险", "每次都要在路中间等"),
        where="street",
    ),
    P(
        "night-construction",
        "夜间施工噪音",
        "noise",
        (
            "夜间施工噪音很大",
            "工地半夜还在干活，电钻声吵得人睡不着",
            "旁边工地晚上十一点以后还在打桩",
            "工地每天夜里施工，机器轰隆隆响到凌晨",
            "深夜施工扰民，挖掘机声音特别大",
        ),
        ("晚上根本睡不着", "影响孩子学习", "老人心脏不好受不了"),
    ),
    P(
        "square-dance",
        "广场舞噪音",
        "noise",
        ("广场舞音响太吵", "每天晚上跳广场舞，音乐开得震天响", "广场舞大喇叭放到很晚"),
        ("孩子没法写作业", "上夜班的人白天晚上都休息不好", "居民意见很大"),
    ),
    P(
        "bbq-fan",
        "烧烤店排风机噪音",
        "noise",
        ("烧烤店排风机噪音大", "烧烤店的排风扇整夜嗡嗡响", "楼下烧烤店风机声音扰民"),
        ("晚上根本睡不着", "窗户都不敢开"),
        where="street",
    ),
    P(
        "fire-lane",
        "消防通道被占",
        "parking",
        ("消防通道被车辆占用", "消防通道上停满了私家车", "车都停在消防通道上，没人管"),
        ("救护车都开不进来", "万一着火消防车进不来"),
        where="estate",
    ),
    P(
        "zombie-car",
        "僵尸车占道",
        "parking",
        ("僵尸车长期占道", "有辆车停了半年没动过，落满了灰", "废弃车辆长期占着车位"),
        ("本来车位就紧张", "轮胎都瘪了也没人管"),
    ),
    P(
        "shared-bikes",
        "共享单车乱停放",
        "parking",
        ("共享单车乱停放", "共享单车堆在人行道上", "共享单车横七竖八挡着路"),
        ("行人只能走机动车道", "推婴儿车根本过不去"),
        where="street",
    ),
    P(
        "parking-shortage",
        "停车难",
        "parking",
        ("停车难", "车位太少，每天下班找不到地方停车", "停车位严重不足"),
        ("每天下班找不到车位", "车只能停到很远的地方"),
        where="estate",
    ),
    P(
        "garbage",
        "垃圾清运不及时",
        "sanitation",
        ("垃圾清运不及时", "垃圾桶满了好几天没人拉走", "垃圾堆成山了也不清理", "垃圾桶满溢"),
        ("臭味很大", "招了很多蚊虫", "夏天味道熏得人头疼"),
    ),
    P(
        "toilet",
        "公厕无人打扫",
        "sanitation",
        ("公厕无人打扫", "公共厕所脏得没法进", "公厕臭气熏天没人管"),
        ("臭味很大", "游客和居民都有意见"),
        where="street",
    ),
    P(
        "debris",
        "建筑垃圾乱堆",
        "sanitation",
        ("建筑垃圾乱堆", "装修垃圾随便堆在路边", "渣土和建筑垃圾一直没人清"),
        ("影响小区环境", "刮风天灰尘满天飞"),
    ),
    P(
        "branches",
        "树枝遮挡采光",
        "greening",
        ("树枝遮挡窗户", "树长得太高挡住了阳光", "树枝都伸到阳台上了"),
        ("屋里白天都要开灯", "衣服晒不干"),
        where="estate",
    ),
    P(
        "green-damage",
        "绿地被毁种菜",
        "greening",
        ("绿化带被毁", "草坪被改成菜地", "有人在绿化带里种菜"),
        ("影响小区环境", "浇粪水臭得很"),
    ),
    P(
        "fallen-tree",
        "行道树倒伏",
        "greening",
        ("行道树倒伏没人管", "大树被风刮倒压在路边", "倒下的树好几天没人清理"),
        ("存在安全隐患", "行人只能绕着走"),
        where="street",
    ),
    P(
        "sewer",
        "下水道堵塞",
        "water-drainage",
        ("下水道堵塞", "下水道堵了，污水往外冒", "排水管堵塞，污水横流"),
        ("污水漫到路面上", "一楼住户家里进水", "臭味很大"),
    ),
    P(
        "waterlogging",
        "雨后积水",
        "water-drainage",
        ("雨后积水严重", "一下雨就积水", "下点雨路上就成了河"),
        ("出门要蹚水", "车子都熄火了"),
        where="street",
    ),
    P(
        "water-cut",
        "停水未通知",
        "water-drainage",
        ("停水未提前通知", "突然停水，也不提前说一声", "停水没有任何通知"),
        ("家里没法做饭", "影响正常生活"),
        where="estate",
    ),
    P(
        "yellow-water",
        "自来水发黄",
        "water-drainage",
        ("自来水发黄", "水龙头放出来的水是黄的", "自来水发浑还有股怪味"),
        ("不敢给孩子喝", "只能买桶装水"),
        where="estate",
    ),
    P(
        "elevator",
        "电梯经常故障",
        "property-management",
        ("电梯经常故障", "电梯三天两头坏", "电梯又坏了，前几天还困过人"),
        ("老人上下楼很困难", "住高层的只能爬楼梯"),
        where="estate",
    ),
    P(
        "gate",
        "门禁损坏",
        "property-management",
        ("小区门禁坏了", "门禁系统坏了好久没修", "单元门禁形同虚设"),
        ("外来人员随便进出", "晚上不安全"),
        where="estate",
    ),
    P(
        "property-fee",
        "物业乱收费",
        "property-management",
        ("物业费乱收费", "物业多收停车管理费", "物业收费从来不公示"),
        ("业主意见很大", "问物业也说不清楚"),
        where="estate",
    ),
    P(
        "roof-building",
        "楼顶违建",
        "illegal-construction",
        ("楼顶违建", "顶楼住户在楼顶加盖了房子", "楼顶私搭乱建"),
        ("存在安全隐患", "楼下漏水了"),
        where="estate",
    ),
    P(
        "yard-extension",
        "一楼扩建院子",
        "illegal-construction",
        ("一楼住户私自扩建院子", "一楼把公共绿地圈进自家院子", "一楼住户圈地扩建"),
        ("影响邻居采光", "大家都很有意见"),
        where="estate",
    ),
    P(
        "kitchen",
        "餐馆后厨卫生差",
        "food-safety",
        ("餐馆后厨卫生差", "饭店后厨脏乱差", "餐馆厨房里老鼠乱窜"),
        ("吃完拉肚子", "担心食品安全"),
        where="street",
    ),
    P(
        "expired-food",
        "超市售卖过期食品",
        "food-safety",
        ("超市售卖过期食品", "超市货架上有过期的牛奶", "在超市买到了过期食品"),
        ("孩子喝了肚子疼", "担心食品安全"),
    ),
    P(
        "power-cut",
        "经常停电",
        "utilities",
        ("经常停电", "三天两头停电", "一个星期停了好几次电"),
        ("冰箱里的东西都坏了", "晚上一片漆黑"),
        unit="power",
    ),
    P(
        "voltage",
        "电压不稳",
        "utilities",
        ("电压不稳", "电压忽高忽低，灯一直闪", "电压不稳，家电都带不动"),
        ("家电烧坏了", "空调开不起来"),
        unit="power",
    ),
    P(
        "flying-wires",
        "电线私拉乱接",
        "utilities",
        ("电线私拉乱接", "楼道里电线乱拉，给电动车充电", "有人从楼上拉电线下来飞线充电"),
        ("存在火灾隐患", "万一着火后果不堪设想"),
        unit="power",
    ),
    P(
        "gas-smell",
        "燃气管道异味",
        "utilities",
        ("燃气管道有异味", "楼道里闻到煤气味", "燃气管道好像漏气了"),
        ("担心出安全事故", "晚上都不敢开火"),
        unit="gas",
    ),
    P(
        "gas-meter",
        "燃气表计费不准",
        "utilities",
        ("燃气表更换后计费不准", "换了燃气表以后气费翻倍", "新燃气表走字特别快"),
        ("费用比以前高了一倍", "问了也没人解释"),
        unit="gas",
    ),
    P(
        "water-pressure",
        "高层水压不足",
        "utilities",
        ("水压不足", "高层水压太低，热水器都打不着火", "楼上水压小，水龙头只滴水"),
        ("高层住户经常没水", "洗澡都成问题"),
        unit="water",
    ),
    P(
        "pipe-burst",
        "水管爆裂",
        "utilities",
        ("水管爆裂", "地下水管爆了，水冒到路面上", "自来水管破裂漏水"),
        ("路面都被淹了", "水白白流了一晚上"),
        unit="water",
    ),
]
PLACE_PROBLEM_CODES = {p.code: p for p in PLACE_PROBLEMS}

# The hot spots of the two months: one grievance at one place that many people report, as
# happens in a real district (the rest are drawn at random). (place, grievance code, weight)
HOT_SPOTS: list[tuple[str, str, int]] = [
    ("文化街", "night-construction", 9),
    ("中山路口", "water-pressure", 5),
    ("幸福里小区", "fire-lane", 8),
    ("锦绣路夜市", "bbq-fan", 7),
    ("东苑公园", "square-dance", 7),
    ("朝阳新村", "elevator", 6),
    ("湖滨路", "potholes", 6),
    ("南苑农贸市场", "garbage", 6),
    ("柳岸小区", "yellow-water", 5),
    ("人民路与建设路口", "signal-short", 5),
    ("翠苑三区", "property-fee", 5),
    ("南环路", "lights-out", 5),
    ("平安新村", "sewer", 4),
    ("幸福路", "shared-bikes", 4),
    ("西湖花园", "roof-building", 4),
    ("光明巷", "flying-wires", 4),
    ("桂花里", "gas-smell", 4),
    ("东苑小区", "power-cut", 4),
    ("朝阳路公交站", "waterlogging", 3),
    ("锦绣家园", "yard-extension", 3),
    ("南苑小区", "zombie-car", 3),
    ("西湖小学门口", "manhole", 3),
    ("东苑菜市场", "kitchen", 3),
    ("中山路口", "potholes", 3),
]
# Share of neighbourhood opinions that are about a hot spot.
HOT_SHARE = 0.5

# How people tell a neighbourhood grievance (place, spot, phrase, duration, impact, request).
PLACE_TEMPLATES = [
    "{opening}{place}{spot}{phrase}，{duration}，{impact}，{request}。",
    "{opening}{place}{spot}{phrase}，{impact}。{duration}，{request}。",
    "{opening}我家住在{place}附近，{phrase}，{impact}，{request}。",
    "{opening}{phrase}，地点在{place}{spot}，{duration}，{request}。",
    "{place}{spot}这边{phrase}，{impact}！{request}。",
]

# Grievances about services rather than places: one problem for the whole district each.
SERVICE_PROBLEMS: list[Problem] = [
    P(
        "school-traffic",
        "学校门口接送拥堵",
        "education",
        ("学校门口接送时段交通拥堵", "放学时学校门口堵得水泄不通", "接孩子的车把校门口堵死了"),
        ("家长意见很大", "孩子过马路很危险"),
    ),
    P(
        "school-places",
        "学位紧张入学难",
        "education",
        ("学位紧张，孩子入学难", "孩子上学报不上名", "附近学校学位不够"),
        ("孩子上学不方便", "只能送去很远的学校"),
    ),
    P(
        "tutoring-refund",
        "培训机构不退费",
        "education",
        ("校外培训机构收费不退", "培训机构关门了，学费退不了", "辅导班倒闭，交的钱要不回来"),
        ("钱已经交了半年", "机构电话打不通"),
    ),
    P(
        "clinic-queue",
        "社区医院排队久",
        "health",
        ("社区卫生服务中心排队时间长", "社区医院看病要排很久的队", "卫生服务中心挂号排长队"),
        ("老人等了一上午", "看个小病要耗半天"),
    ),
    P(
        "family-doctor",
        "家庭医生联系不上",
        "health",
        ("家庭医生签约后联系不上", "签了家庭医生却找不到人", "家庭医生电话从来没人接"),
        ("有问题找不到人", "签约形同虚设"),
    ),
    P(
        "insurance-refund",
        "医保报销慢",
        "health",
        ("医保报销太慢", "医保报销几个月都没到账", "看病垫付的钱报销遥遥无期"),
        ("垫付的钱迟迟没到账", "材料交了两个月没消息"),
    ),
    P(
        "insurance-transfer",
        "社保转移手续复杂",
        "social-security",
        ("社保转移手续复杂", "社保关系转不过来", "办社保转移要开一堆证明"),
        ("跑了好几趟", "换了工作社保断了"),
    ),
    P(
        "unemployment-benefit",
        "失业金申领慢",
        "social-security",
        ("失业金申领进度慢", "失业保险金迟迟领不到", "申请了失业金一直在审核"),
        ("生活有困难", "房租都交不起了"),
    ),
    P(
        "pension-query",
        "养老金查询不便",
        "social-security",
        ("养老金查询不方便", "查养老金还得跑窗口", "手机上查不到养老金明细"),
        ("老人不会用手机查", "只能跑到窗口问"),
    ),
    P(
        "canteen-price",
        "老年食堂涨价",
        "elderly-care",
        ("老年食堂价格上涨", "老年食堂饭菜涨价了", "助餐点的饭一下子贵了好几块"),
        ("独居老人吃饭成问题", "退休金本来就不多"),
    ),
    P(
        "day-care",
        "缺少日间照料",
        "elderly-care",
        ("缺少日间照料服务", "社区没有老人白天能去的照料中心", "老人白天没人照看"),
        ("子女上班没人照看", "老人一个人在家不放心"),
    ),
    P(
        "elderly-subsidy",
        "养老补贴未到账",
        "elderly-care",
        ("养老服务补贴没到账", "高龄补贴一直没发", "老人的养老补贴好几个月没到账"),
        ("老人很着急", "问了几次都说在走流程"),
    ),
    P(
        "rental-housing",
        "公租房申请慢",
        "housing",
        ("公租房申请进度慢", "公租房排了大半年没消息", "申请公租房一直在等"),
        ("一家人还在外面租房", "房租负担太重"),
    ),
    P(
        "roof-leak",
        "老旧小区屋顶漏水",
        "housing",
        ("老旧小区屋顶漏水", "老房子顶楼一下雨就漏", "顶楼屋面渗水"),
        ("下雨天家里到处接水", "墙皮都泡掉了"),
    ),
    P(
        "elevator-retrofit",
        "加装电梯推进慢",
        "housing",
        ("加装电梯推进慢", "加装电梯的事拖了一年多", "老楼加装电梯迟迟不动工"),
        ("老人上下楼困难", "方案定了一年还没动工"),
    ),
    P(
        "job-fair",
        "招聘会信息不透明",
        "employment",
        ("招聘会信息不透明", "招聘会什么时候开都不知道", "招聘信息没地方查"),
        ("找工作没有渠道", "错过了好几场"),
    ),
    P(
        "startup-subsidy",
        "创业补贴申请难",
        "employment",
        ("创业补贴申请难", "创业补贴材料交了没下文", "申请创业扶持资金太难"),
        ("材料交了没下文", "小店快撑不下去了"),
    ),
    P(
        "training-slots",
        "就业培训名额少",
        "employment",
        ("就业培训名额太少", "技能培训报不上名", "免费职业培训一开放就报满"),
        ("想报名报不上", "想学门手艺都没机会"),
    ),
    P(
        "false-ads",
        "商家虚假宣传",
        "market-regulation",
        ("商家虚假宣传", "商家宣传的和实际卖的不一样", "广告上写的优惠到店就不认"),
        ("消费者权益受损", "好几次都这样"),
    ),
    P(
        "short-weight",
        "农贸市场缺斤短两",
        "market-regulation",
        ("农贸市场缺斤短两", "菜市场的秤不准", "买的肉回家一称少了二两"),
        ("消费者权益受损", "老人买菜经常吃亏"),
    ),
    P(
        "prepaid-card",
        "预付卡商家跑路",
        "market-regulation",
        ("预付卡商家跑路", "健身房关门了，卡里的钱退不了", "理发店卷款跑路，充的卡作废了"),
        ("充的卡退不了", "好多人都受骗了"),
    ),
    P(
        "intermediary-fee",
        "中介收费代办",
        "black-intermediaries",
        ("中介收费代办业务", "有中介收钱代办本来免费的业务", "大厅门口有人收费帮忙插队代办"),
        ("多花了好几百块", "老百姓分不清真假"),
    ),
    P(
        "fake-staff",
        "黑中介冒充工作人员",
        "black-intermediaries",
        ("黑中介冒充工作人员揽活", "有人假装是工作人员拉人办业务"),
        ("老百姓分不清真假", "被骗了好几百"),
    ),
    P(
        "no-response",
        "反映多次无人处理",
        "inaction",
        ("反映多次无人处理", "打了好几次热线都没人管", "反映了三次还是没有下文"),
        ("问题一直拖着", "很失望"),
    ),
    P(
        "perfunctory-reply",
        "热线答复敷衍",
        "inaction",
        ("热线答复敷衍了事", "热线回复都是套话", "答复说已处理，其实根本没人来"),
        ("问题一直拖着", "很失望"),
    ),
]

# What people say about service windows (百姓评 ratings, window visits, leaders at windows):
# one problem per window and grievance.
WINDOW_PROBLEMS: list[Problem] = [
    P(
        "window-attitude",
        "窗口人员态度生硬",
        "window-service",
        ("窗口工作人员态度生硬", "窗口的人说话很冲", "工作人员爱理不理的"),
        ("群众体验很差", "问两句就不耐烦"),
    ),
    P(
        "window-queue",
        "排队时间长",
        "window-service",
        ("排队时间太长", "取号排了两个多小时", "只开了两个窗口，队排到门外"),
        ("白白等了一上午", "请假过来办事很不容易"),
    ),
    P(
        "window-lunch",
        "午休时间不办理",
        "window-service",
        ("午休时间窗口不办理", "中午去办事窗口都关了", "午饭时间一个窗口都不开"),
        ("请假过来办事很不容易", "只能下午再跑一趟"),
    ),
    P(
        "window-system",
        "系统故障办不了",
        "window-service",
        ("取号后被告知系统故障", "排到了说系统坏了办不了", "系统又出故障了"),
        ("白白等了一上午", "只能改天再来"),
    ),
    P(
        "window-resubmit",
        "材料反复提交",
        "approval-efficiency",
        ("审批材料反复提交", "同样的材料要交好几遍", "每次去都说材料不全，要重新交"),
        ("前后跑了三趟", "办事效率太低"),
    ),
    P(
        "window-overdue",
        "审批超时",
        "approval-efficiency",
        ("审批超过承诺时限", "说好五个工作日办好，一个月了还没批", "审批一拖再拖"),
        ("耽误了正常经营", "办事效率太低"),
    ),
    P(
        "window-online",
        "网上办理系统卡顿",
        "approval-efficiency",
        ("网上办理系统经常卡顿", "网上办事大厅老是打不开", "网上提交到一半就卡死"),
        ("只能跑到现场办", "办事效率太低"),
    ),
    P(
        "window-many",
        "一件事跑多个窗口",
        "approval-efficiency",
        ("一件事要跑好几个窗口", "一件事让我在几个窗口之间来回跑"),
        ("前后跑了三趟", "办事效率太低"),
    ),
    P(
        "window-buck-passing",
        "工作人员推诿扯皮",
        "cadre-conduct",
        ("工作人员推诿扯皮", "几个窗口互相推，谁都不管", "问什么都说不归我管"),
        ("让人很寒心", "白跑一趟"),
    ),
    P(
        "window-phones",
        "上班时间玩手机",
        "cadre-conduct",
        ("工作人员上班时间玩手机", "窗口工作人员一直低头刷手机", "工作人员上班时间聊天玩手机"),
        ("群众在外面排长队", "让人很寒心"),
    ),
]
# How people tell a window grievance: not everyone says what they came to do.
WINDOW_TEMPLATES = [
    "在{window}{errand}，{phrase}，{impact}。{request}。",
    "{window}{phrase}，{impact}，{request}。",
    "今天去{window}{errand}，{phrase}。{impact}！",
    "{phrase}，{window}不是第一回了，{request}。",
    "{window}：{phrase}。{impact}。",
    "上午到{window}{errand}，结果{phrase}，{impact}。",
    "说一下{window}的问题，{phrase}，{request}。",
    "{phrase}（{window}），{impact}，{request}。",
]
WINDOW_PRAISE = [
    "工作人员很耐心，一次就办好了",
    "帮办代办服务很贴心",
    "材料不全还主动帮忙联系补齐",
    "延时服务解决了上班族的难题",
]

# Grievances enterprises raise (enterprise questionnaires, leaders at windows): one problem for
# the whole district each.
ENTERPRISE_PROBLEMS: list[Problem] = [
    P(
        "repeat-proofs",
        "重复提供证明材料",
        "business-environment",
        ("办事要求提供重复证明", "同一份证明每个部门都要我们开一次", "各部门重复要求企业提交证明"),
        ("前后跑了{n}趟", "增加了企业成本"),
    ),
    P(
        "project-permits",
        "项目开工手续周期长",
        "business-environment",
        ("项目开工手续办理周期长", "项目开工审批手续拖了好几个月", "开工许可迟迟办不下来"),
        ("项目已经延误{n}个月", "增加了企业成本"),
    ),
    P(
        "subsidy-unpaid",
        "企业补贴未兑现",
        "enterprise-services",
        ("企业补贴未兑现", "说好的企业补贴一直没拨付", "申报的奖励资金到现在没到账"),
        ("涉及金额约{n}万元", "去年申报的到现在没消息"),
    ),
    P(
        "policy-slow",
        "政策兑现周期长",
        "enterprise-services",
        ("政策兑现周期长", "惠企政策兑现要等大半年", "政策兑现流程太长"),
        ("去年申报的到现在没消息", "影响企业扩大生产"),
    ),
    P(
        "hiring",
        "企业招工难",
        "enterprise-services",
        ("企业招工难", "生产线招不到工人", "熟练工很难招"),
        ("订单做不完", "影响企业扩大生产"),
    ),
    P(
        "financing",
        "融资难融资贵",
        "enterprise-services",
        ("融资难融资贵", "银行贷款批不下来", "贷款利息太高，融资成本吃不消"),
        ("企业资金周转困难", "影响企业扩大生产"),
    ),
    P(
        "promised-road",
        "招商承诺配套道路未建",
        "government-promises",
        ("招商时承诺的配套道路至今未建", "园区门口承诺修的路到现在没动工"),
        ("拖了{n}个月", "货车进出很不方便"),
    ),
    P(
        "arrears",
        "拖欠企业工程款",
        "government-promises",
        ("拖欠企业工程款", "工程款拖了一年多还没结", "政府项目工程款迟迟不付"),
        ("企业资金周转困难", "工人工资都发不出来"),
    ),
    P(
        "rent-discount",
        "厂房租金优惠未落实",
        "government-promises",
        ("承诺的厂房租金优惠没有落实", "说好的租金减免一直不兑现"),
        ("当初是看中政策才落户的", "拖了{n}个月"),
    ),
    P(
        "repeat-inspections",
        "重复检查影响经营",
        "judicial-enforcement",
        ("重复检查影响经营", "各部门轮番上门检查", "检查一拨接一拨"),
        ("一个月来了{n}拨检查", "企业无所适从"),
    ),
    P(
        "inconsistent-enforcement",
        "执法标准不一",
        "judicial-enforcement",
        ("执法标准不一", "同样的问题不同执法人员说法不一样"),
        ("不同人说法不一样", "企业无所适从"),
    ),
    P(
        "unclear-fines",
        "罚款依据不明确",
        "judicial-enforcement",
        ("罚款依据不明确", "罚了款却说不出依据", "处罚没有书面依据"),
        ("企业无所适从", "罚了{n}万元"),
    ),
    P(
        "power-connection",
        "用电报装慢",
        "utilities",
        ("用电报装等了一个多月", "新厂房通电报装迟迟不批", "申请用电增容等了很久"),
        ("生产线停了{n}天", "订单交付受影响"),
        unit="power",
    ),
    P(
        "park-outages",
        "园区频繁停电",
        "utilities",
        ("园区频繁停电", "工业园区一个月停了好几次电", "园区总是突然断电"),
        ("生产线停了{n}天", "订单交付受影响"),
        unit="power",
    ),
    P(
        "gas-connection-fee",
        "燃气接入费用不透明",
        "utilities",
        ("燃气接入费用不透明", "燃气开户接入费没有明细", "燃气公司接气报价说不清依据"),
        ("报价比同行高出{n}成", "问了也没有收费明细"),
        unit="gas",
    ),
    P(
        "discharge-permit",
        "排污许可办理复杂",
        "approval-efficiency",
        ("办理排污许可流程复杂", "排污许可证办了好几个月", "排污许可要准备的材料太多"),
        ("前后跑了{n}趟", "耽误了{n}周"),
    ),
    P(
        "licence-change",
        "营业执照变更跑多个部门",
        "approval-efficiency",
        ("营业执照变更要跑多个部门", "变更执照要在好几个部门之间来回跑"),
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
