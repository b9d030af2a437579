"""Logging that never carries PII in clear: phone, ID and card numbers and e-mails are masked in every record."""

from __future__ import annotations

import logging
import re

from mofang.platform.pii import mask_text

# Mainland mobile numbers and 18-digit resident ID numbers, wherever they appear in a message.
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """Mask phone, ID and card numbers and e-mails inside free text (in logs any 18-digit number counts as an ID)."""
    text = _ID.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return mask_text(_PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text))


class PiiFilter(logging.Filter):
    """Rewrites each record's message with PII masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message template and every argument, keeping the args' shape for formatters."""
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _scrub_arg(v) for k, v in record.args.items()}
        return True


def _scrub_arg(value: object) -> object:
    """Numbers stay numbers (for %d); anything else is rendered and masked."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(value if isinstance(value, str) else str(value))


def install_pii_filter() -> None:
    """Attach the filter to every handler of the root and uvicorn loggers (idempotent)."""
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "mofang"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, PiiFilter) for f in logger.filters):
            logger.addFilter(PiiFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, PiiFilter) for f in handler.filters):
                handler.addFilter(PiiFilter())


def uvicorn_log_config() -> dict[str, object]:
    """uvicorn's logging config with the PII filter on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict = {**LOGGING_CONFIG, "filters": {"pii": {"()": PiiFilter}}}
    config["handlers"] = {name: {**h, "filters": ["pii"]} for name, h in LOGGING_CONFIG["handlers"].items()}
    return config
