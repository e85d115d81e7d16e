"""Observatoire's survey statistics engine (pure Python: NumPy and SciPy, no Django).

Design-based estimation that reproduces R's ``survey`` package (Lumley 2010): designs with
weights, strata, finite population corrections and clusters; post-stratification, raking
and calibration; totals, means, proportions and ratios for many indicators and domains at
once, with calibration-aware linearised standard errors, confidence intervals suited to
small samples, design effects, comparisons and disclosure control.  See ``docs/stats.md``.
"""

from .ci import confidence_interval
from .compare import Comparison, compare_domains, compare_editions, compare_to_overall
from .design import Design
from .disclosure import DisclosureRule
from .errors import ConvergenceError, StatsError
from .estimators import Estimates, IndicatorMatrix, cross, estimate, estimate_ratio
from .replicate import replicate_estimate
from .variance import replicate_weights, taylor_variance
from .weighting import (
    Margin,
    calibrate,
    calibrate_matrix,
    post_stratify,
    rake,
    stratified_weights,
    trim_weights,
    weights_report,
)

__all__ = [
    "Comparison",
    "ConvergenceError",
    "Design",
    "DisclosureRule",
    "Estimates",
    "IndicatorMatrix",
    "Margin",
    "StatsError",
    "calibrate",
    "calibrate_matrix",
    "compare_domains",
    "compare_editions",
    "compare_to_overall",
    "confidence_interval",
    "cross",
    "estimate",
    "estimate_ratio",
    "post_stratify",
    "rake",
    "replicate_estimate",
    "replicate_weights",
    "stratified_weights",
    "taylor_variance",
    "trim_weights",
    "weights_report",
]
