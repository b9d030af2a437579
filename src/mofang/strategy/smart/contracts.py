"""Public types of the smart nodes (the propensity model's status is insight's `PropensityRead`)."""

from __future__ import annotations

from pydantic import BaseModel


class BestTimeRead(BaseModel):
    """最佳时机 in the side panel: of the customers in the viewer's scope, how many have a known best hour."""

    customers: int
    known: int
