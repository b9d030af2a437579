"""HTTP routes of the reach centre: channels, the delivery log, dead letters, figures, RM tasks, callbacks, links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from mofang.platform.deps import PlatformDep, PrincipalDep, SessionDep, require
from mofang.platform.errors import BadRequest, Forbidden
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import (
    P_ADMIN_KEYS,
    P_ANALYTICS,
    P_CAMPAIGN_EDIT,
    P_CUSTOMERS_READ,
)
from mofang.reach.delivery import channels_service, log_service, receipts, rm_service
from mofang.reach.delivery.contracts import (
    ChannelCreate,
    ChannelDay,
    ChannelKind,
    ChannelRead,
    ChannelUpdate,
    DeliveryPage,
    ProviderKindRead,
    RetryResult,
    TestSend,
    TestSendResult,
)

router = APIRouter(prefix="/api/reach", tags=["reach"])
public_router = APIRouter(tags=["reach"])
Admin = Annotated[Principal, Depends(require(P_ADMIN_KEYS))]
Reader = Annotated[Principal, Depends(require(P_CUSTOMERS_READ))]
Editor = Annotated[Principal, Depends(require(P_CAMPAIGN_EDIT))]
Analyst = Annotated[Principal, Depends(require(P_ANALYTICS))]
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_CALLBACK_BYTES = 256 * 1024
Status = Annotated[str | None, Query(max_length=16, pattern=r"^[a-z_]+$")]


@router.get("/providers", response_model=list[ProviderKindRead])
def providers(_who: Admin) -> list[ProviderKindRead]:
    """The provider kinds a channel may be configured with."""
    return channels_service.list_provider_kinds()


@router.get("/channels", response_model=list[ChannelRead])
def list_channels(_who: Admin, platform: PlatformDep, session: SessionDep) -> list[ChannelRead]:
    """Configured channels (secrets shown as ***)."""
    return channels_service.list_channels(platform=platform, session=session)


@router.post("/channels", response_model=ChannelRead, status_code=201)
def create_channel(body: ChannelCreate, who: Admin, platform: PlatformDep, session: SessionDep) -> ChannelRead:
    """Configure a channel; audited."""
    return channels_service.create(platform=platform, session=session, data=body, who=who)


@router.patch("/channels/{channel_id}", response_model=ChannelRead)
def update_channel(channel_id: ChannelId, body: ChannelUpdate, who: Admin, platform: PlatformDep,
                   session: SessionDep) -> ChannelRead:
    """Change a channel (secrets left out are kept); audited."""
    return channels_service.update(platform=platform, session=session, channel_id=channel_id, data=body, who=who)


@router.delete("/channels/{channel_id}", status_code=204)
def delete_channel(channel_id: ChannelId, who: Admin, platform: PlatformDep, session: SessionDep) -> Response:
    """Remove a channel configuration; audited."""
    channels_service.delete(platform=platform, session=session, channel_id=channel_id, who=who)
    return Response(status_code=204)


@router.post("/channels/{channel_id}/test", response_model=TestSendResult)
def test_channel(channel_id: ChannelId, body: TestSend, who: Admin, platform: PlatformDep,
                 session: SessionDep) -> TestSendResult:
    """Send a test message to one's own address; audited (address masked)."""
    return channels_service.test_send(platform=platform, session=session, channel_id=channel_id, data=body, who=who)


def _page(session: SessionDep, who: Principal, dead: bool | None, customer_id: str | None, strategy_id: int | None,
          campaign_id: int | None, channel: ChannelKind | None, status: str | None, limit: int,
          offset: int) -> DeliveryPage:
    filters = {"customer_id": customer_id, "strategy_id": strategy_id, "campaign_id": campaign_id,
               "channel": channel, "status": status}
    return log_service.search(session=session, who=who, filters=filters, dead=dead, limit=limit, offset=offset)


