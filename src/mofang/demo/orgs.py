"""The demo bank's org tree: 总行 → 省分行 → 市分行 (or 管辖支行) → 支行, with real place names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (code, 省分行 name, province as written on an address, ID-card province digits, municipality?)
# then its cities: (code, short name, city name, ID-card city digits (a municipality's district:
# all six), size weight, districts).
# A municipality's second level is a district 管辖支行 and its leaves are neighbourhoods.
_GEO: tuple[tuple[str, str, str, str, bool, tuple[tuple[str, str, str, str, float, tuple[str, ...]], ...]], ...] = (
    ("GD", "广东省分行", "广东省", "44", False, (
        ("SZ", "深圳", "深圳市", "4403", 1.6, ("南山", "福田", "罗湖", "宝安", "龙岗", "龙华", "盐田", "光明",
                                            "坪山", "前海")),
        ("GZ", "广州", "广州市", "4401", 1.6, ("天河", "越秀", "海珠", "荔湾", "白云", "番禺", "黄埔", "花都",
                                            "南沙", "增城")),
        ("FS", "佛山", "佛山市", "4406", 1.0, ("禅城", "南海", "顺德", "三水", "高明")),
        ("DG", "东莞", "东莞市", "4419", 1.0, ("南城", "东城", "长安", "虎门", "松山湖")),
        ("ZH", "珠海", "珠海市", "4404", 0.8, ("香洲", "斗门", "金湾")),
    )),
    ("ZJ", "浙江省分行", "浙江省", "33", False, (
        ("HZ", "杭州", "杭州市", "3301", 1.3, ("西湖", "上城", "拱墅", "滨江", "萧山", "余杭", "临平", "钱塘",
                                            "富阳", "临安")),
        ("NB", "宁波", "宁波市", "3302", 1.0, ("海曙", "江北", "鄞州", "北仑", "镇海")),
        ("WZ", "温州", "温州市", "3303", 0.9, ("鹿城", "龙湾", "瓯海", "瑞安")),
        ("JX", "嘉兴", "嘉兴市", "3304", 0.7, ("南湖", "秀洲", "海宁")),
    )),
    ("JS", "江苏省分行", "江苏省", "32", False, (
        ("NJ", "南京", "南京市", "3201", 1.2, ("玄武", "秦淮", "建邺", "鼓楼", "栖霞", "江宁", "浦口", "雨花台")),
        ("SZ", "苏州", "苏州市", "3205", 1.2, ("姑苏", "工业园区", "吴中", "相城", "吴江", "昆山")),
        ("WX", "无锡", "无锡市", "3202", 0.9, ("梁溪", "滨湖", "新吴", "江阴")),
        ("CZ", "常州", "常州市", "3204", 0.8, ("天宁", "钟楼", "武进")),
    )),
    ("BJ", "北京市分行", "北京市", "11", True, (
        ("DC", "东城", "北京市", "110101", 1.5, ("东直门", "王府井")),
        ("XC", "西城", "北京市", "110102", 1.6, ("金融街", "西单", "德胜门")),
        ("CY", "朝阳", "北京市", "110105", 1.6, ("望京", "国贸", "三里屯", "亚运村", "大望路")),
        ("HD", "海淀", "北京市", "110108", 1.6, ("中关村", "五道口", "上地", "万柳")),
        ("FT", "丰台", "北京市", "110106", 1.2, ("丽泽", "方庄")),
        ("TZ", "通州", "北京市", "110112", 1.0, ("新华大街", "梨园")),
    )),
    ("SH", "上海市分行", "上海市", "31", True, (
        ("PD", "浦东", "上海市", "310115", 1.6, ("陆家嘴", "张江", "金桥", "世纪大道", "川沙")),
        ("HP", "黄浦", "上海市", "310101", 1.6, ("外滩", "南京东路", "淮海中路")),
        ("XH", "徐汇", "上海市", "310104", 1.5, ("徐家汇", "漕河泾", "田林")),
        ("JA", "静安", "上海市", "310106", 1.5, ("南京西路", "大宁")),
        ("CN", "长宁", "上海市", "310105", 1.3, ("虹桥", "中山公园")),
        ("MH", "闵行", "上海市", "310112", 1.2, ("莘庄", "七宝")),
        ("YP", "杨浦", "上海市", "310110", 1.1, ("五角场",)),
    )),
    ("SC", "四川省分行", "四川省", "51", False, (
        ("CD", "成都", "成都市", "5101", 1.2, ("锦江", "青羊", "金牛", "武侯", "成华", "高新", "天府新区",
                                            "双流", "郫都", "龙泉驿")),
        ("MY", "绵阳", "绵阳市", "5107", 0.7, ("涪城", "游仙")),
        ("YB", "宜宾", "宜宾市", "5115", 0.6, ("翠屏", "叙州")),
    )),
    ("HB", "湖北省分行", "湖北省", "42", False, (
        ("WH", "武汉", "武汉市", "4201", 1.2, ("江岸", "江汉", "硚口", "汉阳", "武昌", "洪山", "青山",
                                            "东湖高新", "江夏", "蔡甸")),
        ("YC", "宜昌", "宜昌市", "4205", 0.7, ("西陵", "伍家岗")),
        ("XY", "襄阳", "襄阳市", "4206", 0.7, ("襄城", "樊城")),
    )),
    ("SD", "山东省分行", "山东省", "37", False, (
        ("JN", "济南", "济南市", "3701", 1.0, ("历下", "市中", "槐荫", "天桥", "历城", "章丘")),
        ("QD", "青岛", "青岛市", "3702", 1.1, ("市南", "市北", "崂山", "黄岛", "李沧", "城阳")),
        ("YT", "烟台", "烟台市", "3706", 0.7, ("芝罘", "莱山")),
    )),
    ("HN", "河南省分行", "河南省", "41", False, (
        ("ZZ", "郑州", "郑州市", "4101", 1.0, ("金水", "二七", "中原", "管城", "郑东新区", "高新", "惠济",
                                            "航空港")),
        ("LY", "洛阳", "洛阳市", "4103", 0.7, ("西工", "洛龙")),
    )),
    ("FJ", "福建省分行", "福建省", "35", False, (
        ("FZ", "福州", "福州市", "3501", 0.9, ("鼓楼", "台江", "仓山", "晋安")),
        ("XM", "厦门", "厦门市", "3502", 1.1, ("思明", "湖里", "集美", "海沧")),
        ("QZ", "泉州", "泉州市", "3505", 0.8, ("丰泽", "鲤城", "晋江", "石狮")),
    )),
    ("CQ", "重庆市分行", "重庆市", "50", True, (
        ("YZ", "渝中", "重庆市", "500103", 1.1, ("解放碑", "朝天门")),
        ("JB", "江北", "重庆市", "500105", 1.0, ("观音桥", "江北嘴")),
        ("NA", "南岸", "重庆市", "500108", 0.9, ("南坪", "茶园")),
        ("YB", "渝北", "重庆市", "500112", 1.0, ("两路", "照母山")),
        ("SP", "沙坪坝", "重庆市", "500106", 0.9, ("三峡广场", "大学城")),
        ("JL", "九龙坡", "重庆市", "500107", 0.9, ("杨家坪", "谢家湾")),
    )),
    ("SN", "陕西省分行", "陕西省", "61", False, (
        ("XA", "西安", "西安市", "6101", 1.1, ("碑林", "雁塔", "未央", "莲湖", "新城", "高新", "曲江", "长安")),
        ("BJ", "宝鸡", "宝鸡市", "6103", 0.6, ("渭滨", "金台")),
        ("XY", "咸阳", "咸阳市", "6104", 0.6, ("秦都",)),
    )),
)

# ID-card city prefixes of places many customers moved from (湖南, 安徽, 江西, 广西, 河北, 辽宁, 贵州, 云南 …).
MIGRANT_ID_CITIES: tuple[str, ...] = (
    "4301", "4305", "4311", "3401", "3412", "3601", "3607", "4501", "4509", "1301", "1306", "2101",
    "5201", "5301", "1401", "2201", "2301", "6201", "1501", "4601",
)


@dataclass(frozen=True)
class OrgNode:
    """One org of the tree, as the metadata DB stores it."""

    code: str
    name: str
    parent_code: str | None
    level: int


@dataclass(frozen=True)
class Leaf:
    """A 支行 customers are managed by, with what a customer of it looks like on paper."""

    code: str
    name: str
    province: str
    city: str
    id_prefix: str  # six ID-card region digits of the branch's own district
    province_id: str  # two ID-card province digits
    weight: float  # relative number of customers


@dataclass(frozen=True)
class OrgTree:
    """The whole tree (parents first) and its leaves in a fixed order."""

    nodes: tuple[OrgNode, ...]
    leaves: tuple[Leaf, ...]

    def leaf_index(self, code: str) -> int:
        """Position of a leaf by code."""
        return next(i for i, leaf in enumerate(self.leaves) if leaf.code == code)


def build_org_tree() -> OrgTree:
    """The fixed demo tree: HQ, 12 provinces, their cities and about 200 支行."""
    nodes = [OrgNode("HQ", "总行", None, 0)]
    leaves: list[Leaf] = []
    for p_code, p_name, province, p_id, municipality, cities in _GEO:
        nodes.append(OrgNode(p_code, p_name, "HQ", 1))
        short = province.removesuffix("市")
        for c_code, c_short, city, c_id, weight, districts in cities:
            code = f"{p_code}-{c_code}"
            name = f"{short}{c_short}管辖支行" if municipality else f"{city}分行"
            nodes.append(OrgNode(code, name, p_code, 2))
            prefix = short if municipality else c_short
            for i, district in enumerate(districts, start=1):
                leaf_code = f"{code}-{i:03d}"
                leaf_name = f"{prefix}{district}支行"
                nodes.append(OrgNode(leaf_code, leaf_name, code, 3))
                # A municipality's district carries its own six digits; elsewhere number districts per city.
                id_prefix = c_id if municipality else f"{c_id}{i + 1:02d}"
                leaves.append(Leaf(leaf_code, leaf_name, province, city, id_prefix, p_id, weight))
    return OrgTree(nodes=tuple(nodes), leaves=tuple(leaves))


def leaf_weights(tree: OrgTree, rng: np.random.Generator) -> np.ndarray:
    """Share of customers per leaf: city size times a branch's own pull."""
    base = np.array([leaf.weight for leaf in tree.leaves])
    w = base * rng.lognormal(0.0, 0.35, size=base.size)
    return w / w.sum()


def rm_counts(weights: np.ndarray) -> np.ndarray:
    """Relationship managers per leaf (2–6), more in bigger branches."""
    scaled = weights / weights.max()
    return np.clip(np.rint(2 + 4 * scaled**0.7), 2, 6).astype(np.int64)
