"""资源位 placements: a pulled channel. Its configuration lists the placements (slot, template, priority, segments,
daily cap per customer, schedule) that `/v1/placements/{slot}` chooses among; nothing is pushed to a customer, so a
send on this channel is refused (a strategy or campaign adds a placement to the list instead)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage
from mofang.reach.placement.logic import validate_rules


class Placements:
    """The placement channel as a provider: it only answers that placements are pulled."""

    channel: Channel = "placement"

    def __init__(self, _config: Mapping[str, Any], _ctx: ProviderContext) -> None:
        return

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Placements are pulled by the app, never pushed: a final refusal saying so."""
        return ProviderResult(accepted=False, reason="placement_pull_only")

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Impressions and clicks come through /v1/placements, not callbacks."""
        return []


SPEC = ProviderSpec(kind="placement", channels=("placement",), secret_fields=(),
                    build=lambda _channel, config, _secrets, ctx: Placements(config, ctx),
                    validate=lambda config: validate_rules(config.get("placements")))
