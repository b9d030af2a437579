"""沙箱 sandbox gateway for SMS and push: the HTTP gateway pointed at the app's own /sandbox routes.

It speaks the configurable gateway's shape, answers like a vendor, and a few seconds later posts signed status
reports to the real callback path, so a demo closes the loop without any vendor. Only this provider may reach the
app's own (loopback) address.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.channels.http_gateway import HttpGateway
from mofang.reach.contracts import Channel

SANDBOX_BODY: Final = {"to": "{{address}}", "content": "{{content}}", "title": "{{title}}", "url": "{{url}}",
                       "requestId": "{{idempotency_key}}", "channelId": "{{channel_id}}", "apiKey": "{{key}}"}


def gateway_config(channel: Channel, config: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The gateway mapping the sandbox answers to (fixed: only the SMS signature and delay are the user's)."""
    return {"url": f"{public_url.rstrip('/')}/sandbox/{channel}/send", "method": "POST", "body_format": "json",
            "body": SANDBOX_BODY, "success_path": "code", "success_value": "0", "vendor_id_path": "msgid",
            "sign": config.get("sign") or ("" if channel != "sms" else "【魔方银行】")}


def _build(channel: Channel, config: Any, secrets: Any, ctx: ProviderContext) -> HttpGateway:
    host = (urlsplit(ctx.public_url).hostname or "127.0.0.1").lower()
    return HttpGateway(channel, gateway_config(channel, dict(config), ctx.public_url), secrets, ctx,
                       extra_allow=frozenset({host}))


def _validate(config: Any) -> list[tuple[str, str]]:
    delay = config.get("delay_seconds", 2)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 60:
        return [("config.delay_seconds", "reach_delay_invalid")]
    return []


SPEC = ProviderSpec(kind="sandbox", channels=("sms", "push"), secret_fields=("key", "callback_secret"),
                    build=_build, validate=_validate, sandbox=True)
