"""站内信 in-app inbox: a message row per customer that the bank's app reads through /v1/inbox (no vendor)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mofang.platform.storage.models import utcnow
from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage
from mofang.reach.models import InboxMessage


class InboxProvider:
    """Stores the message in its own transaction, keyed by the send's idempotency key (so it can be looked up)."""

    channel: Channel = "inbox"

    def __init__(self, ctx: ProviderContext) -> None:
        self._ctx = ctx

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Put the message in the customer's inbox (a second call with the same key finds the first)."""
        try:
            with self._ctx.metadata.session() as session:
                row = InboxMessage(delivery_key=idempotency_key, customer_id=address, title=message.title,
                                   body=message.body, url=message.url, created_at=utcnow())
                session.add(row)
                session.flush()
                row_id = row.id
        except IntegrityError:
            found = self.lookup(idempotency_key)
            return found or ProviderResult(accepted=False, retryable=True, reason="inbox_conflict")
        return ProviderResult(accepted=True, vendor_id=f"inbox-{row_id}")

    def lookup(self, idempotency_key: str) -> ProviderResult | None:
        """Whether a send with this key reached the inbox (recovery after a crash)."""
        with self._ctx.metadata.session() as session:
            row_id = session.scalar(select(InboxMessage.id).where(InboxMessage.delivery_key == idempotency_key))
        return ProviderResult(accepted=True, vendor_id=f"inbox-{row_id}") if row_id is not None else None

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """The inbox has no vendor callbacks: reads and clicks come through /v1/inbox."""
        return []


SPEC = ProviderSpec(kind="inbox", channels=("inbox",), secret_fields=(),
                    build=lambda _channel, _config, _secrets, ctx: InboxProvider(ctx), builtin=True)
