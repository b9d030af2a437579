"""Names, ID-card numbers, mobile numbers and e-mail addresses, generated in bulk from a Generator."""

from __future__ import annotations

import numpy as np

# Common surnames with their approximate share of the population (percent) and pinyin.
_SURNAMES = (
    ("王", 7.1, "wang"), ("李", 7.0, "li"), ("张", 6.7, "zhang"), ("刘", 5.3, "liu"), ("陈", 4.5, "chen"),
    ("杨", 3.1, "yang"), ("黄", 2.2, "huang"), ("赵", 2.1, "zhao"), ("吴", 2.0, "wu"), ("周", 1.9, "zhou"),
    ("徐", 1.5, "xu"), ("孙", 1.5, "sun"), ("马", 1.4, "ma"), ("朱", 1.3, "zhu"), ("胡", 1.3, "hu"),
    ("郭", 1.1, "guo"), ("何", 1.1, "he"), ("林", 1.0, "lin"), ("高", 1.0, "gao"), ("罗", 0.9, "luo"),
    ("郑", 0.9, "zheng"), ("梁", 0.8, "liang"), ("谢", 0.7, "xie"), ("宋", 0.6, "song"), ("唐", 0.6, "tang"),
    ("许", 0.6, "xu"), ("邓", 0.5, "deng"), ("冯", 0.5, "feng"), ("韩", 0.5, "han"), ("曹", 0.5, "cao"),
    ("曾", 0.5, "zeng"), ("彭", 0.5, "peng"), ("肖", 0.4, "xiao"), ("蔡", 0.4, "cai"), ("潘", 0.4, "pan"),
    ("田", 0.4, "tian"), ("董", 0.4, "dong"), ("袁", 0.4, "yuan"), ("于", 0.4, "yu"), ("余", 0.4, "yu"),
    ("叶", 0.4, "ye"), ("蒋", 0.4, "jiang"), ("杜", 0.3, "du"), ("苏", 0.3, "su"), ("魏", 0.3, "wei"),
    ("程", 0.3, "cheng"), ("吕", 0.3, "lv"), ("丁", 0.3, "ding"), ("沈", 0.3, "shen"), ("任", 0.3, "ren"),
    ("姚", 0.3, "yao"), ("卢", 0.3, "lu"), ("钟", 0.3, "zhong"), ("姜", 0.3, "jiang"), ("崔", 0.3, "cui"),
    ("谭", 0.3, "tan"), ("陆", 0.2, "lu"), ("范", 0.2, "fan"), ("汪", 0.2, "wang"), ("廖", 0.2, "liao"),
    ("石", 0.2, "shi"), ("金", 0.2, "jin"), ("韦", 0.2, "wei"), ("贾", 0.2, "jia"), ("夏", 0.2, "xia"),
    ("付", 0.2, "fu"), ("方", 0.2, "fang"), ("邹", 0.2, "zou"), ("熊", 0.2, "xiong"), ("白", 0.2, "bai"),
    ("孟", 0.2, "meng"), ("秦", 0.2, "qin"), ("邱", 0.2, "qiu"), ("侯", 0.2, "hou"), ("江", 0.2, "jiang"),
    ("尹", 0.2, "yin"), ("薛", 0.2, "xue"), ("闫", 0.2, "yan"), ("段", 0.2, "duan"), ("雷", 0.2, "lei"),
    ("龙", 0.1, "long"), ("黎", 0.1, "li"), ("史", 0.1, "shi"), ("陶", 0.1, "tao"), ("贺", 0.1, "he"),
    ("毛", 0.1, "mao"), ("顾", 0.1, "gu"), ("龚", 0.1, "gong"), ("邵", 0.1, "shao"), ("万", 0.1, "wan"),
    ("覃", 0.1, "qin"), ("武", 0.1, "wu"), ("钱", 0.1, "qian"), ("戴", 0.1, "dai"), ("严", 0.1, "yan"),
    ("欧阳", 0.05, "ouyang"), ("司马", 0.01, "sima"), ("上官", 0.01, "shangguan"), ("诸葛", 0.01, "zhuge"),
)

