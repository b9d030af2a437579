"""Public types of governance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field
from sqlglot import exp

from mofang.platform.storage.sql import Params, col

T = TypeVar("T")


def in_subtree(code: str, root: str) -> bool:
    """Whether org `code` lies in the subtree of `root` (codes nest as HQ, GD, GD-SZ, GD-SZ-001)."""
    return root == "HQ" or code == root or code.startswith(root + "-")


@dataclass(frozen=True)
class Scope:
    """What part of the bank a user may see: everything, an org subtree, or an RM's own book."""

    kind: Literal["all", "org", "rm"]
    org_code: str = "HQ"
    rm_id: str | None = None

    @classmethod
    def for_user(cls, *, role: str, org_code: str, rm_id: str | None) -> Scope:
        """The scope a user's role and org give them."""
        if role == "rm":
            # An RM without a book sees nobody rather than the whole branch.
            return cls(kind="rm", org_code=org_code, rm_id=rm_id or "")
        if org_code == "HQ":
            return cls(kind="all")
        return cls(kind="org", org_code=org_code)

    def allows_org(self, code: str) -> bool:
        """Whether rows of org `code` may be visible (RMs are further narrowed by their book)."""
        return self.kind == "all" or in_subtree(code, self.org_code)

    def allows(self, *, org_code: str, rm_id: str | None) -> bool:
        """Whether one customer row (its branch and RM) is visible."""
        if self.kind == "rm":
            return rm_id == self.rm_id
        return self.allows_org(org_code)

    def predicate(self, params: Params, *, table: str | None = None) -> exp.Expression | None:
        """SQL condition restricting customer rows (columns org_code, rm_id) to this scope."""
        if self.kind == "all":
            return None
        if self.kind == "rm":
            return exp.EQ(this=col("rm_id", table), expression=params(self.rm_id))
        org = col("org_code", table)
        return exp.or_(
            exp.EQ(this=org, expression=params(self.org_code)),
            # starts_with, not LIKE: an org code must never act as a wildcard pattern.
            exp.func("starts_with", org.copy(), params(self.org_code + "-")),
        )


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request, with what they may do and see."""

    user_id: int
    username: str
    display_name: str
    role: str
    org_code: str
    rm_id: str | None
    permissions: frozenset[str]
    scope: Scope
    ip: str | None = None
    user_agent: str | None = None

    def can(self, permission: str) -> bool:
        """Whether the user holds a permission."""
        return permission in self.permissions


class LoginRequest(BaseModel):
    """Credentials posted to /api/auth/login."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    """A short-lived bearer token (the refresh token travels in an HttpOnly cookie only)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds


class PasswordChange(BaseModel):
    """A user changing their own password."""

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class OutboundHostCreate(BaseModel):
    """A host to allow outgoing calls to."""

    host: str = Field(min_length=1, max_length=255)


class OutboundHostRead(BaseModel):
    """An allow-listed host and where the entry comes from (settings or an administrator)."""

    host: str
    source: Literal["settings", "admin"]
    created_by: str | None = None
    created_at: datetime | None = None


class OrgRead(BaseModel):
    """One org of the tree."""

    code: str
    name: str
    parent_code: str | None
    level: int


class MeRead(BaseModel):
    """The logged-in user as the console needs them."""

    id: int
    username: str
    display_name: str
    role: str
    role_name: str
    role_name_en: str
    org_code: str
    org_name: str
    rm_id: str | None
    permissions: list[str]


class UserCreate(BaseModel):
    """A new console user."""

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=1, max_length=256)  # the policy is checked by the service, with a code
    display_name: str | None = Field(default=None, max_length=128)
    role: str
    org_code: str = Field(min_length=1, max_length=64)
    rm_id: str | None = Field(default=None, max_length=64)


class UserUpdate(BaseModel):
    """Changes to a user (only the fields given)."""

    display_name: str | None = Field(default=None, max_length=128)
    role: str | None = None
    org_code: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=256)


class UserRead(BaseModel):
    """A user as listed to admins (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    org_code: str
    org_name: str | None
    rm_id: str | None
    active: bool
    created_at: datetime


class RoleRead(BaseModel):
    """A role and its permissions."""

    id: str
    name: str
    name_en: str
    permissions: list[str]


class KeyCreate(BaseModel):
    """A new ingestion write key."""

    name: str = Field(min_length=1, max_length=128)


class KeyRead(BaseModel):
    """A write key as listed (only its prefix)."""

    id: int
    name: str
    prefix: str
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(BaseModel):
    """A write key just created: the only time the full key is shown."""

    id: int
    name: str
    prefix: str
    key: str


class AuditRead(BaseModel):
    """One audit entry."""

    id: int
    ts: datetime
    username: str | None
    action: str
    target_type: str | None
    target_id: str | None
    detail: dict[str, Any]
    ip: str | None


class Page(BaseModel, Generic[T]):
    """A page of items with the total count."""

    items: list[T]
    total: int
