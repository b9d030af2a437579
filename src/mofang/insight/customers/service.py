"""Customer 360 orchestration: scoped queries, masking, audited unmasking."""

from __future__ import annotations

from datetime import date

from mofang.insight.customers import repository as repo
from mofang.insight.customers.contracts import (
    AumPoint,
    Customer360,
    CustomerEvent,
    CustomerPage,
    CustomerProfile,
    CustomerSummary,
    Holding,
)
from mofang.insight.customers.logic import birth_fields, consent_of, event_of, summary_fields, transaction_of
from mofang.insight.tags import service as tags
from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, NotFound
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import P_PII_UNMASK

PHONE_SUFFIX_CAP = 5000
LIFECYCLE_TAG = "lifecycle_stage"  # the default lifecycle tag (潜客/新客/成长/成熟/沉睡/流失)


def list_customers(*, platform: Platform, who: Principal, q: str | None, limit: int, offset: int) -> CustomerPage:
    """Search customers in the user's scope by id, name or phone suffix."""
    with platform.metadata.session() as session:
        names = gov.org_names(session=session)
    today = date.today()
    q = (q or "").strip() or None
    if q and q.isdigit() and 4 < len(q) <= 11:
        rows = _by_phone_suffix(platform, who, q)
        total, rows = len(rows), rows[offset : offset + limit]
    else:
        rows, total = repo.search(platform.store, scope=who.scope, q=q, limit=limit, offset=offset)
    return CustomerPage(items=[CustomerSummary(**summary_fields(r, today=today, org_names=names)) for r in rows],
                        total=total)


def _by_phone_suffix(platform: Platform, who: Principal, q: str) -> list[dict]:
    """Customers whose phone ends in q (longer than four digits): narrow by last four, then decrypt."""
    by_id = repo.search(platform.store, scope=who.scope, q=q, limit=50, offset=0)[0]
    candidates = repo.phone_candidates(platform.store, scope=who.scope, last4=q[-4:], cap=PHONE_SUFFIX_CAP)
    hits = [r for r in candidates if (platform.cipher.decrypt(r["phone_enc"]) or "").endswith(q)]
    seen = {r["customer_id"] for r in hits}
    return [r for r in by_id if r["customer_id"] not in seen and r["phone_last4"] != q[-4:]] + hits


def get_or_raise(
    *, platform: Platform, who: Principal, customer_id: str, unmask: bool = False, events_limit: int = 30
) -> Customer360:
    """The 360 view of a customer in scope; unmasking needs the permission and is audited."""
    if unmask and not who.can(P_PII_UNMASK):
        raise Forbidden("your role may not view unmasked personal data", field="unmask", code="pii_unmask_forbidden")
    row = repo.get(platform.store, scope=who.scope, customer_id=customer_id, with_pii=unmask)
    if row is None:
        # Out of scope and absent look the same, so scope cannot be probed.
        raise NotFound(f"customer '{customer_id}' not found")
    with platform.metadata.session() as session:
        names = gov.org_names(session=session)
        if unmask:
            gov.record(session=session, username=who.username, action="pii.unmask", target_type="customer",
                       target_id=customer_id,
                       detail={"fields": ["name", "phone", "id_number", "email", "birth_date", "event_properties"]},
                       ip=who.ip, user_agent=who.user_agent)
    fields = summary_fields(row, today=date.today(), org_names=names)
    fields |= {
        **birth_fields(row["birth_date"], unmask=unmask),
        "id_number": row["id_masked"], "email": row["email_masked"],
        "province": row["province"], "city": row["city"], "occupation": row["occupation"],
        "income_band": row["income_band"], "open_date": row["open_date"],
        "acquisition_channel": row["acquisition_channel"],
        "lifecycle": tags.customer_values(platform=platform, customer_id=customer_id).get(LIFECYCLE_TAG),
        "consent": consent_of(row),
        "masked": not unmask,
    }
    if unmask:
        fields |= {
            "name": row["name"], "phone": platform.cipher.decrypt(row["phone_enc"]),
            "id_number": platform.cipher.decrypt(row["id_enc"]), "email": platform.cipher.decrypt(row["email_enc"]),
        }
    store = platform.store
    return Customer360(
        profile=CustomerProfile(**fields),
        holdings=[Holding(**h) for h in repo.holdings(store, customer_id)],
        aum_trend=[AumPoint(**p) for p in repo.aum_trend(store, customer_id, days=90)],
        transactions=[transaction_of(t) for t in repo.transactions(store, customer_id, limit=50)],
        recent_events=_events(platform, repo.events(store, customer_id, limit=events_limit), unmask=unmask),
    )


def list_events(*, platform: Platform, who: Principal, customer_id: str, limit: int, unmask: bool = False
                ) -> list[CustomerEvent]:
    """A customer's events newest first (the customer must be in scope); PII in properties masked unless unmasked."""
    if unmask and not who.can(P_PII_UNMASK):
        raise Forbidden("your role may not view unmasked personal data", field="unmask", code="pii_unmask_forbidden")
    if repo.get(platform.store, scope=who.scope, customer_id=customer_id) is None:
        raise NotFound(f"customer '{customer_id}' not found")
    if unmask:
        with platform.metadata.session() as session:
            gov.record(session=session, username=who.username, action="pii.unmask", target_type="customer",
                       target_id=customer_id, detail={"fields": ["event_properties"]},
                       ip=who.ip, user_agent=who.user_agent)
    return _events(platform, repo.events(platform.store, customer_id, limit=limit), unmask=unmask)


def _events(platform: Platform, rows: list[dict], *, unmask: bool) -> list[CustomerEvent]:
    """Event rows shaped for people: masked, or with the originals decrypted (the caller audited it)."""
    policy = platform.settings.pii_policy()
    return [event_of(r, policy=policy, unmask=unmask, clear=_clear(platform, r) if unmask else None) for r in rows]


def _clear(platform: Platform, row: dict) -> str | None:
    """The original properties JSON stored encrypted at ingestion (None: none kept, or the key has changed)."""
    return platform.cipher.decrypt_or_none(row.get("pii"))
