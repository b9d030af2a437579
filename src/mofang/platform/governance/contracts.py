"""Public types of governance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from mofang.platform.governance.logic import Scope

T = TypeVar("T")


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
    """A bearer token."""

    access_token: str
    token_type: str = "bearer"


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
    password: str = Field(min_length=8, max_length=256)
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
    password: str | None = Field(default=None, min_length=8, max_length=256)


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
