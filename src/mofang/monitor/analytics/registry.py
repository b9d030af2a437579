"""The analysis models by name: query contract, the service function that runs it, and its CSV table.

The one dispatch table saved analyses, dashboards and exports go through, so a model added here is savable,
pinnable and exportable at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel

from mofang.monitor.analytics import service, tabular
from mofang.monitor.analytics.contracts import (
    AnalysisBase,
    AttributionQuery,
    DistributionQuery,
    FunnelQuery,
    IntervalQuery,
    LtvQuery,
    MauAumQuery,
    PathsQuery,
    PropertiesQuery,
    RetentionQuery,
    RfmQuery,
    TrendsQuery,
)

ModelName = Literal["trends", "funnel", "retention", "paths", "attribution", "distribution", "interval",
                    "properties", "ltv", "rfm", "mau-aum"]
MODEL_NAMES: tuple[str, ...] = get_args(ModelName)


@dataclass(frozen=True)
class AnalysisModel:
    """How to validate, run and tabulate one model."""

    name: str
    query: type[BaseModel]
    run: Callable[..., Any]  # (*, platform, who, query) -> the model's result
    table: Callable[[Any], tabular.Table]

    @property
    def dated(self) -> bool:
        """Whether the query has a date range (date_from/date_to) that a relative range can replace."""
        return issubclass(self.query, AnalysisBase)


MODELS: dict[str, AnalysisModel] = {m.name: m for m in (
    AnalysisModel("trends", TrendsQuery, service.trends, tabular.trends),
    AnalysisModel("funnel", FunnelQuery, service.funnel_analysis, tabular.funnel),
    AnalysisModel("retention", RetentionQuery, service.retention_analysis, tabular.retention),
    AnalysisModel("paths", PathsQuery, service.paths_analysis, tabular.paths),
    AnalysisModel("attribution", AttributionQuery, service.attribution_analysis, tabular.attribution),
    AnalysisModel("distribution", DistributionQuery, service.distribution_analysis, tabular.distribution),
    AnalysisModel("interval", IntervalQuery, service.interval_analysis, tabular.interval),
    AnalysisModel("properties", PropertiesQuery, service.properties_analysis, tabular.properties),
    AnalysisModel("ltv", LtvQuery, service.ltv_analysis, tabular.ltv),
    AnalysisModel("rfm", RfmQuery, service.rfm_analysis, tabular.rfm),
    AnalysisModel("mau-aum", MauAumQuery, service.mau_aum_dashboard, tabular.mau_aum),
)}
assert set(MODELS) == set(MODEL_NAMES)