@router.get("/deliveries", response_model=DeliveryPage)
def deliveries(
    who: Reader, session: SessionDep,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    strategy_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    campaign_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    channel: ChannelKind | None = None, status: Status = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> DeliveryPage:
    """The delivery log over customers in the viewer's scope, newest first (addresses masked)."""
    return _page(session, who, None, customer_id, strategy_id, campaign_id, channel, status, limit, offset)


@router.get("/dead-letters", response_model=DeliveryPage)
def dead_letters(
    who: Reader, session: SessionDep, channel: ChannelKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> DeliveryPage:
    """Deliveries that failed after every try, with the reason."""
    return _page(session, who, True, None, None, None, channel, None, limit, offset)


@router.post("/deliveries/{delivery_id}/retry", response_model=RetryResult)
def retry(delivery_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Editor, platform: PlatformDep) -> RetryResult:
    """Try a dead letter again; audited."""
    return log_service.retry(platform=platform, who=who, delivery_id=delivery_id)


@router.get("/stats/daily", response_model=list[ChannelDay])
def daily(who: Analyst, session: SessionDep, days: Annotated[int, Query(ge=1, le=366)] = 30) -> list[ChannelDay]:
    """Per channel and day: volume, delivery and click rates, cost (customers in scope)."""
    return log_service.daily(session=session, who=who, days=days)


@router.get("/rm-tasks", response_model=rm_service.RmTaskPage)
def rm_tasks(
    who: PrincipalDep, session: SessionDep,
    state: Annotated[str | None, Query(pattern=r"^(open|done|overdue)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> rm_service.RmTaskPage:
    """RM tasks: an RM sees their own customers'; a branch sees its subtree's (overdue ones flagged)."""
    if not who.can(P_CUSTOMERS_READ):
        raise Forbidden("your role may not see customers", code="auth.permission",
                        params={"permission": P_CUSTOMERS_READ})
    return rm_service.list_tasks(session=session, who=who, state=state, limit=limit, offset=offset)


@router.post("/rm-tasks/{task_id}/outcome", response_model=rm_service.RmTaskRead)
def rm_outcome(task_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: rm_service.OutcomeIn, who: Reader,
               platform: PlatformDep) -> rm_service.RmTaskRead:
    """The RM records what came of a task; it becomes an event."""
    return rm_service.record_outcome(platform=platform, who=who, task_id=task_id, data=body)


CallbackChannel = Annotated[str, Path(pattern=r"^(sms|push|wechat|call)$")]
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@router.post("/callbacks/{channel}/{channel_id}", status_code=200, response_model=None)
async def callback(channel: CallbackChannel, channel_id: ChannelId, request: Request,
                   platform: PlatformDep) -> dict[str, object] | PlainTextResponse:
    """A vendor's status reports / replies / call results, verified by the provider's scheme (Mofang's HMAC headers
    X-Mofang-Timestamp + X-Mofang-Signature by default); replays refused."""
    body = await request.body()
    if len(body) > MAX_CALLBACK_BYTES:
        raise BadRequest("the callback body is too large", field="body", code="reach_callback_too_large")
    headers = {k.lower(): v for k, v in request.headers.items()}
    query = {k: v[:256] for k, v in request.query_params.items()}
    matched = await run_in_threadpool(lambda: receipts.handle_callback(
        platform=platform, channel=channel, channel_id=channel_id, body=body, headers=headers, query=query))
    if channel == "wechat":
        return PlainTextResponse("success")  # what WeChat expects of an event push
    return {"matched": matched, "code": 0, "msg": "ok"}  # `code: 0` is Aliyun's acknowledgement


@router.get("/callbacks/wechat/{channel_id}", response_class=PlainTextResponse)
def wechat_verify(channel_id: ChannelId, platform: PlatformDep,
                  signature: Annotated[str, Query(max_length=64)] = "",
                  timestamp: Annotated[str, Query(max_length=16)] = "",
                  nonce: Annotated[str, Query(max_length=64)] = "",
                  echostr: Annotated[str, Query(max_length=128)] = "") -> PlainTextResponse:
    """WeChat's server URL check: the echo string back when the signature is the token's."""
    receipts.verify_wechat_echo(platform=platform, channel_id=channel_id,
                                query={"signature": signature, "timestamp": timestamp, "nonce": nonce})
    return PlainTextResponse(echostr)


@public_router.get("/r/{token}/open.gif", include_in_schema=True)
def open_pixel(token: Token, platform: PlatformDep) -> Response:
    """An e-mail's open pixel: the first fetch records message_opened; always a 1×1 GIF."""
    receipts.opened(platform=platform, token=token)
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


@public_router.get("/r/{token}/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(token: Token) -> HTMLResponse:
    """The unsubscribe page a person sees: one button (a GET never unsubscribes, link scanners fetch GETs)."""
    return HTMLResponse('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>退订</title></head>'
                        '<body><form method="post"><p>不再接收此类营销邮件？</p>'
                        '<button type="submit" name="List-Unsubscribe" value="One-Click">确认退订</button>'
                        '</form></body></html>')


@public_router.post("/r/{token}/unsubscribe", response_class=HTMLResponse)
def unsubscribe(token: Token, platform: PlatformDep) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058 List-Unsubscribe-Post): marketing e-mail consent withdrawn."""
    receipts.unsubscribe(platform=platform, token=token)
    return HTMLResponse('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>退订</title></head>'
                        '<body><p>已退订。</p></body></html>')


@public_router.get("/r/{token}", include_in_schema=True, response_class=RedirectResponse, status_code=302)
def tracked_link(token: Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")],
                 platform: PlatformDep) -> RedirectResponse:
    """A tracked link: the click is recorded and the browser sent to the URL stored with the token."""
    return RedirectResponse(receipts.click(platform=platform, token=token), status_code=302)
