"""客户经理任务 RM task: a task in the RM's console inbox, with the script, key facts and a due date (no vendor)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mofang.platform.storage.models import utcnow
from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage
from mofang.reach.delivery.repository import customer_home
from mofang.reach.models import RmTask

DEFAULT_DUE_DAYS = 3
# What an RM sees of the customer on the task (masked: the 360 page unmasks, audited, when the RM must call).
FACT_KEYS = ("tier", "aum", "risk_level", "phone_masked")


class RmTaskProvider:
    """Creates the task for the customer's RM in its own transaction, keyed by the send's idempotency key."""

    channel: Channel = "rm_task"

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Assign the task to the RM who manages the customer (address is the customer number)."""
        with self._ctx.metadata.session() as session:
            home = customer_home(session, address) or {}
        personal = _personal(self._ctx, home)
        facts = {k: v for k in FACT_KEYS if (v := home.get(k, personal.get(k))) is not None}
        if personal.get("name_masked"):
            facts["name"] = personal["name_masked"]
        try:
            days = int(message.data.get("due_days", DEFAULT_DUE_DAYS))
        except ValueError:
            days = DEFAULT_DUE_DAYS
        now = utcnow()
        try:
            with self._ctx.metadata.session() as session:
                row = RmTask(delivery_key=idempotency_key, customer_id=address, customer_org_code=home.get("org_code"),
                             rm_id=home.get("rm_id"), title=message.title, script=message.body, facts=facts,
                             due_at=now + timedelta(days=max(0, min(days, 365))), created_at=now)
                session.add(row)
                session.flush()
                row_id = row.id
        except IntegrityError:
            return self.lookup(idempotency_key) or ProviderResult(accepted=False, retryable=True,
                                                                  reason="task_conflict")
        return ProviderResult(accepted=True, vendor_id=f"task-{row_id}")

    def lookup(self, idempotency_key: str) -> ProviderResult | None:
        """Whether a send with this key created its task (recovery after a crash)."""
        with self._ctx.metadata.session() as session:
            row_id = session.scalar(select(RmTask.id).where(RmTask.delivery_key == idempotency_key))
        return ProviderResult(accepted=True, vendor_id=f"task-{row_id}") if row_id is not None else None

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Outcomes are recorded in the console, not called back."""
        return []


def _personal(ctx: ProviderContext, home: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's encrypted personal facts (masked name and phone are what an RM task shows)."""
    enc = home.get("personal_enc")
    clear = ctx.cipher.decrypt_or_none(enc) if enc and ctx.cipher is not None else None
    return json.loads(clear) if clear else {}


SPEC = ProviderSpec(kind="rm_task", channels=("rm_task",), secret_fields=(),
                    build=lambda _channel, _config, _secrets, ctx: RmTaskProvider(ctx), builtin=True)
