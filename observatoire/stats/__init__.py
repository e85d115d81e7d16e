"""Observatoire's survey statistics engine (pure Python: NumPy and SciPy, no Django).

Design-based estimation that reproduces R's ``survey`` package (Lumley 2010): designs with
weights, strata, finite population corrections and clusters; post-stratification, raking
and calibration; totals, means, proportions and ratios for many indicators and domains at
once, with calibration-aware linearised standard errors, confidence intervals suited to
small samples, design effects, comparisons and disclosure control.  See ``docs/stats.md``.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ci import confidence_interval
    from .compare import Comparison, compare_domains, compare_editions, compare_to_overall
    from .design import Design
    from .disclosure import DisclosureRule
    from .errors import ConvergenceError, StatsError
    from .estimators import Estimates, IndicatorMatrix, cross, estimate, estimate_ratio
    from .models import Model, TermTest, fit_model, term_test
    from .quantile import Quantiles, quantiles, replicate_quantiles
    from .replicate import Replicated, given_replicates, replicate_design, replicate_estimate
    from .tables import CrossTable, IndependenceTest, crosstab, crosstabs
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

#: Where each public name lives: modules are imported on first use, so that the command
#: line starts (and ``--help`` answers) without loading NumPy.
_HOMES = {
    "confidence_interval": "ci",
    "Comparison": "compare",
    "compare_domains": "compare",
    "compare_editions": "compare",
    "compare_to_overall": "compare",
    "Design": "design",
    "DisclosureRule": "disclosure",
    "ConvergenceError": "errors",
    "StatsError": "errors",
    "Estimates": "estimators",
    "IndicatorMatrix": "estimators",
    "cross": "estimators",
    "estimate": "estimators",
    "estimate_ratio": "estimators",
    "Model": "models",
    "TermTest": "models",
    "fit_model": "models",
    "term_test": "models",
    "Quantiles": "quantile",
    "quantiles": "quantile",
    "replicate_quantiles": "quantile",
    "CrossTable": "tables",
    "IndependenceTest": "tables",
    "crosstab": "tables",
    "crosstabs": "tables",
    "replicate_estimate": "replicate",
    "replicate_design": "replicate",
    "given_replicates": "replicate",
    "Replicated": "replicate",
    "replicate_weights": "variance",
    "taylor_variance": "variance",
    "Margin": "weighting",
    "calibrate": "weighting",
    "calibrate_matrix": "weighting",
    "post_stratify": "weighting",
    "rake": "weighting",
    "stratified_weights": "weighting",
    "trim_weights": "weighting",
    "weights_report": "weighting",
}

__all__ = [
    "Comparison",
    "ConvergenceError",
    "CrossTable",
    "Design",
    "DisclosureRule",
    "Estimates",
    "IndependenceTest",
    "IndicatorMatrix",
    "Margin",
    "Model",
    "Quantiles",
    "Replicated",
    "StatsError",
    "TermTest",
    "calibrate",
    "calibrate_matrix",
    "compare_domains",
    "compare_editions",
    "compare_to_overall",
    "confidence_interval",
    "cross",
    "crosstab",
    "crosstabs",
    "estimate",
    "estimate_ratio",
    "fit_model",
    "given_replicates",
    "post_stratify",
    "quantiles",
    "rake",
    "replicate_design",
    "replicate_estimate",
    "replicate_quantiles",
    "replicate_weights",
    "stratified_weights",
    "taylor_variance",
    "term_test",
    "trim_weights",
    "weights_report",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
