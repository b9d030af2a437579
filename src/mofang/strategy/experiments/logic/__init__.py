"""Pure statistics of experiments: tests, intervals, health checks, ROI bootstrap and sticky assignment."""

from mofang.strategy.experiments.logic.assignment import assign_variant, hash_unit, in_holdout
from mofang.strategy.experiments.logic.design import (
    MIN_CONVERSIONS,
    MIN_PER_ARM,
    SRM_THRESHOLD,
    min_sample_note,
    minimum_detectable_effect,
    srm_test,
)
from mofang.strategy.experiments.logic.means import (
    covariate_stats_of,
    cuped_test,
    cuped_theta,
    mean_stats_of,
    welch_test,
)
from mofang.strategy.experiments.logic.proportions import two_proportion_test, wilson_interval
from mofang.strategy.experiments.logic.results import (
    HOLDOUT,
    TREATED,
    Arm,
    ab_nodes,
    arms_of,
    branch_of,
    compare,
    experiment_versions,
    holdout_arms,
    holdout_versions,
)
from mofang.strategy.experiments.logic.roi import bootstrap_roi

__all__ = [
    "HOLDOUT",
    "MIN_CONVERSIONS",
    "MIN_PER_ARM",
    "SRM_THRESHOLD",
    "TREATED",
    "Arm",
    "ab_nodes",
    "arms_of",
    "assign_variant",
    "bootstrap_roi",
    "branch_of",
    "compare",
    "covariate_stats_of",
    "cuped_test",
    "cuped_theta",
    "experiment_versions",
    "hash_unit",
    "holdout_arms",
    "holdout_versions",
    "in_holdout",
    "mean_stats_of",
    "min_sample_note",
    "minimum_detectable_effect",
    "srm_test",
    "two_proportion_test",
    "welch_test",
    "wilson_interval",
]
