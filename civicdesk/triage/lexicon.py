"""A small thesaurus of how people word the same civic grievance (no Django, no data files).

Character n-grams match a grievance only when two people use the same words; "夜间施工噪音很大"
and "工地半夜还在干活，电钻声吵得睡不着" share none. Each *concept* below lists words and
expressions that name one thing people complain about (night, construction work, noise, a
refund, a lift …); a text gets the concept's key (``#noise``) wherever one of them occurs, and
the key is weighted like every other feature (by its inverse document frequency), so shared
concepts bridge paraphrases while rare names and words still decide.

The lists are general complaint vocabulary of 12345 hotlines and message boards, grouped by
meaning, not phrases copied from any sample; a word may belong to two concepts (噪音 is noise,
扰民 is noise and nuisance). Matching is one compiled regular expression (longest first), so it
costs one pass over the text in C; clustering matches the same words over a whole collection at
once with numpy (`features._concept_matches`, the same keys).
"""

from __future__ import annotations

import re

__all__ = ["CONCEPTS", "QUALIFIERS", "concepts", "owners"]

# concept key -> words (Simplified, as normalize() writes them)
CONCEPTS: dict[str, str] = {
    "night": "夜间 半夜 深夜 夜里 夜晚 晚上 凌晨 通宵 整夜 夜宵 十一点 十二点",
    "construction": (
        "施工 工地 打桩 电钻 干活 挖掘机 搅拌 渣土车 机器轰 开工 动工 在建 建筑工地 赶工 "
        "钻孔 切割机 破碎 装修"
    ),
    "noise": "噪音 噪声 吵 扰民 声音大 轰鸣 轰隆 震天响 分贝 音响 喇叭 嗡嗡 响声",
    "sleep": "睡不着 无法入睡 睡不好 失眠 休息不好 影响休息 吵醒",
    "dance": "广场舞 跳舞 舞曲",
    "fumes": "油烟 烟道 排烟 排风 风机 烧烤 熏 异味 臭味 气味",
    "food-stall": "烧烤 夜宵 大排档 餐馆 饭店 餐饮 摊贩 小吃",
    "streetlight": "路灯 灯杆 照明 高杆灯 灯具 黑灯瞎火 黑漆漆 不亮",
    "flicker": "闪烁 忽明忽暗 一闪一闪 闪",
    "daytime": "白天 大白天 一整天",
    "manhole": "井盖 窨井 下水井",
    "road-surface": "路面 坑洼 大坑 坑坑洼洼 破损 塌陷 颠",
    "pavement": "人行道 地砖 道砖 盲道",
    "traffic-light": "红绿灯 信号灯 绿灯 红灯 过马路 斑马线",
    "congestion": "拥堵 堵车 堵得 水泄不通 堵死 拥挤",
    "parking": "停车 车位 停放 乱停 占道 占用 停满",
    "fire-lane": "消防通道 消防车 生命通道",
    "abandoned-car": "僵尸车 废弃车 落满了灰 长期停放 没动过",
    "bicycle": "共享单车 单车 自行车",
    "garbage": "垃圾 清运 垃圾桶 垃圾站 堆放 满溢 渣土",
    "toilet": "公厕 厕所 卫生间",
    "tree": "树枝 树木 大树 行道树 树 砍伐 修剪",
    "green": "绿化 绿地 草坪 绿化带 菜地 种菜 毁绿",
    "sunlight": "采光 阳光 挡光 遮挡",
    "drain": "下水道 排水 污水 堵塞 管道堵 化粪池 返水 冒水",
    "flooding": "积水 内涝 淹 蹚水 成了河",
    "water-supply": "停水 断水 自来水 供水 水质 发黄 发浑 水龙头",
    "water-pressure": "水压 没水 水小 只滴水 水上不去",
    "pipe-leak": "爆管 水管 漏水 渗水 爆裂 破裂",
    # A power cut and a slow new connection are two grievances (one street's outages are not
    # a firm's waiting for its meter): two concepts.
    "power": "停电 断电 供电 电压 跳闸 停了好几次电",
    "power-connection": "用电 通电 增容 报装 接电 电表",
    "wiring": "电线 私拉乱接 飞线 充电 拉电线",
    "gas": "燃气 天然气 煤气 气费 燃气表 管道气",
    "leak-smell": "漏气 泄漏 异味 气味 煤气味",
    "lift": "电梯 升降梯 加装电梯 困人 困过人",
    "access-control": "门禁 门卡 单元门 刷卡进",
    "property-company": "物业 物业公司 物管 物业费",
    "fee": "收费 乱收费 费用 多收 涨价 价格 计费 缴费 收取",
    "illegal-building": "违建 违章 违法建设 私搭乱建 加盖 扩建 搭建 圈地 改建 占用公共",
    "safety-hazard": "安全隐患 隐患 危险 不安全 事故",
    "refund": "退费 退款 退钱 退还 返还 退不了 不退 要不回 退学费",
    "training": "培训 辅导班 培训机构 课程 补习",
    "fraud": "诈骗 骗 骗局 非法集资 集资 传销 虚假 欺诈 跑路 卷款",
    "p2p": "p2p 网贷 平台 出借人 投资人 理财 兑付 清退 爆雷 本金",
    "case-progress": "立案 经侦 侦查 案件 进展 通报 办案 公安",
    "arrears": "拖欠 欠款 欠薪 工资 工程款 没结 不付",
    "school": "学校 小学 中学 幼儿园 学位 入学 上学 招生 学区",
    "medical": "医院 卫生服务中心 看病 挂号 医生 家庭医生 社区医院",
    "insurance": "医保 社保 报销 养老金 养老保险 失业金 失业保险",
    "elderly": "老人 老年 养老 高龄 独居",
    # Money not paid (a subsidy, a reward) and a policy slow to take effect are two grievances;
    # 兑现 alone (a promise kept) belongs to neither.
    "subsidy": "补贴 补助 奖励 扶持资金 奖励资金 拨付",
    "policy": "政策兑现 惠企政策 政策落实 优惠政策",
    "housing-quality": "开裂 裂缝 渗漏 漏雨 墙皮 质量问题 屋顶漏 屋面 雨就漏 空鼓",
    "delivery": "交房 延期交房 逾期交房 收房 验房",
    "sales": "捆绑 车位 认购 定金 认筹 开发商 售楼",
    "demolition": "拆迁 征收 补偿 安置 征地",
    "bus": "公交 公交车 线路 站台 班次 发车",
    "metro": "地铁 轨道交通 站点 出入口 闸机",
    # What goes wrong at a service window. 窗口 and 办理 are in every report about a window
    # and name none of its grievances, so they are no concept: with them, a window's lunch
    # closing, its lost files and its slow approvals all looked like one topic (round 4: the
    # demo's window reports B³ 0.71 → 0.76, in its last two weeks 0.64 → 0.80). Running
    # between windows is its own grievance; 来回跑 and 跑多个 alone are not in it (an
    # enterprise running between departments for a licence is another problem).
    # 取号 (taking a number) starts every visit, whatever then goes wrong.
    "queue": "排队 排长队 等了 等候 队排",
    "attitude": "态度 不耐烦 爱理不理 说话很冲 生硬 冷漠 刁难",
    # Passing the buck is not rudeness: a polite clerk can send you on all the same.
    "buck-passing": "推诿 扯皮 踢皮球 不归我管 互相推 推来推去",
    "paperwork": "材料 证明 手续 复印件 盖章 重新交 交好几遍 反复提交 重复提交",
    "errands": "好几个窗口 几个窗口 多个窗口 窗口之间 跑断腿",
    "online-service": (
        "网上办事大厅 网上办理 网上提交 网上申报 政务网 小程序 打不开 卡顿 卡死 闪退 掉线"
    ),
    # A window's own system down (排到了说系统坏了) is not the online hall that will not load.
    "system-down": "系统故障 系统坏了 出故障 死机 宕机 瘫痪 系统维护 系统升级 停机",
    "opening-hours": "午休 中午 午饭 下班前 提前下班 延时服务 不开门 关门 都关了",
    "slacking": "玩手机 刷手机 聊天 脱岗 离岗 串岗 上班时间",
    "slow": (
        "太慢 迟迟 一拖再拖 拖了 遥遥无期 进度慢 周期长 没下文 没消息 超时 超期 承诺时限 逾期未"
    ),
    # What firms complain of (营商环境): inspections, hiring, fines, permits, rent, rules
    # applied unevenly, loans, running between departments, and the middlemen at the
    # approval hall. Firms name no place, so
    # without these their different words for one grievance never met (round 5: the demo's
    # B³ 0.899 -> 0.916). Left out, measured: 工人 (工人工资 is unpaid wages), 资金周转 (what
    # any unpaid firm says), 执照 (the errand of a window report, 办理营业执照变更), 房租 (a
    # tenant's rent) and 执法 alone (every report about 城管: the gold's tuning half 0.906 ->
    # 0.904).
    "inspection": "检查 抽查 轮番 迎检 检查组 一拨接一拨",
    "hiring": "招工 招不到 用工 熟练工 招人 缺工 技工",
    "penalty": "罚款 处罚 罚了 罚单 罚没",
    "licence": "许可证 证照",
    "rent": "租金 租赁 厂房租",
    "enforcement": "标准不一 说法不一 尺度不一 口径不一",
    "financing": "融资 贷款 利息 授信 抵押 过桥",
    "jobs": "招聘 招聘会 求职 找工作 就业",
    "departments": "多个部门 好几个部门 几个部门 部门之间 每个部门 各个部门",
    "middleman": "黑中介 冒充 假冒 假装是 揽活 拉人 号贩子 倒号",
    "weight": "缺斤短两 秤不准 短秤 少了二两",
    "expired": "过期 变质 保质期",
    "hygiene": "卫生差 脏乱差 脏 老鼠 苍蝇 蟑螂",
    "pollution": "污染 排污 粉尘 扬尘 灰尘 偷排",
}


#: Concepts that say when or how something is wrong, not what: a street's night works and
#: its barbecue's night noise share #night and #noise and are two problems. Clustering keeps
#: groups whose other concepts (their objects) are disjoint apart.
QUALIFIERS = ("night", "daytime", "noise", "sleep", "fee", "safety-hazard", "slow")


def _pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    owners: dict[str, list[str]] = {}
    for key, words in CONCEPTS.items():
        for word in words.split():
            owners.setdefault(word, []).append("#" + key)
    ordered = sorted(owners, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))), {
        word: tuple(keys) for word, keys in owners.items()
    }


_WORDS, _OWNERS = _pattern()


def owners() -> dict[str, tuple[str, ...]]:
    """Every thesaurus word and the concept keys it belongs to (for vectorised matching that
    gives the same keys as :func:`concepts`)."""
    return dict(_OWNERS)


def concepts(text: str) -> list[str]:
    """The concept keys (``#noise`` …) of normalised text, each once, in text order."""
    found: dict[str, None] = {}
    for match in _WORDS.finditer(text):
        for key in _OWNERS[match.group()]:
            found[key] = None
    return list(found)
