"""Pools of realistic Chinese names, cities, districts and addresses for the sample generator.

Everything here is data. The city pool holds the real prefecture-level cities (地级市) by
province, Zhejiang first, followed by a few large county-level cities; `city_names(n)` continues
with numbered names (城市308 …) when more are asked for.
"""
from __future__ import annotations

import hashlib

# --- cities ----------------------------------------------------------------------------------------

#: (GB/T 2260 province code, cities of the province). Zhejiang first: the default three cities
#: are 杭州市, 宁波市, 温州市.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("33", "杭州市 宁波市 温州市 嘉兴市 湖州市 绍兴市 金华市 衢州市 舟山市 台州市 丽水市"),
    ("32", "南京市 无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市 镇江市 泰州市 宿迁市"),
    ("31", "上海市"),
    ("34", "合肥市 芜湖市 蚌埠市 淮南市 马鞍山市 淮北市 铜陵市 安庆市 黄山市 滁州市 阜阳市 宿州市 六安市 亳州市 池州市 宣城市"),
    ("35", "福州市 厦门市 莆田市 三明市 泉州市 漳州市 南平市 龙岩市 宁德市"),
    ("36", "南昌市 景德镇市 萍乡市 九江市 新余市 鹰潭市 赣州市 吉安市 宜春市 抚州市 上饶市"),
    ("37", "济南市 青岛市 淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市 德州市 聊城市 滨州市 菏泽市"),
    ("44", "广州市 韶关市 深圳市 珠海市 汕头市 佛山市 江门市 湛江市 茂名市 肇庆市 惠州市 梅州市 汕尾市 河源市 阳江市 清远市 东莞市 中山市 潮州市 揭阳市 云浮市"),
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "石家庄市 唐山市 秦皇岛市 邯郸市 邢台市 保定市 张家口市 承德市 沧州市 廊坊市 衡水市"),
    ("14", "太原市 大同市 阳泉市 长治市 晋城市 朔州市 晋中市 运城市 忻州市 临汾市 吕梁市"),
    ("15", "呼和浩特市 包头市 乌海市 赤峰市 通辽市 鄂尔多斯市 呼伦贝尔市 巴彦淖尔市 乌兰察布市"),
    ("21", "沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市 葫芦岛市"),
    ("22", "长春市 吉林市 四平市 辽源市 通化市 白山市 松原市 白城市"),
    ("23", "哈尔滨市 齐齐哈尔市 鸡西市 鹤岗市 双鸭山市 大庆市 伊春市 佳木斯市 七台河市 牡丹江市 黑河市 绥化市"),
    ("41", "郑州市 开封市 洛阳市 平顶山市 安阳市 鹤壁市 新乡市 焦作市 濮阳市 许昌市 漯河市 三门峡市 南阳市 商丘市 信阳市 周口市 驻马店市"),
    ("42", "武汉市 黄石市 十堰市 宜昌市 襄阳市 鄂州市 荆门市 孝感市 荆州市 黄冈市 咸宁市 随州市"),
    ("43", "长沙市 株洲市 湘潭市 衡阳市 邵阳市 岳阳市 常德市 张家界市 益阳市 郴州市 永州市 怀化市 娄底市"),
    ("45", "南宁市 柳州市 桂林市 梧州市 北海市 防城港市 钦州市 贵港市 玉林市 百色市 贺州市 河池市 来宾市 崇左市"),
    ("46", "海口市 三亚市 三沙市 儋州市"),
    ("50", "重庆市"),
    ("51", "成都市 自贡市 攀枝花市 泸州市 德阳市 绵阳市 广元市 遂宁市 内江市 乐山市 南充市 眉山市 宜宾市 广安市 达州市 雅安市 巴中市 资阳市"),
    ("52", "贵阳市 六盘水市 遵义市 安顺市 毕节市 铜仁市"),
    ("53", "昆明市 曲靖市 玉溪市 保山市 昭通市 丽江市 普洱市 临沧市"),
    ("54", "拉萨市 日喀则市 昌都市 林芝市 山南市 那曲市"),
    ("61", "西安市 铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市"),
    ("62", "兰州市 嘉峪关市 金昌市 白银市 天水市 武威市 张掖市 平凉市 酒泉市 庆阳市 定西市 陇南市"),
    ("63", "西宁市 海东市"),
    ("64", "银川市 石嘴山市 吴忠市 固原市 中卫市"),
    ("65", "乌鲁木齐市 克拉玛依市 吐鲁番市 哈密市"),
)

