"""Delivering an alert: email through an SMTP server and a JSON webhook. Failures are values, not exceptions."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any


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


def post_webhook(*, url: str, payload: dict[str, Any], timeout: float = 10.0) -> str | None:
    """POST the payload as JSON; returns None on a 2xx answer or the reason it failed."""
    req = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:  # the URL was validated as http(s)
            status = res.status
    except OSError as exc:  # URLError and HTTPError are OSErrors
        return f"{type(exc).__name__}: {exc}"
    return None if 200 <= status < 300 else f"HTTP {status}"
