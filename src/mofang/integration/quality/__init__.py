"""The data-quality view of loaded data: per table, rows, freshness, null rates, orphans; identity coverage."""

from mofang.integration.quality.contracts import NullRate, Orphans, QualityRead, TableQuality
from mofang.integration.quality.service import quality

__all__ = ["NullRate", "Orphans", "QualityRead", "TableQuality", "quality"]
