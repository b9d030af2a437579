"""Helpers of ingestion tests: Segment-shaped calls and a sender that posts them like the libraries."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import httpx
import orjson
from fastapi.testclient import TestClient


def basic(key: str) -> dict[str, str]:
    """The Authorization header Segment libraries send."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


class Sender:
    """Posts Segment calls to the app the way the libraries do."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key

    def post(self, path: str, body: Any, *, gzipped: bool = False, key: str | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a JSON body (raw bytes are sent as they are) with Basic auth."""
        data = body if isinstance(body, bytes) else orjson.dumps(body)
        hdrs = {"Content-Type": "application/json", **basic(self.key if key is None else key)}
        if gzipped:
            data = gzip.compress(data)
            hdrs["Content-Encoding"] = "gzip"
        hdrs.update(headers or {})
        return self.client.post(path, content=data, headers=hdrs)

    def batch(self, events: list[dict[str, Any]], **kw: Any) -> httpx.Response:
        """POST /v1/batch."""
        return self.post("/v1/batch", {"batch": events}, **kw)


def track(event: str = "Loan Applied", **fields: Any) -> dict[str, Any]:
    """A track message (userId C1 unless an id is given)."""
    msg: dict[str, Any] = {"type": "track", "event": event, **fields}
    if "userId" not in fields and "anonymousId" not in fields:
        msg["userId"] = "C1"
    return msg