#: Large county-level cities with their own service centres (province code, names).
COUNTY_CITIES: tuple[tuple[str, str], ...] = (
    ("33", "义乌市 慈溪市 余姚市 乐清市 瑞安市"),
    ("32", "昆山市 江阴市 张家港市 常熟市"),
    ("35", "晋江市"),
)


def _city_table() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for prov, names in (*PROVINCES, *COUNTY_CITIES):
        for name in names.split():
            index = sum(1 for p, _ in table.values() if p == prov) + 1
            table.setdefault(name, (prov, index))
    return table


CITIES: dict[str, tuple[str, int]] = _city_table()   # name → (province code, index in province)
REAL_CITY_NAMES: tuple[str, ...] = tuple(CITIES)


def city_names(n: int) -> list[str]:
    """The first `n` city names: real ones first, then 城市308, 城市309 …"""
    names = list(REAL_CITY_NAMES[:n])
    k = len(names)
    while len(names) < n:
        k += 1
        names.append(f"城市{k}")
    return names


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def region_code(city: str) -> str:
    """The first four digits of an ID number issued in the city (330100 → 杭州 is 3301)."""
    prov, index = CITIES.get(city, ("", 0))
    if not prov:
        prov = ("33", "32", "34", "36", "37", "41", "43", "44", "51")[_digest(city) % 9]
        index = 1 + _digest(city + "#") % 20
    return f"{prov}{min(index, 99):02d}"


AREA_CODES = {
    "杭州市": "0571", "宁波市": "0574", "温州市": "0577", "嘉兴市": "0573", "湖州市": "0572",
    "绍兴市": "0575", "金华市": "0579", "衢州市": "0570", "舟山市": "0580", "台州市": "0576",
    "丽水市": "0578", "南京市": "025", "无锡市": "0510", "徐州市": "0516", "常州市": "0519",
    "苏州市": "0512", "南通市": "0513", "扬州市": "0514", "上海市": "021", "北京市": "010",
    "天津市": "022", "重庆市": "023", "广州市": "020", "深圳市": "0755", "佛山市": "0757",
    "东莞市": "0769", "厦门市": "0592", "福州市": "0591", "泉州市": "0595", "合肥市": "0551",
    "南昌市": "0791", "济南市": "0531", "青岛市": "0532", "郑州市": "0371", "武汉市": "027",
    "长沙市": "0731", "成都市": "028", "西安市": "029", "沈阳市": "024", "大连市": "0411",
    "哈尔滨市": "0451", "长春市": "0431", "昆明市": "0871", "贵阳市": "0851", "南宁市": "0771",
    "石家庄市": "0311", "太原市": "0351", "兰州市": "0931", "海口市": "0898", "义乌市": "0579",
}


def area_code(city: str) -> str:
    """The landline area code (0 + 2 or 3 digits)."""
    return AREA_CODES.get(city) or f"0{300 + _digest(city) % 600}"


DISTRICTS = {
    "杭州市": "上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 钱塘区 富阳区 临安区",
    "宁波市": "海曙区 江北区 北仑区 镇海区 鄞州区 奉化区 余姚市 慈溪市 宁海县 象山县",
    "温州市": "鹿城区 龙湾区 瓯海区 洞头区 瑞安市 乐清市 永嘉县 平阳县 苍南县",
    "嘉兴市": "南湖区 秀洲区 嘉善县 海盐县 海宁市 平湖市 桐乡市",
    "湖州市": "吴兴区 南浔区 德清县 长兴县 安吉县",
    "绍兴市": "越城区 柯桥区 上虞区 诸暨市 嵊州市 新昌县",
    "金华市": "婺城区 金东区 义乌市 东阳市 永康市 兰溪市 浦江县 武义县",
    "衢州市": "柯城区 衢江区 江山市 龙游县 常山县 开化县",
    "舟山市": "定海区 普陀区 岱山县 嵊泗县",
    "台州市": "椒江区 黄岩区 路桥区 临海市 温岭市 玉环市 天台县 仙居县",
    "丽水市": "莲都区 龙泉市 青田县 缙云县 遂昌县 松阳县",
    "南京市": "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区",
    "苏州市": "姑苏区 虎丘区 吴中区 相城区 吴江区 常熟市 昆山市 张家港市",
    "无锡市": "梁溪区 锡山区 惠山区 滨湖区 新吴区 江阴市 宜兴市",
    "上海市": "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 浦东新区",
    "北京市": "东城区 西城区 朝阳区 丰台区 石景山区 海淀区 通州区 昌平区 大兴区",
    "广州市": "荔湾区 越秀区 海珠区 天河区 白云区 黄埔区 番禺区 花都区",
    "深圳市": "罗湖区 福田区 南山区 宝安区 龙岗区 盐田区 龙华区",
    "成都市": "锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 双流区 郫都区",
    "武汉市": "江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区",
    "合肥市": "瑶海区 庐阳区 蜀山区 包河区 肥东县 肥西县",
    "长沙市": "芙蓉区 天心区 岳麓区 开福区 雨花区 望城区",
    "郑州市": "中原区 二七区 金水区 管城回族区 惠济区 郑东新区",
    "济南市": "历下区 市中区 槐荫区 天桥区 历城区 长清区",
    "青岛市": "市南区 市北区 黄岛区 崂山区 李沧区 城阳区",
    "西安市": "新城区 碑林区 莲湖区 雁塔区 未央区 灞桥区 长安区",
    "重庆市": "渝中区 江北区 沙坪坝区 九龙坡区 南岸区 渝北区 巴南区",
}
_GENERIC_DISTRICTS = "城东区 城西区 城南区 城北区 经济技术开发区 高新技术产业开发区 新城区"


