"""Pure shaping of customer rows: age, masking, consent."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from mofang.insight.customers.contracts import Consent, CustomerEvent, Transaction
from mofang.platform.governance.logic import PiiPolicy, mask_name
from mofang.platform.storage.models import as_utc


def age_on(birth_date: date | None, today: date) -> int | None:
    """Whole years between birth and today."""
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def summary_fields(row: dict[str, Any], *, today: date, org_names: dict[str, str]) -> dict[str, Any]:
    """The masked list fields of a customer row."""
    return {
        "customer_id": row["customer_id"],
        "name": mask_name(row["name"]),
        "gender": row["gender"],
        "age": age_on(row["birth_date"], today),
        "phone": row["phone_masked"],
        "tier": row["tier"],
        "risk_level": row["risk_level"],
        "org_code": row["org_code"],
        "org_name": org_names.get(row["org_code"]),
        "rm_id": row["rm_id"],
        "rm_name": row.get("rm_name"),
        "aum": row["aum"],
    }


def consent_of(row: dict[str, Any]) -> Consent:
    """Per-channel consent; a missing answer counts as no consent."""
    return Consent(**{ch: bool(row.get(f"consent_{ch}")) for ch in ("sms", "push", "inbox", "wechat", "email", "call")})


def transaction_of(row: dict[str, Any]) -> Transaction:
    """A transaction row, its time marked as UTC."""
    return Transaction(**(row | {"ts": as_utc(row["ts"])}))


def event_of(row: dict[str, Any], *, policy: PiiPolicy, clear: str | None = None, unmask: bool = False
             ) -> CustomerEvent:
    """An event row with its JSON properties parsed: PII masked, or (unmasked) the original `clear` JSON if any."""
    props = clear if unmask and clear else row.get("properties")
    parsed = orjson.loads(props) if isinstance(props, str | bytes) and props else (props or {})
    if not unmask:
        # Events stored before ingestion masked PII hold it in clear: mask on read too (masks are idempotent).
        parsed = policy.mask_tree(parsed)
    return CustomerEvent(
        event=row["event"], type=row["type"], timestamp=as_utc(row["timestamp"]),
        properties=parsed if isinstance(parsed, dict) else {"value": parsed},
        message_id=row["message_id"], channel=row.get("channel"),
    )


def birth_fields(birth_date: date | None, *, unmask: bool) -> dict[str, Any]:
    """出生日期: the year only unless unmasked (with the ID number masked, the full date would identify)."""
    return {"birth_date": birth_date if unmask else None, "birth_year": birth_date.year if birth_date else None}
