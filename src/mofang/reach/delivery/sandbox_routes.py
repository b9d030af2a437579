"""沙箱 vendor simulator for SMS and push: answers like a gateway, then posts signed status reports back.

Inside the app so a demo needs nothing else; only a channel configured with the `sandbox` provider can use it
(its API key is checked), and its reports go to the real callback path through the outbound guard, with the app's
own address allow-listed for this caller only.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Path

from mofang.platform import outbound
from mofang.platform.context import Platform
from mofang.platform.deps import PlatformDep
from mofang.platform.errors import NotFound, Unauthorized
from mofang.reach.channels.vendor import same
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.logic import signature

router = APIRouter(prefix="/sandbox", tags=["reach"])
log = logging.getLogger("mofang.reach.sandbox")
_STATUS = {"sms": "DELIVRD", "push": "ARRIVED"}
SandboxChannel = Annotated[str, Path(pattern=r"^(sms|push)$")]


def _channel(platform: Platform, channel: str, body: dict[str, Any]) -> tuple[int, dict[str, str], int]:
    """The sandbox channel a request names, if its API key is right: (id, secrets, delay seconds)."""
    try:
        channel_id = int(body.get("channelId") or 0)
    except (TypeError, ValueError):
        channel_id = 0
    with platform.metadata.session() as session:
        row = repo.channel(session, channel_id) if 0 < channel_id < 2**31 else None
        if row is None or row.provider != "sandbox" or row.channel != channel:
            raise NotFound("no such sandbox channel", field="channelId")
        secrets = json.loads(platform.cipher.decrypt_or_none(row.secrets_enc) or "{}") if row.secrets_enc else {}
        delay = int((row.config or {}).get("delay_seconds", 2))
    expected = secrets.get("key", "")
    if not same(str(body.get("apiKey") or ""), expected):
        raise Unauthorized("wrong sandbox API key", code="unauthorized")
    return row.id, secrets, delay


def post_report(platform: Platform, channel: str, channel_id: int, secret: str, doc: dict[str, Any]) -> str:
    """Post one signed callback to the app's own callback path (as a vendor would)."""
    base = platform.settings.public_url()
    body = json.dumps(doc, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    result = outbound.send("POST", f"{base}/api/reach/callbacks/{channel}/{channel_id}", body,
                           allow_hosts={(urlsplit(base).hostname or "127.0.0.1").lower()},
                           headers={"Content-Type": "application/json", "X-Mofang-Timestamp": ts,
                                    "X-Mofang-Signature": signature(secret, ts, body)},
                           timeout=platform.settings.outbound_timeout_seconds)
    if not result.ok:
        log.warning("sandbox report to channel %s: %s", channel_id, result.summary())
    return result.outcome


def _later(delay: float, fn: Any, *args: Any) -> None:
    timer = threading.Timer(delay, fn, args=args)
    timer.daemon = True
    timer.start()


@router.post("/{channel}/send")
def sandbox_send(channel: SandboxChannel, platform: PlatformDep,
                 body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
    """Accept a message like a gateway; its status report follows after the channel's delay."""
    channel_id, secrets, delay = _channel(platform, channel, body)
    msgid = uuid.uuid4().hex
    report = {"reports": [{"msgid": msgid, "status": _STATUS[channel], "time": int(time.time()) + delay}]}
    _later(delay, post_report, platform, channel, channel_id, secrets.get("callback_secret", ""), report)
    return {"code": "0", "msgid": msgid}


@router.post("/{channel}/reply")
def sandbox_reply(channel: SandboxChannel, platform: PlatformDep,
                  body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
    """Simulate a customer's reply to a message (e.g. TD for 回T退订)."""
    channel_id, secrets, _delay = _channel(platform, channel, body)
    doc = {"replies": [{"msgid": str(body.get("msgid") or "")[:128], "text": str(body.get("text") or "")[:70]}]}
    _later(0.05, post_report, platform, channel, channel_id, secrets.get("callback_secret", ""), doc)
    return {"code": "0"}
