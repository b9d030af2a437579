"""Public types of customer identities: kinds, channels, the address a delivery worker uses, pushes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IdentityKind = Literal["customer_no", "app_user", "wechat_openid", "wechat_unionid", "push_token", "email",
                       "mobile"]
KINDS: tuple[str, ...] = ("customer_no", "app_user", "wechat_openid", "wechat_unionid", "push_token", "email",
                          "mobile")
# Kinds kept only as ciphertext (masked on read): PII, and the secrets that let anyone message the customer.
SECRET_KINDS = frozenset({"mobile", "email", "wechat_openid", "wechat_unionid", "push_token"})
# Kinds a bank's file, database source or push may carry (the customer number is the key of every row).
LOADABLE_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "customer_no")

Channel = Literal["sms", "call", "push", "inbox", "placement", "wechat", "email", "rm_task"]
CHANNELS: tuple[str, ...] = ("sms", "call", "push", "inbox", "placement", "wechat", "email", "rm_task")
# Which identity addresses a customer on each channel, best first.
CHANNEL_KINDS: dict[str, tuple[str, ...]] = {
    "sms": ("mobile",), "call": ("mobile",), "push": ("push_token", "app_user"),
    "inbox": ("app_user", "customer_no"), "placement": ("app_user", "customer_no"), "wechat": ("wechat_openid",),
    "email": ("email",), "rm_task": ("customer_no",),
}
MASTER_SOURCE = "customers"  # rows copied from the customer master (phone, e-mail, the customer number)
EVENTS_SOURCE = "events"  # app user ids seen in behaviour events


class Address(BaseModel):
    """How to reach one customer on one channel: the value encrypted (or clear when not secret) and masked."""

    model_config = ConfigDict(frozen=True)

    customer_id: str
    channel: str
    kind: str
    value_enc: str | None = Field(default=None, description="ciphertext of a secret value; reveal() decrypts it")
    value: str | None = Field(default=None, description="the value in clear, only for kinds that are not secret")
    masked: str
    source: str


class IdentityIn(BaseModel):
    """One identity of a customer as a bank system pushes it."""

    kind: Literal["app_user", "wechat_openid", "wechat_unionid", "push_token", "email", "mobile"]
    value: str = Field(min_length=1, max_length=256)
    valid: bool = True
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class IdentityPut(BaseModel):
    """The full set of identities a bank system holds for one customer (others it pushed before become invalid)."""

    identities: list[IdentityIn] = Field(max_length=100)


class IdentityBatchItem(IdentityIn):
    """One identity of a batch, naming its customer."""

    customer_id: str = Field(min_length=1, max_length=64)


class IdentityBatchIn(BaseModel):
    """Identities of many customers, added or updated (none removed), applied once per idempotency key."""

    idempotency_key: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    items: list[IdentityBatchItem] = Field(min_length=1, max_length=10_000)


class IdentityRead(BaseModel):
    """An identity as shown to people: masked."""

    customer_id: str
    kind: str
    masked: str
    source: str
    valid: bool
    first_seen: datetime | None
    last_seen: datetime | None


class PushResult(BaseModel):
    """What a push changed."""

    load_id: int
    loaded: int
    unchanged: int
    invalidated: int
    replayed: bool = False


class ChannelCoverage(BaseModel):
    """Customers in the viewer's scope with an address on one channel."""

    channel: str
    reachable: int
    share: float


class CoverageRead(BaseModel):
    """Identity coverage per channel over the customers the viewer may see."""

    customers: int
    channels: list[ChannelCoverage]
