"""邮件 e-mail over SMTP (stdlib smtplib): STARTTLS and AUTH when configured, HTML + text, one-click unsubscribe.

Each message is multipart/alternative (the text part, then the HTML part with a 1×1 open pixel); its links are
already tracked `/r/{token}` links. `List-Unsubscribe` points at Mofang's `/r/{token}/unsubscribe` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) lets mail clients unsubscribe with one POST. The SMTP
host goes through the outbound guard's address check at every send, and the connection goes to the checked address
(TLS still verifies the host's name). A 4xx reply, a timeout or a dropped connection is retried; 5xx is final.

Config: `smtp_host`, `smtp_port` (587), `starttls` (true), `username`, `from_address`, `from_name`, `reply_to`.
Secret: `password`.
"""

from __future__ import annotations

import html
import secrets as pysecrets
import smtplib
import socket
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Final

from mofang.platform import outbound
from mofang.reach.channels import ProviderContext, ProviderSpec
from mofang.reach.contracts import Channel, ProviderResult, Receipt, RenderedMessage
from mofang.reach.models import TrackedLink

OPEN_MARK: Final = "mofang:open"  # a tracked-link row that records an open instead of redirecting
UNSUBSCRIBE_MARK: Final = "mofang:unsubscribe"  # a tracked-link row that unsubscribes its delivery's customer


class _PinnedSMTP(smtplib.SMTP):
    """SMTP to the address the outbound guard checked, while STARTTLS still verifies the configured host name."""

    def __init__(self, ip: str, **kwargs: Any) -> None:
        self._pinned_ip = ip
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._pinned_ip, port), timeout, self.source_address)


def compose(message: RenderedMessage, *, to: str, sender: str, sender_name: str, reply_to: str | None,
            unsubscribe_url: str | None, pixel_url: str | None, now: datetime, domain: str) -> EmailMessage:
    """The MIME message: text and HTML alternatives, List-Unsubscribe headers, the open pixel at the end."""
    mail = EmailMessage()
    mail["Subject"] = message.title or ""
    mail["From"] = formataddr((sender_name, sender)) if sender_name else sender
    mail["To"] = to
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=domain)
    if unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.body)
    body_html = message.html or "<p>" + html.escape(message.body).replace("\n", "<br>") + "</p>"
    if pixel_url:
        body_html += f'<img src="{html.escape(pixel_url)}" width="1" height="1" alt="" style="display:none">'
    mail.add_alternative(f"<!DOCTYPE html><html><body>{body_html}</body></html>", subtype="html")
    return mail


class SmtpEmail:
    """One SMTP relay (the bank's mail gateway)."""

    channel: Channel = "email"

    def __init__(self, config: Mapping[str, Any], secrets: Mapping[str, str], ctx: ProviderContext) -> None:
        self._config = config
        self._secrets = secrets
        self._ctx = ctx

    def _tokens(self, delivery_id: int | None, now: datetime) -> tuple[str | None, str | None]:
        """(unsubscribe URL, open pixel URL) for a delivery: tracked-link rows marked for those uses."""
        if delivery_id is None:
            return None, None
        base = self._ctx.public_url.rstrip("/")
        unsub, pixel = pysecrets.token_urlsafe(18), pysecrets.token_urlsafe(18)
        with self._ctx.metadata.session() as session:
            session.add(TrackedLink(token=unsub, delivery_id=delivery_id, url=UNSUBSCRIBE_MARK,
                                    expires_at=now + timedelta(days=365), clicks=0, created_at=now))
            session.add(TrackedLink(token=pixel, delivery_id=delivery_id, url=OPEN_MARK,
                                    expires_at=now + timedelta(days=90), clicks=0, created_at=now))
        return f"{base}/r/{unsub}/unsubscribe", f"{base}/r/{pixel}/open.gif"

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Hand one message to the SMTP relay; its Message-ID is the vendor id."""
        cfg = self._config
        host, port = str(cfg.get("smtp_host") or ""), int(cfg.get("smtp_port") or 587)
        ip, problem = outbound.check_host(host, port, allow_hosts=self._ctx.allow_hosts)
        if ip is None:
            retry = problem == "the host name does not resolve"
            return ProviderResult(accepted=False, retryable=retry, reason="smtp_host_refused" if not retry
                                  else "unresolvable")
        now = datetime.now(UTC)
        sender = str(cfg.get("from_address") or "")
        unsubscribe_url, pixel_url = self._tokens(message.delivery_id, now)
        mail = compose(message, to=address, sender=sender, sender_name=str(cfg.get("from_name") or ""),
                       reply_to=cfg.get("reply_to") or None, unsubscribe_url=unsubscribe_url, pixel_url=pixel_url,
                       now=now, domain=sender.rpartition("@")[2] or "mofang.local")
        try:
            with _PinnedSMTP(ip, host=host, port=port, timeout=self._ctx.timeout) as smtp:
                if cfg.get("starttls", True):
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.get("username"):
                    smtp.login(str(cfg["username"]), self._secrets.get("password", ""))
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            temporary = all(400 <= code < 500 for code, _msg in exc.recipients.values())
            return ProviderResult(accepted=False, retryable=temporary,
                                  reason="smtp_recipient_deferred" if temporary else "smtp_recipient_refused")
        except smtplib.SMTPAuthenticationError:
            return ProviderResult(accepted=False, reason="smtp_auth_failed")
        except smtplib.SMTPNotSupportedError:
            return ProviderResult(accepted=False, reason="smtp_starttls_unsupported")
        except smtplib.SMTPResponseException as exc:
            return ProviderResult(accepted=False, retryable=400 <= exc.smtp_code < 500,
                                  reason=f"smtp_{exc.smtp_code}")
        except ssl.SSLError:
            return ProviderResult(accepted=False, reason="tls_error")
        except (smtplib.SMTPException, OSError):
            return ProviderResult(accepted=False, retryable=True, reason="smtp_unreachable")
        return ProviderResult(accepted=True, vendor_id=str(mail["Message-ID"]).strip("<>")[:128])

    def parse_receipt(self, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """E-mail has no vendor callback: opens, clicks and unsubscribes come through Mofang's own links."""
        return []


def validate(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of an SMTP config as (field, code)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(config.get("smtp_host"), str) or not config.get("smtp_host"):
        problems.append(("config.smtp_host", "reach_field_required"))
    port = config.get("smtp_port", 587)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        problems.append(("config.smtp_port", "reach_port_invalid"))
    sender = config.get("from_address")
    if not isinstance(sender, str) or "@" not in sender or len(sender) > 254:
        problems.append(("config.from_address", "reach_email_invalid"))
    return problems


SPEC = ProviderSpec(kind="smtp", channels=("email",), secret_fields=("password",),
                    build=lambda _channel, config, secrets, ctx: SmtpEmail(config, secrets, ctx), validate=validate)
