"""Delivering an alert: email through an SMTP server and a JSON webhook. Failures are values, not exceptions."""

from __future__ import annotations

import smtplib
from collections.abc import Collection
from email.message import EmailMessage
from typing import Any

from mofang.platform import outbound


def send_email(*, host: str, port: int, sender: str, to: list[str], subject: str, body: str,
               timeout: float = 10.0) -> str | None:
    """Send one email; returns None on success or the reason it failed."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg.set_content(body)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def post_webhook(*, url: str, payload: dict[str, Any], allow_hosts: Collection[str] = (),
                 timeout: float = 10.0) -> str:
    """POST the payload as JSON through the outbound guard; "sent", or the outcome and status code (never the
    answer's body: the rule's author would read it in the alert's notifications)."""
    result = outbound.post_json(url, payload, allow_hosts=allow_hosts, timeout=timeout)
    return "sent" if result.ok else result.summary()
