"""Channel providers, one file each; this registry names them (add a file and its name below to add one).

A provider module exposes `SPEC: ProviderSpec`. Built-in stores (inbox, RM tasks) need no vendor; the HTTP
gateway speaks to a bank's SMS or push gateway by a configurable mapping; the sandbox is that gateway pointed at
the app's own /sandbox routes. A fake provider exists only in tests and is never the default of any channel.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mofang.platform.crypto import PiiCipher
from mofang.platform.storage.metadata import Metadata
from mofang.reach.contracts import Channel, ChannelProvider

_MODULES = ("http_gateway", "sandbox", "inbox", "rm_task", "aliyun_sms", "jpush", "wechat", "email_smtp", "ai_call",
            "placement", "vendor_sandbox")


@dataclass(frozen=True)
class ProviderContext:
    """What a provider may use: the outbound allow-list and timeout, the metadata DB and key of built-in channels.

    No event store: providers run in `mofang worker` processes too, which never open it.
    """

    channel_id: int | None
    allow_hosts: frozenset[str]
    timeout: float
    metadata: Metadata
    cipher: PiiCipher | None
    public_url: str


@dataclass(frozen=True)
class CallbackCheck:
    """A vendor callback's verdict: why it must be refused (a `reach_<problem>` code) and what marks it as seen."""

    problem: str | None
    replay_key: str  # remembered (hashed) so the same callback a second time is refused as a replay


@dataclass(frozen=True)
class ProviderSpec:
    """One provider kind: the channels it serves, its secret fields, how to check a config and build it."""

    kind: str
    channels: tuple[Channel, ...]
    secret_fields: tuple[str, ...]
    build: Callable[[Channel, Mapping[str, Any], Mapping[str, str], ProviderContext], ChannelProvider]
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = field(default=lambda _c: [])
    builtin: bool = False  # needs no configuration: the channel works without a configured row
    sandbox: bool = False  # 沙箱: the in-app vendor simulator


@cache
def specs() -> dict[str, ProviderSpec]:
    """Every provider kind by name."""
    out: dict[str, ProviderSpec] = {}
    for name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for spec in getattr(module, "SANDBOX_SPECS", None) or (module.SPEC,):  # a module may offer several kinds
            out[spec.kind] = spec
    return out


def builtin_for(channel: str) -> ProviderSpec | None:
    """The provider a channel uses when nothing is configured (inbox and RM tasks only)."""
    return next((s for s in specs().values() if s.builtin and channel in s.channels), None)
