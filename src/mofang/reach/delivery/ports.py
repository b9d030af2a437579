"""What delivery asks of other centres (contact policy, identities, content), as protocols with real defaults.

The defaults call the centres' facades (one contact policy, one address book, one content library); tests swap in
fakes through `Deps`. A send without a template renders only literal `content` variables (the console's test send).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import MofangError
from mofang.reach.contracts import Channel, RenderedMessage
from mofang.reach.delivery import repository as repo
from mofang.reach.delivery.logic import mask_address
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision


class ContactPolicy(Protocol):
    """The global contact policy, asked once per send (a policy may also answer a batch at once: `check_many`)."""

    def check(self, *, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
        """allow / suppress / defer this contact now."""
        ...

    def record_opt_out(self, *, session: Session, customer_id: str, channel: Channel, now: datetime,
                       source: str) -> None:
        """The customer withdrew marketing consent on a channel (回T退订), in the caller's transaction."""
        ...


class DefaultPolicy:
    """`mofang.strategy.contact_policy`: the one contact policy of the bank."""

    def check(self, *, platform: Platform, request: ContactRequest, now: datetime) -> PolicyDecision:
        """Ask the contact policy centre."""
        from mofang.strategy import contact_policy

        return contact_policy.check(platform=platform, request=request, now=now)

    def check_many(self, *, platform: Platform, requests: Sequence[ContactRequest],
                   now: datetime) -> list[PolicyDecision]:
        """Ask the contact policy centre about a batch at once (one transaction for the batch)."""
        from mofang.strategy import contact_policy

        return contact_policy.check_many(platform=platform, requests=requests, now=now)

    def record_opt_out(self, *, session: Session, customer_id: str, channel: Channel, now: datetime,
                       source: str) -> None:
        """Tell the contact policy centre: once committed, no later marketing message goes out on this channel."""
        from mofang.strategy import contact_policy

        contact_policy.record_opt_out(session=session, customer_id=customer_id, channel=channel,
                                      purpose="marketing", source=source, now=now)


@dataclass(frozen=True)
class Address:
    """One customer's address on one channel: masked for the log, the value only through `reveal`."""

    masked: str
    value_enc: str | None = None
    value: str | None = None
    source: Any = None  # the identities centre's own address object, handed back to its reveal()


class AddressBook(Protocol):
    """Where a customer can be reached on a channel (a book may also answer many at once: `addresses`)."""

    def address(self, *, platform: Platform, session: Session, customer_id: str, channel: Channel,
                home: Mapping[str, Any] | None = None) -> Address | None:
        """The best address, or None when the customer has none on the channel (`home`: the master row, if read)."""
        ...

    def reveal(self, *, platform: Platform, address: Address) -> str:
        """The address in clear (called only inside the send, just before the provider)."""
        ...


_MASTER_COLUMNS = {"sms": "phone_enc", "call": "phone_enc", "email": "email_enc"}
_BY_CUSTOMER_NUMBER = ("inbox", "rm_task", "placement")


