"""Who the customers are: demographics, branch and RM, wealth, and the behaviour each will show."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mofang.demo import people
from mofang.demo.orgs import MIGRANT_ID_CITIES, OrgTree, leaf_weights, rm_counts
from mofang.demo.timeline import Window

OCCUPATIONS = ("企业职员", "公务员", "事业单位", "教师", "医护人员", "IT从业者", "个体工商户", "企业主",
               "自由职业", "学生", "退休", "农业从业者", "金融从业者")
# Mean income band per occupation, and whether the job pays a monthly wage (代发 possible).
_OCC_INCOME = np.array([1.3, 1.6, 1.5, 1.4, 1.7, 2.1, 1.5, 2.8, 1.0, 0.0, 0.6, 0.3, 2.3])
_OCC_SALARIED = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
_OCC_BY_AGE = {  # occupation weights for ages <23, 23–49, 50–59 (some retire early), 60+
    "young": np.array([25, 0, 0, 0, 0, 5, 2, 0, 10, 58, 0, 0, 0], dtype=float),
    "adult": np.array([33, 4, 5, 5, 4, 9, 12, 4, 8, 0, 0, 5, 3], dtype=float),
    "late": np.array([30, 5, 6, 5, 4, 3, 12, 6, 6, 0, 12, 8, 3], dtype=float),
    "old": np.array([3, 0, 1, 0, 1, 0, 7, 5, 5, 0, 72, 6, 0], dtype=float),
}
INCOME_BANDS = ("5万以下", "5-10万", "10-20万", "20-50万", "50-100万", "100万以上")
ANNUAL_INCOME = np.array([36_000, 75_000, 150_000, 320_000, 700_000, 1_500_000], dtype=np.float64)
CHANNELS_ACQ = ("网点", "手机银行", "微信", "代发", "信用卡", "邀请有礼", "校园")
# Employers paying wages through the bank (代发): name, day of month, which occupations they employ.
EMPLOYERS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("华瑞科技有限公司", 10, (0, 5)), ("星云网络科技股份有限公司", 15, (0, 5)), ("中建三局", 15, (0, 8)),
    ("国家电网供电公司", 10, (0,)), ("顺达物流有限公司", 20, (0, 8)), ("美家商贸有限公司", 25, (0,)),
    ("联创电子制造有限公司", 10, (0,)), ("安康药业集团", 15, (0, 4)), ("市财政局(统发工资)", 15, (1, 2)),
    ("区教育局", 10, (3, 2)), ("市第一人民医院", 10, (4, 2)), ("中铁建设集团", 5, (0,)),
    ("鼎盛证券股份有限公司", 15, (12,)), ("新城控股物业服务", 20, (0,)), ("海川汽车零部件有限公司", 10, (0,)),
    ("天行互动娱乐有限公司", 15, (5,)), ("社会保险基金(养老金)", 8, (10,)),
)
PERSONAS = ("regular", "new_active", "new_fading", "dormant", "churner", "inactive", "offline")
REGULAR, NEW_ACTIVE, NEW_FADING, DORMANT, CHURNER, INACTIVE, OFFLINE = range(7)
CONSENTS = ("sms", "push", "inbox", "wechat", "email", "call")


@dataclass(frozen=True)
class Staff:
    """Relationship managers: id, Chinese name and the leaf they work in, by index."""

    rm_id: np.ndarray
    name: np.ndarray
    leaf: np.ndarray
    first_of_leaf: np.ndarray  # index of each leaf's first RM
    per_leaf: np.ndarray  # RMs per leaf


@dataclass(frozen=True)
class Population:
    """One array per attribute, aligned by customer index (customer id = index + 1)."""

    n: int
    leaf: np.ndarray
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    age: np.ndarray
    occupation: np.ndarray
    income: np.ndarray  # index into INCOME_BANDS
    salaried: np.ndarray  # wages arrive by 代发 on the employer's payday
    salary: np.ndarray  # monthly wage or pension in CNY (0 when not salaried)
    employer: np.ndarray  # index into EMPLOYERS, -1 if none
    acquisition: np.ndarray
    open_day: np.ndarray  # window day the account was opened; negative before the window
    open_date: np.ndarray  # datetime64[D]
    rm: np.ndarray  # index into Staff, -1 if none
    risk: np.ndarray  # KYC C1..C5 as 1..5
    consent: dict[str, np.ndarray]
    has_email: np.ndarray
    persona: np.ndarray  # index into PERSONAS
    activity: np.ndarray  # digital sessions per day when fully active
    branch_rate: np.ndarray  # branch visits per day
    web_share: np.ndarray  # share of sessions in h5/WeChat rather than the app
    wechat_share: np.ndarray  # of those, WeChat
    invest: np.ndarray  # willingness to buy wealth/fund products, 0..1
    borrow: np.ndarray  # interest in loans, 0..1
    spend_rate: np.ndarray  # card payments per day
    churn_start: np.ndarray  # window day the outflow starts (churners), else a large number
    decay_tau: np.ndarray  # days for dormant activity to fall by e
    decay_from: np.ndarray  # window day dormant decay begins
    os: np.ndarray  # 0 iOS, 1 Android, 2 HarmonyOS
    app_version: np.ndarray
    wealth: np.ndarray  # AUM in CNY before any churn outflow
    remain: np.ndarray  # share of AUM left after a churner's outflow (1 for everyone else)


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")


def make_staff(rng: np.random.Generator, tree: OrgTree, weights: np.ndarray) -> Staff:
    """2–6 RMs per leaf, ids like RM-GD-SZ-001-01, with Chinese names."""
    counts = rm_counts(weights)
    leaf = np.repeat(np.arange(len(tree.leaves)), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seq = np.arange(leaf.size) - first[leaf] + 1
    ids = np.array([f"RM-{tree.leaves[lf].code}-{s:02d}" for lf, s in zip(leaf, seq, strict=True)])
    male = rng.random(leaf.size) < 0.45
    names, _ = people.names(rng, male=male, birth_year=rng.integers(1975, 2000, leaf.size))
    return Staff(rm_id=ids, name=names, leaf=leaf, first_of_leaf=first, per_leaf=counts)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ages 18–80 shaped like a retail bank's book (most customers 25–55)."""
    bands = np.array([[18, 25], [25, 35], [35, 45], [45, 55], [55, 65], [65, 81]])
    band = _pick(rng, np.array([10, 24, 22, 19, 14, 11], dtype=float), n)
    return rng.integers(bands[band, 0], bands[band, 1])


