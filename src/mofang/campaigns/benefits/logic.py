"""Pure rules of benefits: costs per kind, validity, which pool an org draws from, why an issue is refused.

When a benefit's cost counts (for ROI and the reconciliation's `cost_fen`):
- at issue: 现金红包/返现 (cash), 积分 (points), 实物 (physical) — the bank pays or ships the moment it gives them;
- at redemption: 满减券 (full_reduction), 折扣券 (discount), 加息券 (rate_boost) — nothing is spent until the customer
  uses them (a discount costs the saving reported, at most its cap).
The money budget is always charged at issue with the benefit's cost (for a discount, its cap): an issued coupon is a
promise the budget must cover whether or not it is used, so issuing never outruns the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeVar

from mofang.campaigns.benefits.contracts import BenefitCreate, Kind, Reason, Spec
from mofang.platform.errors import Invalid

COST_ON: dict[Kind, Literal["issue", "redeem"]] = {
    "cash": "issue", "points": "issue", "physical": "issue",
    "full_reduction": "redeem", "discount": "redeem", "rate_boost": "redeem",
}
FULFILMENT_NEXT = {None: {"shipped"}, "shipped": {"delivered", "returned"}, "delivered": {"returned"}}


class PoolLike(Protocol):
    """What choosing a pool needs to know of one."""

    id: int
    org_code: str


P = TypeVar("P", bound=PoolLike)


ROOT_ORG = "HQ"  # head office: every org lies under it


def in_subtree(code: str, root: str) -> bool:
    """Whether org `code` lies under `root` (codes nest as HQ, GD, GD-SZ, GD-SZ-001)."""
    return root == ROOT_ORG or code == root or code.startswith(root + "-")


def default_cost(spec: Spec) -> int | None:
    """The cost of one benefit when its spec says it (money kinds); None when the owner must state it."""
    if spec.kind in ("cash", "full_reduction"):
        return spec.amount_fen  # type: ignore[union-attr]
    if spec.kind == "discount":
        return spec.cap_fen  # type: ignore[union-attr]
    return None


def checked_cost(data: BenefitCreate) -> int:
    """The cost per issue of a new benefit, after checking its validity fields; Invalid names the field."""
    if data.valid_days is None and (data.valid_from is None or data.valid_to is None):
        raise Invalid("give either valid_days, or both valid_from and valid_to", field="valid_days",
                      code="benefits.validity_missing")
    if data.valid_days is not None and (data.valid_from is not None or data.valid_to is not None):
        raise Invalid("give valid_days or fixed dates, not both", field="valid_days", code="benefits.validity_both")
    if data.valid_from is not None and data.valid_to is not None and data.valid_to <= data.valid_from:
        raise Invalid("valid_to must be after valid_from", field="valid_to", code="benefits.validity_order")
    cost = data.cost_fen if data.cost_fen is not None else default_cost(data.spec)
    if cost is None:
        raise Invalid(f"a {data.spec.kind} benefit needs its cost per issue (cost_fen)", field="cost_fen",
                      code="benefits.cost_missing", params={"kind": data.spec.kind})
    return cost


def window_refusal(*, valid_from: datetime | None, valid_to: datetime | None, now: datetime) -> Reason | None:
    """Why a benefit cannot be issued at `now` (before its start, after its end), or None."""
    if valid_from is not None and now < valid_from:
        return "not_started"
    if valid_to is not None and now >= valid_to:
        return "expired"
    return None


def expires_at(*, valid_to: datetime | None, valid_days: int | None, issued_at: datetime) -> datetime | None:
    """When an issued benefit lapses: its fixed end, or N days after issue."""
    if valid_days is not None:
        return issued_at + timedelta(days=valid_days)
    return valid_to


def choose_pool(pools: Sequence[P], org_code: str) -> P | None:
    """The pool an org's issues draw from: the allocation nearest above (or at) the org, else None."""
    fitting = [p for p in pools if in_subtree(org_code, p.org_code)]
    return max(fitting, key=lambda p: (len(p.org_code), p.org_code == org_code)) if fitting else None


