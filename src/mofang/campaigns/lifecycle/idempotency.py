"""Exactly-once answers for mutating customer-API calls: the first answer to a key is stored and replayed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.campaigns.lifecycle import repository as repo
from mofang.campaigns.lifecycle.models import ApiResponse
from mofang.platform.context import Platform
from mofang.platform.errors import BadRequest, Conflict, MofangError
from mofang.platform.storage.models import utcnow


def fingerprint(*parts: Any) -> str:
    """A hash of what was asked (a key reused for a different request is refused, not replayed)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _error_body(exc: MofangError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    if exc.code:
        body["code"], body["params"] = exc.code, exc.params
    return body


def run_once(platform: Platform, *, scope: str, key: str | None, fingerprint_: str,
             fn: Callable[[Session], dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """(status, body) of the first call with this key; `fn` runs (in its own transaction) only when it is new.

    Refusals (4xx) are answers too and are replayed; a 5xx (benefits missing, a crash) is not stored, so a retry
    runs again — every effect inside is itself once per slot, so running again never doubles it.
    """
    if not key or len(key) > 128 or not key.isprintable():
        raise BadRequest("an Idempotency-Key header (1-128 printable characters) is required",
                         field="Idempotency-Key", code="campaign.idempotency_key_required")
    full = f"{scope}:{key}"
    with platform.metadata.session() as s:
        found = repo.response(s, full)
        if found is not None:
            if found.fingerprint != fingerprint_:
                raise Conflict("this Idempotency-Key was used for a different request", field="Idempotency-Key",
                               code="campaign.idempotency_key_reused")
            return found.status_code, dict(found.body)
    try:
        with platform.metadata.session() as s:  # the effect's own transaction, committed before the answer is stored
            status, body = 200, fn(s)
    except MofangError as exc:
        if exc.status_code >= 500:
            raise
        status, body = exc.status_code, _error_body(exc)
    try:
        with platform.metadata.session() as s:
            repo.add(s, ApiResponse(key=full, fingerprint=fingerprint_, status_code=status, body=body,
                                    created_at=utcnow()))
    except IntegrityError:
        with platform.metadata.session() as s:  # a concurrent twin stored first: its answer is the answer
            found = repo.response(s, full)
            if found is not None:
                return found.status_code, dict(found.body)
    return status, body
