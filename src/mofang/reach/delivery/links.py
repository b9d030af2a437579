"""Tracked links /r/{token}: unguessable, expiring, redirecting only to the URL stored with the token."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from mofang.platform.settings import Settings
from mofang.reach.contracts import RenderedMessage
from mofang.reach.models import TrackedLink

LINK_TTL = timedelta(days=30)
TOKEN_BYTES = 18  # 144 bits: 24 URL-safe characters, short enough for an SMS


def is_tracked(settings: Settings, url: str) -> bool:
    """Whether a URL is already one of ours."""
    return url.startswith(settings.public_url() + "/r/")


def create(*, session: Session, settings: Settings, delivery_id: int | None, url: str, now: datetime,
           ttl: timedelta = LINK_TTL) -> str:
    """A new tracked link for an http(s) URL (raises ValueError for any other scheme)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("only http and https links are tracked")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(TrackedLink(token=token, delivery_id=delivery_id, url=url, expires_at=now + ttl, clicks=0,
                            created_at=now))
    return f"{settings.public_url()}/r/{token}"


def track_message(*, session: Session, settings: Settings, message: RenderedMessage, delivery_id: int,
                  now: datetime) -> RenderedMessage:
    """The message with its link replaced by a tracked link (everywhere it appears); other schemes are dropped."""
    message = replace(message, delivery_id=delivery_id)
    url = message.url
    if not url or is_tracked(settings, url):
        return message
    try:
        tracked = create(session=session, settings=settings, delivery_id=delivery_id, url=url, now=now)
    except ValueError:
        return replace(message, url=None, body=message.body.replace(url, ""))
    body = message.body.replace(url, tracked) if url in message.body else message.body
    html = message.html.replace(url, tracked) if message.html else message.html
    return replace(message, url=tracked, body=body, html=html)