# Given-name characters by sex and era: parents of the 1950s–70s chose differently from those of the 1990s.
_GIVEN = {
    ("M", "old"): "伟:wei 强:qiang 军:jun 勇:yong 建:jian 国:guo 平:ping 明:ming 华:hua 林:lin 刚:gang "
                  "峰:feng 海:hai 志:zhi 文:wen 斌:bin 辉:hui 东:dong 庆:qing 春:chun 成:cheng 德:de 永:yong "
                  "利:li 荣:rong 生:sheng 福:fu 兵:bing 红:hong 卫:wei",
    ("M", "new"): "浩:hao 宇:yu 轩:xuan 子:zi 涛:tao 杰:jie 鹏:peng 磊:lei 超:chao 凯:kai 博:bo 晨:chen "
                  "俊:jun 帆:fan 旭:xu 阳:yang 泽:ze 睿:rui 然:ran 一:yi 航:hang 天:tian 鑫:xin 昊:hao "
                  "铭:ming 煜:yu 哲:zhe 翔:xiang 飞:fei 嘉:jia",
    ("F", "old"): "秀:xiu 英:ying 芳:fang 兰:lan 丽:li 敏:min 霞:xia 玉:yu 珍:zhen 红:hong 梅:mei 娟:juan "
                  "萍:ping 桂:gui 凤:feng 华:hua 琴:qin 云:yun 燕:yan 艳:yan 静:jing 淑:shu 翠:cui 莲:lian "
                  "慧:hui 玲:ling 春:chun 琼:qiong 素:su 洁:jie",
    ("F", "new"): "婷:ting 雪:xue 倩:qian 颖:ying 琳:lin 欣:xin 怡:yi 佳:jia 悦:yue 梓:zi 涵:han 诗:shi "
                  "雨:yu 萱:xuan 思:si 彤:tong 可:ke 馨:xin 梦:meng 瑶:yao 晶:jing 蕾:lei 璐:lu 莹:ying "
                  "婉:wan 妍:yan 芮:rui 语:yu 晓:xiao 心:xin",
}

# Mobile prefixes of China Mobile, Unicom, Telecom and Broadnet, weighted by how often one meets them.
_MOBILE_PREFIXES = (
    ("138", 6), ("139", 6), ("137", 5), ("136", 5), ("135", 5), ("134", 3), ("150", 4), ("151", 4),
    ("152", 3), ("157", 2), ("158", 4), ("159", 4), ("182", 3), ("183", 3), ("187", 4), ("188", 3),
    ("198", 2), ("147", 1), ("178", 2), ("130", 4), ("131", 4), ("132", 3), ("155", 3), ("156", 3),
    ("185", 3), ("186", 4), ("166", 2), ("176", 2), ("175", 1), ("133", 3), ("153", 2), ("180", 3),
    ("181", 3), ("189", 4), ("177", 2), ("173", 2), ("199", 2), ("191", 1), ("192", 1),
)

_EMAIL_DOMAINS = (("163.com", 30), ("126.com", 12), ("sina.com", 6), ("gmail.com", 6), ("outlook.com", 8),
                  ("foxmail.com", 8), ("139.com", 5), ("hotmail.com", 3), ("sohu.com", 2))

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = "10X98765432"


def _split(pool: str) -> tuple[np.ndarray, np.ndarray]:
    """Characters and their pinyin from '字:zi 字:zi'."""
    pairs = [p.split(":") for p in pool.split()]
    return np.array([c for c, _ in pairs]), np.array([py for _, py in pairs])