def make_population(
    rng: np.random.Generator, *, n: int, tree: OrgTree, window: Window
) -> tuple[Population, Staff]:
    """Draw `n` customers and the RMs who look after them."""
    weights = leaf_weights(tree, rng)
    staff = make_staff(rng, tree, weights)
    leaf = _pick(rng, weights, n)
    city_size = np.array([lf.weight for lf in tree.leaves])[leaf]
    male = rng.random(n) < 0.51
    age = _ages(rng, n)
    end = np.datetime64(window.end, "D")
    birth = end - (age * 365.25 + rng.integers(1, 365, n)).astype("timedelta64[D]")

    occupation = np.empty(n, dtype=np.int64)
    groups = (("young", age < 23), ("adult", (age >= 23) & (age < 50)), ("late", (age >= 50) & (age < 60)),
              ("old", age >= 60))
    for group, mask in groups:
        sel = np.flatnonzero(mask)
        occupation[sel] = _pick(rng, _OCC_BY_AGE[group], sel.size)
    income_score = _OCC_INCOME[occupation] + 0.5 * (city_size - 1) + rng.normal(0, 0.8, n)
    income = np.clip(np.rint(income_score), 0, 5).astype(np.int64)

    # Tenure: long-standing customers opened years ago; a steady trickle opened inside the window.
    new = rng.random(n) < min(0.35, 0.0009 * window.days)
    tenure = np.minimum(rng.exponential(6.0 * 365, n), (age - 18) * 365.0 + 30)
    open_day = np.where(new, rng.integers(0, window.days, n), -1 - tenure.astype(np.int64))
    open_date = np.datetime64(window.start, "D") + open_day.astype("timedelta64[D]")
    digital_era = rng.random(n) < np.clip(1 - (-open_day) / (8 * 365), 0.1, 0.95)
    acquisition = np.where(digital_era, _pick(rng, np.array([8, 35, 15, 14, 10, 15, 3.0]), n),
                           _pick(rng, np.array([72, 3, 0, 15, 10, 0, 0.0]), n))
    acquisition = np.where((occupation == 9) & (rng.random(n) < 0.5), 6, acquisition)

    salaried = (_OCC_SALARIED[occupation] & (rng.random(n) < 0.65)) | (acquisition == 3) | (
        (occupation == 10) & (rng.random(n) < 0.6))
    employer = np.full(n, -1, dtype=np.int64)
    for occ in range(len(OCCUPATIONS)):
        options = np.array([e for e, (_, _, occs) in enumerate(EMPLOYERS) if occ in occs])
        sel = np.flatnonzero(salaried & (occupation == occ))
        if options.size == 0:
            options = np.arange(len(EMPLOYERS) - 1)  # anyone else works for one of the companies
        employer[sel] = options[rng.integers(0, options.size, sel.size)]
    pension = occupation == 10
    salary = np.where(pension, rng.uniform(2500, 7000, n), ANNUAL_INCOME[income] / 13 * rng.lognormal(0, 0.15, n))
    salary = np.where(salaried, np.round(salary, 2), 0.0)

    # Wealth: heavy-tailed, rising with income and age; a new account starts small.
    log_aum = (np.log(4200) + 0.8 * income + 0.025 * np.clip(age - 25, 0, 40) + rng.normal(0, 1.55, n)
               - np.where(new, 1.2, 0.0))
    wealth = np.exp(log_aum)

    risk_score = 2.4 + 0.35 * (income - 1.5) - 0.03 * (age - 40) + 0.2 * (np.log10(wealth) - 4) + rng.normal(0, 0.9, n)
    risk = np.clip(np.rint(risk_score), 1, 5).astype(np.int64)
    risk = np.where(age >= 65, np.minimum(risk, 3), risk)

    p_rm = np.select([wealth >= 500_000, wealth >= 50_000], [0.97, 0.8], 0.64)
    has_rm = rng.random(n) < p_rm
    rm = np.where(has_rm, staff.first_of_leaf[leaf] + (rng.random(n) * staff.per_leaf[leaf]).astype(np.int64), -1)

    # Persona: how a customer's activity will evolve over the window.
    p_offline = np.select([age >= 65, age >= 55], [0.55, 0.25], 0.05)
    persona = _pick(rng, np.array([75, 0, 0, 8, 5, 12, 0.0]), n)
    persona = np.where(new, np.where(rng.random(n) < 0.55, NEW_ACTIVE, NEW_FADING), persona)
    persona = np.where(~new & (rng.random(n) < p_offline), OFFLINE, persona)
    app_user = persona != OFFLINE

    youth = np.clip((55 - age) / 30, 0, 1)
    activity = rng.lognormal(np.log(0.275), 0.8, n) * (0.6 + 0.8 * youth) * np.where(occupation == 5, 1.3, 1.0)
    branch_rate = np.where(app_user, 0.004, 0.03) * rng.lognormal(0, 0.5, n)
    web_share = np.clip(rng.beta(1.2, 8, n) + 0.1 * youth, 0, 0.9)
    wechat_share = rng.beta(3, 2, n)
    invest = np.clip(0.15 + 0.12 * (risk - 1) + 0.06 * income + rng.normal(0, 0.12, n), 0.03, 1.0)
    borrow = np.clip(0.08 + 0.3 * np.exp(-(((age - 35) / 12) ** 2)) + rng.normal(0, 0.1, n), 0.0, 0.9)
    borrow = np.where(occupation == 6, borrow + 0.2, borrow)  # 个体工商户 need working capital
    spend_rate = rng.lognormal(np.log(0.45), 0.7, n) * (0.5 + 0.7 * youth)

    churner = persona == CHURNER
    # Outflow starts four to five weeks before the end (never on day 0, so the drop is visible).
    churn_start = np.where(churner, np.maximum(1, window.days - rng.integers(28, 37, n)), 10**6)
    remain = np.where(churner, rng.uniform(0.04, 0.35, n), 1.0)
    decay_tau = rng.uniform(6, 20, n)
    decay_from = rng.integers(-10, max(1, window.days // 3), n)

    has_email = rng.random(n) < np.select([age < 40, age < 55], [0.5, 0.32], 0.12)
    consent = {
        "sms": rng.random(n) < 0.93,
        "push": app_user & (rng.random(n) < 0.72),
        "inbox": app_user & (rng.random(n) < 0.96),
        "wechat": rng.random(n) < 0.35 + 0.3 * youth,
        "email": has_email & (rng.random(n) < 0.75),
        "call": rng.random(n) < 0.82,
    }
    p_ios = np.clip(0.25 + 0.12 * (city_size - 1) + 0.05 * income + 0.1 * youth, 0.05, 0.8)
    u = rng.random(n)
    os_ = np.where(u < p_ios, 0, np.where(u < p_ios + 0.1, 2, 1))
    app_version = _pick(rng, np.array([4, 8, 15, 30, 43.0]), n)

    pop = Population(
        n=n, leaf=leaf, male=male, birth=birth, age=age, occupation=occupation, income=income,
        salaried=salaried, salary=salary, employer=employer, acquisition=acquisition, open_day=open_day,
        open_date=open_date, rm=rm, risk=risk, consent=consent, has_email=has_email, persona=persona,
        activity=activity, branch_rate=branch_rate, web_share=web_share, wechat_share=wechat_share,
        invest=invest, borrow=borrow, spend_rate=spend_rate, churn_start=churn_start, decay_tau=decay_tau,
        decay_from=decay_from, os=os_, app_version=app_version, wealth=wealth, remain=remain,
    )
    return pop, staff


def life(pop: Population, d: int) -> np.ndarray:
    """How active each customer is on window day `d`, relative to their own normal level."""
    since_open = d - pop.open_day
    p = pop.persona
    out = np.ones(pop.n)
    out = np.where(p == NEW_ACTIVE, 1 + 2.5 * np.exp(-np.maximum(since_open, 0) / 7.0), out)
    out = np.where(p == NEW_FADING, 1.8 * np.exp(-np.maximum(since_open, 0) / 4.0), out)
    out = np.where(p == DORMANT, np.exp(-np.maximum(d - pop.decay_from, 0) / pop.decay_tau), out)
    # Churners wind down over two weeks from the start of their outflow, then stop logging in.
    out = np.where(p == CHURNER, np.clip(1 - (d - pop.churn_start) / 14.0, 0, 1), out)
    out = np.where((p == INACTIVE) | (p == OFFLINE), 0.0, out)
    return np.where(since_open < 0, 0.0, out)


def region_codes(rng: np.random.Generator, pop: Population, tree: OrgTree) -> np.ndarray:
    """Six-digit ID-card region of each customer: mostly the branch's district, some born elsewhere."""
    districts = np.array([lf.id_prefix for lf in tree.leaves])
    prov = np.array([lf.province_id for lf in tree.leaves])
    migrants = np.char.add(np.array(MIGRANT_ID_CITIES), "02")
    u = rng.random(pop.n)
    # Born elsewhere in the province: another branch's district; else from a migrant region.
    other = rng.integers(0, len(tree.leaves), pop.n)
    elsewhere = np.where(prov[other] == prov[pop.leaf], districts[other],
                         migrants[rng.integers(0, migrants.size, pop.n)])
    return np.where(u < 0.72, districts[pop.leaf], elsewhere)