def districts(city: str) -> list[str]:
    return (DISTRICTS.get(city) or _GENERIC_DISTRICTS).split()


ROADS = ("人民路 解放路 中山路 建设路 文化路 和平路 新华路 胜利路 延安路 环城东路 环城西路 学院路 "
         "江南大道 滨江路 体育场路 青年路 钱江路 湖滨路 长安路 迎宾大道 世纪大道 光明路 幸福路 "
         "东风路 朝阳路 望江路 春晖路 凤凰路 金山路 银湖路 新城大道 园区路 创业路 振兴路").split()
COMMUNITIES = ("阳光花园 金色家园 桂花园 锦绣江南 翡翠城 东方名苑 世纪新城 和园 滨江花园 天悦府 "
               "紫金华府 绿地城 万家花城 时代广场 香樟苑 丽景湾 玉兰苑 星河湾 明珠苑 御景园 "
               "都市花园 湖畔居 书香门第 江南春晓 南苑小区 北苑小区 东苑新村 西溪花园").split()

# --- people --------------------------------------------------------------------------------------

SURNAMES = ("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
            "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
            "石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 "
            "万 钱 严 覃 武 戴 莫 孔 向 汤 应 楼 俞 虞 章 童 欧阳 诸葛 司马").split()
# the common surnames first: weight them by rank (a rough Zipf curve)
SURNAME_WEIGHTS = tuple(1.0 / (i + 8) for i in range(len(SURNAMES)))

MALE_CHARS = ("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 林 "
              "阳 建 国 峰 亮 成 志 东 海 晨 博 文 武 振 兴 家 荣 德 庆 春 晓 立 新 永 忠 金 宏 江 洋").split()
FEMALE_CHARS = ("芳 娜 敏 静 丽 艳 娟 霞 秀 燕 玲 桂 丹 萍 红 琳 莉 雪 梅 婷 慧 倩 颖 璐 琴 云 洁 佳 "
                "欣 怡 悦 雯 蕾 晶 月 彤 薇 蓉 思 梦 媛 晴 瑶 露 珊 菲 青 凤 兰 英 淑 美 玉").split()


def person_name(rng, male: bool = True) -> str:
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = MALE_CHARS if male else FEMALE_CHARS
    if rng.random() < 0.3:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


def customer_name(rng) -> str:
    """Customers are often written down as 王先生 / 李女士."""
    male = rng.random() < 0.55
    if rng.random() < 0.15:
        return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + ("先生" if male else "女士")
    return person_name(rng, male)


MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                   "166 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199").split()


def mobile(rng) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def landline(rng, city: str) -> str:
    code = area_code(city)
    digits = 8 if len(code) <= 4 else 7
    return f"{code}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def address(rng, city: str, district_list: list[str]) -> str:
    district = rng.choice(district_list)
    road = rng.choice(ROADS)
    if rng.random() < 0.75:
        return (f"{city}{district}{road}{rng.randint(1, 999)}号{rng.choice(COMMUNITIES)}"
                f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室")
    return f"{city}{district}{road}{rng.randint(1, 999)}号"


DISTRIBUTOR_WORDS = ("鸿运 安居 佳美 金鼎 宏达 顺发 华庭 嘉禾 永信 恒通 盛世 汇丰 天成 锦程 美家 福满").split()
DISTRIBUTOR_KINDS = ("建材商行", "卫浴专卖店", "建材有限公司", "卫浴经营部", "家居建材城店")


def short_city(city: str) -> str:
    return city[:-1] if city.endswith("市") and len(city) > 2 else city
