"""What the engine may read about customers at a step: the metadata-DB profile table every worker can read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mofang.strategy.engine.contracts import Facts

EMPTY = Facts()


@dataclass(frozen=True)
class Known:
    """A customer as the engine sees them: the facts for decisions and the branch/RM for data scope."""

    facts: Facts
    org_code: str | None = None
    rm_id: str | None = None


class FactsSource(Protocol):
    """Reads customers' facts (and branch) in one query per batch."""

    def facts_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Facts]:
        """Facts of the customers that have a profile (others are absent)."""
        ...

    def known_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Known]:
        """Facts plus branch and RM of the customers that have a profile."""
        ...


def _facts(profile: Any) -> Facts:
    attributes = dict(getattr(profile, "attributes", None) or {})
    for name in ("kyc_level", "tier", "aum"):  # first-class profile columns are attributes to conditions
        value = getattr(profile, name, None)
        if value is not None:
            attributes.setdefault(name, value)
    return Facts(attributes=attributes, tags=dict(getattr(profile, "tags", None) or {}),
                 segments=frozenset(int(s) for s in (getattr(profile, "segments", None) or ())),
                 scores=dict(getattr(profile, "scores", None) or {}),
                 score_ranks=dict(getattr(profile, "score_ranks", None) or {}),
                 best_hour=getattr(profile, "best_hour", None))


class ProfileFacts:
    """Facts from `mofang.insight.profiles.get_profiles`; empty (and no branch) while that module is absent."""

    def _profiles(self, session: Session, customer_ids: Collection[str]) -> dict[str, Any]:
        try:
            from mofang.insight.profiles import get_profiles  # type: ignore[attr-defined]
        except ImportError:  # the profile table is another centre's; without it nobody is known
            return {}
        return dict(get_profiles(session=session, customer_ids=list(customer_ids)))

    def facts_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Facts]:
        """Facts of the customers that have a profile."""
        return {cid: _facts(p) for cid, p in self._profiles(session, customer_ids).items()}

    def known_of(self, *, session: Session, customer_ids: Collection[str]) -> dict[str, Known]:
        """Facts, branch and RM of the customers that have a profile."""
        return {cid: Known(facts=_facts(p), org_code=getattr(p, "org_code", None), rm_id=getattr(p, "rm_id", None))
                for cid, p in self._profiles(session, customer_ids).items()}
