"""适当性 suitability: a product of risk R(n) is never offered to a customer whose KYC level is below C(n)."""

from __future__ import annotations

RISK_LEVELS: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5")


def risk_number(product_risk: str | int | None) -> int | None:
    """The n of a product risk given as "R<n>" or n (1–5); None when it is no risk level."""
    if isinstance(product_risk, bool):
        return None
    if isinstance(product_risk, int):
        return product_risk if 1 <= product_risk <= 5 else None
    if product_risk in RISK_LEVELS:
        return int(product_risk[1])
    return None


def unsuitable(product_risk: str | int | None, kyc_level: str | None) -> bool:
    """Whether the product may not be offered to this customer: KYC below C(n), or unknown (R1 suits anyone)."""
    need = risk_number(product_risk)
    if need is None:
        return False
    if not kyc_level or len(kyc_level) != 2 or kyc_level[0] != "C" or not kyc_level[1].isdigit():
        return need > 1
    return int(kyc_level[1]) < need
