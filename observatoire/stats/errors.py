"""Errors raised by the statistics engine.

Messages are written in French because analysts read them (through the command line or
the barometer's pages); identifiers and code stay in English.
"""

from __future__ import annotations


class StatsError(ValueError):
    """Invalid input to the statistics engine; the message is in French and names the field."""


class ConvergenceError(StatsError):
    """An iterative weighting method (raking, calibration) did not converge."""
