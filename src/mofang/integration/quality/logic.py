"""What the data-quality view measures per table: its key fields, its business date, its referential checks."""

from __future__ import annotations

from mofang.integration.quality.contracts import TableCheck

TABLES = (
    TableCheck("customers", "customers", (
        ("name", "name"), ("gender", "gender"), ("birth_date", "birth_date"), ("phone", "phone_enc"),
        ("id_number", "id_enc"), ("email", "email_enc"), ("risk_level", "risk_level"),
        ("open_date", "open_date"), ("rm_id", "rm_id"), ("tier", "tier")),
        business_date="CAST(t.updated_at AS DATE)", entity="customers"),
    TableCheck("holdings", "holdings", (("balance", "balance"), ("opened_at", "opened_at")),
               business_date="t.opened_at", entity="holdings"),
    TableCheck("transactions", "transactions", (
        ("ts", "ts"), ("amount", "amount"), ("category", "category"), ("channel", "channel")),
        business_date="CAST(t.ts AS DATE)", entity="transactions"),
    TableCheck("aum_daily", "aum_daily", (("aum", "aum"),), business_date="t.date", entity="aum_daily"),
    TableCheck("products", "products", (
        ("risk_level", "risk_level"), ("rate", "rate"), ("term_days", "term_days")), entity="products"),
    TableCheck("staff", "relationship_managers", (("name", "name"), ("org_code", "org_code")), entity="staff"),
)
IDENTITY_FIELDS = ("first_seen", "last_seen")
ORG_FIELDS = ("parent_code",)


def share(part: int, whole: int) -> float:
    """part / whole to four places (0 for an empty whole)."""
    return round(part / whole, 4) if whole else 0.0
