"""沙箱 vendor sandboxes: the real Aliyun SMS, JPush, WeChat and AI-call providers pointed at the app's own
`/sandbox/{aliyun|jpush|wechat|call}` routes, which check what each vendor checks (the RPC signature, Basic auth,
the access_token, the bearer key), answer in the vendor's shape and post status reports / call results back to the
real callback paths. The credentials are generated when the channel is created; only these kinds may reach the
app's own (loopback) address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.channels.ai_call import AiCall
from mofang.reach.channels.aliyun_sms import AliyunSms
from mofang.reach.channels.jpush import JPush
from mofang.reach.channels.wechat import WeChatTemplate
from mofang.reach.contracts import Channel, ChannelProvider


def sandbox_ids(channel_id: int | None) -> dict[str, str]:
    """The vendor account names a sandbox channel answers to (the sandbox finds the channel by them)."""
    n = channel_id or 0
    return {"access_key_id": f"SANDBOX{n}", "app_key": f"sandbox{n}", "app_id": f"wxsandbox{n}"}


def channel_of(name: str, prefix: str) -> int | None:
    """The channel id in a sandbox account name (`SANDBOX12` → 12), or None."""
    rest = name[len(prefix):] if name.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and 0 < int(rest) < 2**31 else None


def _own(ctx: ProviderContext) -> ProviderContext:
    host = (urlsplit(ctx.public_url).hostname or "127.0.0.1").lower()
    return replace(ctx, allow_hosts=ctx.allow_hosts | {host})


def _build(kind: str) -> Any:
    def build(channel: Channel, config: Mapping[str, Any], secrets: Mapping[str, str],
              ctx: ProviderContext) -> ChannelProvider:
        base, ids, own = ctx.public_url.rstrip("/") + "/sandbox", sandbox_ids(ctx.channel_id), _own(ctx)
        if kind == "aliyun":
            cfg = {"access_key_id": ids["access_key_id"], "sign_name": config.get("sign_name") or "魔方银行",
                   "template_code": config.get("template_code") or "SMS_SANDBOX", "endpoint": f"{base}/aliyun"}
            return AliyunSms(cfg, secrets, own)
        if kind == "jpush":
            return JPush({"app_key": ids["app_key"], "base_url": f"{base}/jpush", "apns_production": False},
                         secrets, own)
        if kind == "wechat":
            return WeChatTemplate({"app_id": ids["app_id"], "template_id": config.get("template_id") or "TPL_SANDBOX",
                                   "base_url": f"{base}/wechat"}, secrets, own)
        return AiCall({"url": f"{base}/call/{ctx.channel_id or 0}/tasks",
                       "script_id": config.get("script_id") or "SCRIPT_SANDBOX"}, secrets, own)

    return build


def _validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    delay = config.get("delay_seconds", 2)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 60:
        return [("config.delay_seconds", "reach_delay_invalid")]
    return []


SANDBOX_SPECS = (
    ProviderSpec(kind="aliyun_sms_sandbox", channels=("sms",), secret_fields=("access_key_secret", "callback_token"),
                 build=_build("aliyun"), validate=_validate, sandbox=True),
    ProviderSpec(kind="jpush_sandbox", channels=("push",), secret_fields=("master_secret",), build=_build("jpush"),
                 validate=_validate, sandbox=True),
    ProviderSpec(kind="wechat_sandbox", channels=("wechat",), secret_fields=("app_secret", "token"),
                 build=_build("wechat"), validate=_validate, sandbox=True),
    ProviderSpec(kind="ai_call_sandbox", channels=("call",), secret_fields=("app_key", "callback_secret"),
                 build=_build("call"), validate=_validate, sandbox=True),
)
SPEC = SANDBOX_SPECS[0]
