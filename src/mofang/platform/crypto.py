"""Secrets kept in the data dir: the token signing key and the PII encryption key."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


def _read_or_create(path: Path, make: bytes) -> bytes:
    """Read a secret file, creating it (mode 600) the first time."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(make)
    return make


def signing_key(secrets_dir: Path) -> bytes:
    """The HMAC key that signs access tokens."""
    return _read_or_create(secrets_dir / "token.key", secrets.token_hex(32).encode())


class PiiCipher:
    """Encrypts PII at rest (Fernet: AES-128-CBC + HMAC) so the store never holds it in clear."""

    def __init__(self, secrets_dir: Path) -> None:
        self._fernet = Fernet(_read_or_create(secrets_dir / "pii.key", Fernet.generate_key()))

    def encrypt(self, value: str | None) -> str | None:
        """Encrypt a value (None stays None)."""
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def encrypt_many(self, values: Sequence[str | None]) -> list[str | None]:
        """Encrypt a column of values (None stays None): the same tokens as `encrypt`, without a call per value."""
        encrypt = self._fernet.encrypt
        return [None if v is None else encrypt(v.encode()).decode() for v in values]

    def decrypt(self, token: str | None) -> str | None:
        """Decrypt a value (None stays None)."""
        return None if token is None else self._fernet.decrypt(token.encode()).decode()

    def decrypt_or_none(self, token: str | None) -> str | None:
        """Decrypt a value; None when there is none or it was encrypted under another key (a restored backup)."""
        try:
            return self.decrypt(token)
        except InvalidToken:
            return None


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of a string (write keys are stored only as this)."""
    return hashlib.sha256(value.encode()).hexdigest()
