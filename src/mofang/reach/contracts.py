"""Public types of the reach centre: what a send asks for, what comes back, what a provider implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

# The eight channel kinds of the seed's 8类触达通道 (and nothing else sends to a customer).
Channel = Literal["sms", "push", "inbox", "placement", "wechat", "email", "call", "rm_task"]
CHANNELS: tuple[Channel, ...] = ("sms", "push", "inbox", "placement", "wechat", "email", "call", "rm_task")
Purpose = Literal["marketing", "service"]

# What a send came to at the moment of sending. Only `accepted` means a real endpoint took the message.
SendStatus = Literal[
    "accepted",  # the provider (or the inbox / placement / RM task store) accepted it
    "suppressed",  # the contact policy, consent, opt-out, do-not-contact or suitability refused it (reason says which)
    "deferred",  # quiet hours or a deferring cap: try again at `defer_until` with the same idempotency key
    "unreachable",  # the customer has no address on this channel
    "failed",  # the provider refused or kept failing (dead-lettered after retries; reason says why)
    "not_configured",  # the channel has no provider configured: nothing was sent
]
# Later outcomes reported by receipts, in increasing order of engagement (a 触达结果判断 node branches on the best).
ReceiptStatus = Literal["delivered", "undelivered", "opened", "clicked", "replied", "unsubscribed", "converted"]


@dataclass(frozen=True)
class RenderedMessage:
    """A template rendered for one customer, escaped for its channel (no expressions were evaluated)."""

    channel: Channel
    body: str
    title: str | None = None
    html: str | None = None  # e-mail only
    url: str | None = None  # the tracked link slot, already a /r/{token} link when present
    template_id: int | None = None
    template_version: int | None = None
    data: Mapping[str, str] = field(default_factory=dict)  # WeChat template fields, call script variables
    delivery_id: int | None = None  # the delivery log row: vendors that echo an id (OutId, task id) get it


@dataclass(frozen=True)
class SendRequest:
    """One message to one customer; `idempotency_key` makes a retry return the first answer."""

    customer_id: str
    channel: Channel
    idempotency_key: str
    template_id: int | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)  # trigger payload, benefit, product facts
    purpose: Purpose = "marketing"
    business_line: str = "retail"  # 零售 retail, 信用卡 card, 财富 wealth, 贷款 loan
    priority: int = 100  # lower number wins when a shared cap would be exceeded
    product_risk: int | None = None  # R1–R5 of the offered product: suitability checked per customer at send
    strategy_id: int | None = None
    strategy_version: int | None = None
    node_id: str | None = None
    instance_id: int | None = None
    campaign_id: int | None = None
    org_code: str | None = None  # owner org of the strategy / campaign


@dataclass(frozen=True)
class DeliveryResult:
    """What came of a send at the moment of sending (expected failures are values, not exceptions)."""

    status: SendStatus
    delivery_id: int | None = None
    reason: str | None = None  # a code the console translates (e.g. "cap_daily_channel", "quiet_hours", "no_consent")
    defer_until: datetime | None = None
    cost_fen: int = 0  # unit cost charged for this message, in fen (0.01 CNY)


@dataclass(frozen=True)
class ProviderResult:
    """A provider's answer to one delivery attempt: accepted with the vendor's id, or why not."""

    accepted: bool
    vendor_id: str | None = None
    retryable: bool = False  # timeouts and 5xx: retry with backoff; a 4xx or business refusal is final
    reason: str | None = None


# One message of a provider's batch: (the message, the address decrypted just for the call, the idempotency key).
# A provider that can send many at once offers `send_many(items, parallel=n) -> list[ProviderResult]`.
Outgoing = tuple[RenderedMessage, str, str]


@dataclass(frozen=True)
class Receipt:
    """A later outcome reported by a provider callback, matched to a delivery by vendor id or delivery id."""

    status: ReceiptStatus
    at: datetime
    vendor_id: str | None = None
    delivery_id: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


class ChannelProvider(Protocol):
    """One vendor's protocol for one channel; a provider is one file under `reach/channels/`."""

    channel: Channel

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Deliver one rendered message to a decrypted address (called only inside the delivery worker)."""
        ...

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Read a vendor callback into receipts (pure; signature checks happen before)."""
        ...