def _weighted(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")


def names(
    rng: np.random.Generator, *, male: np.ndarray, birth_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Chinese names (surname + 1–2 given characters) and a pinyin handle for each."""
    n = male.size
    surnames = np.array([s for s, _, _ in _SURNAMES])
    surname_py = np.array([p for _, _, p in _SURNAMES])
    s_idx = _weighted(rng, np.array([w for _, w, _ in _SURNAMES]), n)
    # Born before 1975 → mostly the older naming fashion; after 1990 → mostly the newer one.
    p_new = np.clip((birth_year - 1965) / 30.0, 0.05, 0.95)
    era_new = rng.random(n) < p_new
    two_chars = rng.random(n) < np.where(era_new, 0.78, 0.6)
    given = np.full(n, "", dtype="<U2")
    given_py = np.full(n, "", dtype="<U12")
    for sex, sex_mask in (("M", male), ("F", ~male)):
        for era, era_mask in (("new", era_new), ("old", ~era_new)):
            chars, pys = _split(_GIVEN[(sex, era)])
            sel = np.flatnonzero(sex_mask & era_mask)
            a = rng.integers(0, chars.size, sel.size)
            b = rng.integers(0, chars.size, sel.size)
            two = two_chars[sel]
            given[sel] = np.where(two, np.char.add(chars[a], chars[b]), chars[a])
            given_py[sel] = np.where(two, np.char.add(pys[a], pys[b]), pys[a])
    return np.char.add(surnames[s_idx], given), np.char.add(given_py, surname_py[s_idx])


def id_check_digit(first17: str) -> str:
    """GB 11643 check character of the first 17 digits of a resident ID number."""
    total = sum(int(d) * int(w) for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_numbers(
    rng: np.random.Generator, *, region: np.ndarray, birth: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """18-digit resident ID numbers: 6 region digits, birth date, sequence (odd for men), check."""
    n = region.size
    ymd = birth.astype("datetime64[D]").astype(str)
    seq = rng.integers(0, 500, n) * 2 + np.where(male, 1, 0)  # the 17th digit's parity carries the sex
    first17 = np.char.add(np.char.add(region.astype("<U6"), np.char.replace(ymd, "-", "")),
                          np.char.zfill(seq.astype("<U3"), 3))
    digits = first17.astype("S17").view(np.uint8).reshape(n, 17).astype(np.int64) - ord("0")
    check = np.frombuffer(ID_CHECK.encode(), dtype="S1")[(digits @ ID_WEIGHTS) % 11].astype("<U1")
    return np.char.add(first17, check)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct, valid-looking 11-digit mobile numbers."""
    prefixes = np.array([int(p) for p, _ in _MOBILE_PREFIXES], dtype=np.int64)
    weights = np.array([w for _, w in _MOBILE_PREFIXES], dtype=np.float64)
    values = prefixes[_weighted(rng, weights, n)] * 10**8 + rng.integers(0, 10**8, n)
    # Two customers never share a number: redraw the later of any duplicates until none are left.
    while True:
        _, first = np.unique(values, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        if dup.size == 0:
            return values.astype("<U11")
        values[dup] = prefixes[_weighted(rng, weights, dup.size)] * 10**8 + rng.integers(0, 10**8, dup.size)


def emails(
    rng: np.random.Generator, *, handle: np.ndarray, birth_year: np.ndarray, has_email: np.ndarray
) -> np.ndarray:
    """E-mail addresses (empty string where a customer has none): QQ numbers or pinyin handles."""
    n = handle.size
    out = np.full(n, "", dtype="<U48")
    sel = np.flatnonzero(has_email)
    k = sel.size
    qq = rng.random(k) < 0.4
    qq_num = rng.integers(10**7, 3 * 10**9, k).astype("<U10")
    doms = np.array([d for d, _ in _EMAIL_DOMAINS])[_weighted(rng, np.array([w for _, w in _EMAIL_DOMAINS]), k)]
    style = rng.integers(0, 3, k)  # bare handle, handle+birth year, handle+random digits
    suffix = np.where(style == 1, birth_year[sel].astype("<U4"),
                      np.where(style == 2, rng.integers(1, 999, k).astype("<U3"), ""))
    local = np.where(qq, qq_num, np.char.add(handle[sel], suffix))
    out[sel] = np.char.add(np.char.add(local, "@"), np.where(qq, "qq.com", doms))
    return out