class DefaultAddressBook:
    """`mofang.integration.identities`; the customer master's phone / e-mail for customers it does not hold."""

    def address(self, *, platform: Platform, session: Session, customer_id: str, channel: Channel,
                home: Mapping[str, Any] | None = None) -> Address | None:
        """Ask the identities centre, else the customer master (the row already read when given)."""
        homes = {customer_id: home} if home is not None else None
        return self.addresses(platform=platform, session=session, customer_ids=[customer_id], channel=channel,
                              homes=homes).get(customer_id)

    def addresses(self, *, platform: Platform, session: Session, customer_ids: Sequence[str], channel: Channel,
                  homes: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Address]:
        """`address` for many customers with one question to the identities centre (the unreachable are absent)."""
        from mofang.integration import identities

        found = identities.addresses_of(session=session, customer_ids=customer_ids, channel=channel)
        out: dict[str, Address] = {}
        for customer_id in customer_ids:
            item = found.get(customer_id)
            if item is not None:
                out[customer_id] = Address(masked=str(getattr(item, "masked", "***")),
                                           value_enc=getattr(item, "value_enc", None),
                                           value=getattr(item, "value", None), source=item)
                continue
            home = homes.get(customer_id) if homes is not None else None
            fallback = self._master(platform, session, customer_id, channel, home)
            if fallback is not None:
                out[customer_id] = fallback
        return out

    @staticmethod
    def _master(platform: Platform, session: Session, customer_id: str, channel: Channel,
                home: Mapping[str, Any] | None) -> Address | None:
        """Customers written before identities were kept (or by a test's direct write): the master row's copy."""
        if channel in _BY_CUSTOMER_NUMBER:
            return Address(masked=customer_id, value=customer_id)
        column = _MASTER_COLUMNS.get(channel)
        if column is None:
            return None
        enc = home.get(column) if home is not None else repo.master_address(session, customer_id, column)
        if not enc:
            return None
        clear = platform.cipher.decrypt_or_none(enc)
        return Address(masked=mask_address(channel, clear), value_enc=enc) if clear else None

    def reveal(self, *, platform: Platform, address: Address) -> str:
        """Decrypt through the identities centre when it gave the address, else with the platform's key."""
        if address.source is not None:
            from mofang.integration import identities

            return str(identities.reveal(address.source, crypto=platform.cipher))
        if address.value_enc:
            return platform.cipher.decrypt(address.value_enc) or ""
        return address.value or ""


class Renderer(Protocol):
    """Turns a template and variables into the message for one customer."""

    def render(self, *, session: Session, template_id: int | None, channel: Channel, facts: Mapping[str, Any],
               variables: Mapping[str, Any]) -> RenderedMessage | str:
        """The rendered message, or a reason code why there is none (`not_configured`, ...)."""
        ...


class DefaultRenderer:
    """`mofang.reach.content.render` for templates; literal `title`/`content`/`url` variables without one."""

    def render(self, *, session: Session, template_id: int | None, channel: Channel, facts: Mapping[str, Any],
               variables: Mapping[str, Any]) -> RenderedMessage | str:
        """Render through the content library; a refusal is a reason code, not an exception."""
        if template_id is not None:
            from mofang.reach import content as library

            try:
                return library.render(session=session, template_id=template_id, channel=channel,
                                      variables=variables, facts=facts)
            except MofangError as exc:
                return exc.code or "render_failed"
        content = variables.get("content")
        if not isinstance(content, str) or not content:
            return "no_content"
        title, url = variables.get("title"), variables.get("url")
        data = variables.get("data")
        return RenderedMessage(
            channel=channel, body=content, title=title if isinstance(title, str) else None,
            url=url if isinstance(url, str) else None,
            data={str(k): str(v) for k, v in data.items()} if isinstance(data, Mapping) else {})


def consents_of(home: Mapping[str, Any] | None) -> dict[str, bool]:
    """The customer master's marketing consents per channel (absent columns say nothing)."""
    if not home:
        return {}
    return {k.removeprefix("consent_"): bool(v) for k, v in home.items() if k.startswith("consent_") and v is not None}


def personal_of(platform: Platform, home: Mapping[str, Any] | None) -> dict[str, Any]:
    """The profile's encrypted personal facts (surname, RM name, masked name and phone), decrypted for this send."""
    enc = home.get("personal_enc") if home else None
    clear = platform.cipher.decrypt_or_none(enc) if enc else None
    return json.loads(clear) if clear else {}


def render_facts(platform: Platform, home: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a template may print about a customer: surname (the only name part), gender, tier, city, RM name."""
    if not home:
        return {}
    personal = personal_of(platform, home)
    return {"surname": personal.get("surname"), "gender": home.get("gender"), "tier": home.get("tier"),
            "city": home.get("city"), "rm_name": personal.get("rm_name")}


def dumps(value: Any) -> str:
    """JSON text of send variables (kept encrypted in the log for a retry)."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
