"""Passwords (Argon2), access tokens (JWT HS256) and the failed-login limiter."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("mofang-dummy-password")


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches (constant work even when the user does not exist)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is and which login (session) issued it."""

    user_id: int
    session_id: str


def issue_token(*, key: bytes, user_id: int, username: str, session_id: str, ttl_minutes: int) -> str:
    """A signed, short-lived bearer token naming the user and the session it belongs to."""
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "usr": username, "sid": session_id, "iat": now,
              "exp": now + timedelta(minutes=ttl_minutes)}
    return jwt.encode(claims, key, algorithm="HS256")


def read_token(*, key: bytes, token: str) -> AccessClaims | None:
    """The claims of a valid, unexpired token that names its session, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub", "sid"]})
        return AccessClaims(user_id=int(claims["sub"]), session_id=str(claims["sid"]))
    except (jwt.PyJWTError, ValueError, KeyError):
        return None


def new_refresh_token() -> str:
    """A random refresh token (only its SHA-256 is stored)."""
    return secrets.token_urlsafe(32)


class LoginLimiter:
    """Backs off repeated failed logins of one (username, address) pair.

    Keyed by the pair on purpose: failures from one address never lock the user out elsewhere, and one busy
    address (a branch behind NAT) never locks its other users out.
    """

    def __init__(self, *, max_failures: int, window_seconds: int, backoff_seconds: float = 30.0,
                 max_backoff_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.backoff = backoff_seconds
        self.max_backoff = max_backoff_seconds
        self._clock = clock
        self._state: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def retry_after(self, username: str, address: str) -> int:
        """Seconds the pair must wait before trying again (0: it may try now)."""
        now = self._clock()
        with self._lock:
            f = self._state.get((username, address))
            return 0 if f is None else max(0, math.ceil(f.blocked_until - now))

    def failed(self, username: str, address: str) -> int:
        """Record one failure; returns the seconds the pair must now wait."""
        now = self._clock()
        with self._lock:
            key = (username, address)
            f = self._state.get(key)
            if f is None or now > max(f.blocked_until, f.last) + self.window:
                f = self._state[key] = _Failures()
            f.count += 1
            f.last = now
            if f.count >= self.max_failures:
                # Each failure past the limit doubles the wait: guessing slows down exponentially.
                delay = min(self.max_backoff, self.backoff * 2 ** (f.count - self.max_failures))
                f.blocked_until = now + delay
            if len(self._state) > _MAX_TRACKED:
                self._forget_stale(now)
            return max(0, math.ceil(f.blocked_until - now))

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of the pair."""
        with self._lock:
            self._state.pop((username, address), None)

    def _forget_stale(self, now: float) -> None:
        """Drop pairs that are neither blocked nor recent, so guessing many usernames cannot exhaust memory."""
        for key in [k for k, f in self._state.items() if now > max(f.blocked_until, f.last) + self.window]:
            del self._state[key]


_MAX_TRACKED = 10_000


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    blocked_until: float = 0.0
