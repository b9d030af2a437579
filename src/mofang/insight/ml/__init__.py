"""Machine-learning insight: decision-tree customer insight (决策树客群洞察), churn warning (流失预警), propensity."""

from mofang.insight.ml.contracts import PropensityMetrics, PropensityRead
from mofang.insight.ml.propensity_service import (
    get_propensity,
    modelled_events,
    refresh,
    score_propensity,
    train_propensity,
)

__all__ = ["PropensityMetrics", "PropensityRead", "get_propensity", "modelled_events", "refresh",
           "score_propensity", "train_propensity"]
