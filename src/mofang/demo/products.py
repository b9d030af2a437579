"""The demo bank's product shelf: deposits, wealth, funds, insurance, gold, loans and cards."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Product:
    """One product as the `products` table holds it, plus the shelf it sits on."""

    product_id: str
    name: str
    product_type: str
    risk: int  # R1..R5 as 1..5
    rate: float  # percent per year
    term_days: int | None
    shelf: str  # deposit | wealth | fund | insurance | gold | loan | card

    @property
    def is_liability(self) -> bool:
        """Loans and cards are owed by the customer, so they never count toward AUM."""
        return self.shelf in ("loan", "card")


PRODUCTS: tuple[Product, ...] = (
    Product("DEP-CUR", "魔方活期宝", "活期", 1, 0.15, None, "deposit"),
    Product("TD-3M", "魔方整存整取3个月", "定期", 1, 0.85, 91, "deposit"),
    Product("TD-6M", "魔方整存整取6个月", "定期", 1, 1.05, 182, "deposit"),
    Product("TD-1Y", "魔方整存整取1年", "定期", 1, 1.25, 365, "deposit"),
    Product("TD-3Y", "魔方整存整取3年", "定期", 1, 1.55, 1095, "deposit"),
    Product("CD-1Y", "魔方大额存单1年期", "大额存单", 1, 1.45, 365, "deposit"),
    Product("CD-3Y", "魔方大额存单3年期", "大额存单", 1, 1.90, 1095, "deposit"),
    Product("WM-7D", "魔方天天利7天理财", "理财", 2, 2.05, 7, "wealth"),
    Product("WM-30D", "魔方稳享30天理财", "理财", 2, 2.35, 30, "wealth"),
    Product("WM-90D", "魔方稳盈90天理财", "理财", 2, 2.60, 90, "wealth"),
    Product("WM-180D", "魔方安鑫180天理财", "理财", 2, 2.85, 180, "wealth"),
    Product("WM-1Y", "魔方丰收一年定开理财", "理财", 3, 3.20, 365, "wealth"),
    Product("WM-FEST", "魔方理财节专享91天", "理财", 2, 3.00, 91, "wealth"),
    Product("WM-ESG", "魔方绿色ESG优选理财", "理财", 3, 3.40, 365, "wealth"),
    Product("WM-PENS", "魔方养老理财2035", "理财", 2, 3.60, 1825, "wealth"),
    Product("FD-MMF-A", "魔方货币基金A", "基金", 1, 1.70, None, "fund"),
    Product("FD-MMF-B", "魔方现金宝货币B", "基金", 1, 1.85, None, "fund"),
    Product("FD-BOND", "魔方纯债债券基金A", "基金", 2, 3.10, None, "fund"),
    Product("FD-BOND-C", "魔方短债债券基金C", "基金", 2, 2.60, None, "fund"),
    Product("FD-MIX-A", "魔方优选混合基金A", "基金", 3, 5.50, None, "fund"),
    Product("FD-MIX-B", "魔方价值成长混合", "基金", 4, 6.80, None, "fund"),
    Product("FD-IDX300", "魔方沪深300指数增强", "基金", 4, 7.20, None, "fund"),
    Product("FD-TECH", "魔方科技创新股票", "基金", 5, 9.00, None, "fund"),
    Product("FD-HEALTH", "魔方医疗健康股票", "基金", 5, 8.50, None, "fund"),
    Product("FD-QDII", "魔方全球精选QDII", "基金", 4, 6.00, None, "fund"),
    Product("INS-ANN", "魔方鑫享年金保险", "保险", 2, 3.00, 3650, "insurance"),
    Product("INS-WL", "魔方增额终身寿险", "保险", 2, 3.00, None, "insurance"),
    Product("INS-HEALTH", "魔方百万医疗险", "保险", 1, 0.0, 365, "insurance"),
    Product("GOLD-ACC", "魔方积存金", "贵金属", 3, 0.0, None, "gold"),
    Product("GOLD-BAR", "魔方如意金条", "贵金属", 3, 0.0, None, "gold"),
    Product("LN-CONS", "魔方闪电贷", "消费贷", 1, 3.65, 365, "loan"),
    Product("LN-CONS-E", "魔方e秒贷", "消费贷", 1, 4.20, 730, "loan"),
    Product("LN-BIZ", "魔方经营快贷", "经营贷", 1, 3.45, 1095, "loan"),
    Product("LN-BIZ-T", "魔方税e贷", "经营贷", 1, 3.80, 365, "loan"),
    Product("LN-MORT", "魔方安居房贷", "房贷", 1, 3.10, 10950, "loan"),
    Product("LN-MORT-P", "魔方公积金组合贷", "房贷", 1, 2.85, 9125, "loan"),
    Product("CC-STD", "魔方标准信用卡", "信用卡", 1, 18.25, None, "card"),
    Product("CC-GOLD", "魔方金卡", "信用卡", 1, 18.25, None, "card"),
    Product("CC-PLAT", "魔方白金卡", "信用卡", 1, 18.25, None, "card"),
    Product("CC-YOUTH", "魔方青春卡", "信用卡", 1, 18.25, None, "card"),
)


def index_of(product_id: str) -> int:
    """Position of a product on the shelf."""
    return next(i for i, p in enumerate(PRODUCTS) if p.product_id == product_id)


def on_shelf(*shelves: str) -> np.ndarray:
    """Indices of the products on the given shelves."""
    return np.array([i for i, p in enumerate(PRODUCTS) if p.shelf in shelves], dtype=np.int64)


def risk_levels() -> np.ndarray:
    """Each product's risk level 1..5, by index."""
    return np.array([p.risk for p in PRODUCTS], dtype=np.int64)


def liabilities() -> np.ndarray:
    """Whether each product is a liability, by index."""
    return np.array([p.is_liability for p in PRODUCTS], dtype=bool)


def products_table() -> pa.Table:
    """The `products` table in DDL column order."""
    return pa.table({
        "product_id": [p.product_id for p in PRODUCTS],
        "name": [p.name for p in PRODUCTS],
        "product_type": [p.product_type for p in PRODUCTS],
        "risk_level": [f"R{p.risk}" for p in PRODUCTS],
        "rate": pa.array([p.rate for p in PRODUCTS], pa.float64()),
        "term_days": pa.array([p.term_days for p in PRODUCTS], pa.int32()),
        "is_liability": [p.is_liability for p in PRODUCTS],
    })
