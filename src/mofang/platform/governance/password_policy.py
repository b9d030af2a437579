"""The password policy for console users: long enough, varied, not common, not the username."""

from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 10
MIN_CLASSES = 3


@cache
def _common() -> frozenset[str]:
    """The shipped list of common passwords (lower case), loaded once."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    return sum((
        any(c.islower() for c in password), any(c.isupper() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ))


def password_problem(password: str, *, username: str) -> tuple[str, str, dict[str, int]] | None:
    """Why a password is refused as (code, English message, params), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return ("password_too_short", f"the password needs at least {MIN_LENGTH} characters",
                {"min": MIN_LENGTH})
    if _classes(password) < MIN_CLASSES:
        return ("password_too_simple", f"the password needs at least {MIN_CLASSES} of: lower case, upper case, "
                "digits, symbols", {"min": MIN_CLASSES})
    lowered = password.lower()
    if username and username.lower() in lowered:
        return ("password_contains_username", "the password must not contain the username", {})
    if lowered in _common():
        return ("password_common", "the password is one of the most common passwords", {})
    return None
