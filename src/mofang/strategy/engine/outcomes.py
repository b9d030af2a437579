"""Send outcomes as a 触达结果判断 sees them: ranked by engagement, final or still open to better receipts."""

from __future__ import annotations

# Engagement order of send outcomes: a result split takes the best label at or below the outcome with an edge.
ENGAGEMENT = ("clicked", "opened", "delivered", "accepted")
_RANK = {"accepted": 1, "delivered": 2, "opened": 3, "clicked": 4}


def better(new: str, old: str | None) -> bool:
    """Whether a send outcome is more engaged than the one recorded."""
    return _RANK.get(new, 0) > _RANK.get(old or "", -1 if old is None else 0)


def result_label(outcome: str | None, labels: frozenset[str]) -> str:
    """The branch for a send outcome: the best engagement label at or below it with an edge, else `else`."""
    if outcome in _RANK:
        for label in ENGAGEMENT[ENGAGEMENT.index(outcome):]:
            if label in labels:
                return label
        return "else"
    if outcome == "not_configured":
        outcome = "failed"  # nothing went out: the designer's "failed" branch is the one that means it
    return outcome if outcome is not None and outcome in labels else "else"


def decided(outcome: str | None, labels: frozenset[str]) -> bool:
    """Whether no later receipt can change the branch (a failure is final; so is reaching the best edge)."""
    if outcome is None:
        return False
    if outcome not in _RANK:
        return True
    best = max((_RANK[label] for label in labels if label in _RANK), default=0)
    return _RANK[outcome] >= best