def redis_durability(appendonly: str | None, appendfsync: str | None) -> Literal["durable", "not_durable", "unknown"]:
    """Whether Redis keeps a claim once it answered: only with AOF fsynced on every write (None: CONFIG refused)."""
    if appendonly is None or appendfsync is None:
        return "unknown"
    return "durable" if (appendonly.lower(), appendfsync.lower()) == ("yes", "always") else "not_durable"


def claims_message(store: Literal["embedded", "redis"], durability: str) -> str:
    """The console's message key (a status, not an error) for where claims are decided and how durable they are."""
    return "benefits.claims_embedded" if store == "embedded" else f"benefits.redis_{durability}"


def pool_refusal(*, stock_remaining: int, budget_remaining_fen: int, cost_fen: int) -> Reason | None:
    """Why a pool cannot give one more benefit costing `cost_fen`, or None."""
    if stock_remaining <= 0:
        return "stock_exhausted"
    if budget_remaining_fen < cost_fen:
        return "budget_exhausted"
    return None


def redemption_cost(*, kind: str, spec: dict, cost_fen: int, amount_fen: int | None) -> int:
    """What a redemption costs: the saving given for a discount (capped), the fixed cost otherwise."""
    if kind == "discount" and amount_fen is not None:
        return min(amount_fen, int(spec.get("cap_fen", cost_fen)))
    return cost_fen


def counted_cost(*, kind: str, issue_cost: int, redeemed_cost: int | None) -> int:
    """The cost one issued benefit contributes so far, per its kind's rule (module docstring)."""
    if COST_ON.get(kind, "issue") == "issue":  # type: ignore[call-overload]
        return issue_cost
    return redeemed_cost or 0


def fulfilment_allowed(current: str | None, nxt: str) -> bool:
    """Whether a physical gift may move from `current` to `nxt` (shipped → delivered / returned)."""
    return nxt in FULFILMENT_NEXT.get(current, set())  # type: ignore[call-overload]


@dataclass(frozen=True)
class Ask:
    """One issue request, as the batch decider sees it."""

    key: str
    benefit_id: int
    campaign_id: int
    customer_id: str
    org_code: str
    now: datetime


@dataclass(frozen=True)
class Terms:
    """What deciding needs of a benefit's definition."""

    status: str
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    per_customer_limit: int
    cost_fen: int


@dataclass
class PoolState:
    """A pool's remaining stock and budget while a batch is decided."""

    id: int
    org_code: str
    stock_remaining: int
    budget_remaining_fen: int
    taken: int = 0
    spent_fen: int = 0


@dataclass(frozen=True)
class Decision:
    """The answer to one ask: issued from a pool with the customer's sequence number, or refused with why."""

    ask: Ask
    status: Literal["issued", "refused"]
    reason: Reason | None
    pool_id: int | None
    customer_seq: int | None
    cost_fen: int
    expires_at: datetime | None


def decide(ask: Ask, terms: Terms, pools: Sequence[PoolState], issued: dict[str, int]) -> Decision:
    """Decide one ask against the benefit's terms, its pools and the customer's issues so far (both updated)."""

    pool = choose_pool(pools, ask.org_code)

    def refuse(reason: Reason) -> Decision:
        # The pool the org would draw from is kept on refusals too: the reconciliation says why per branch.
        return Decision(ask, "refused", reason, pool.id if pool else None, None, 0, None)

    if terms.status != "active":
        return refuse("inactive")
    why = window_refusal(valid_from=terms.valid_from, valid_to=terms.valid_to, now=ask.now)
    if why is not None:
        return refuse(why)
    count = issued.get(ask.customer_id, 0)
    if count >= terms.per_customer_limit:
        return refuse("limit_per_customer")
    if pool is None:
        return refuse("no_pool")
    why = pool_refusal(stock_remaining=pool.stock_remaining, budget_remaining_fen=pool.budget_remaining_fen,
                       cost_fen=terms.cost_fen)
    if why is not None:
        return refuse(why)
    pool.stock_remaining -= 1
    pool.budget_remaining_fen -= terms.cost_fen
    pool.taken += 1
    pool.spent_fen += terms.cost_fen
    issued[ask.customer_id] = count + 1
    return Decision(ask, "issued", None, pool.id, count + 1, terms.cost_fen,
                    expires_at(valid_to=terms.valid_to, valid_days=terms.valid_days, issued_at=ask.now))
