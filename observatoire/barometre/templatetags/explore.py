"""Filters of the explorer's model tables: ``{{ x|fr_number }}`` (2,35), ``{{ p|fr_p }}``."""

import math

from django import template

from observatoire.barometre.explore import p_text
from observatoire.core import formats

register = template.Library()


@register.filter
def fr_number(value):
    """A ratio or coefficient with three significant digits, French decimal comma."""
    if value is None or not math.isfinite(value):
        return "—"
    digits = max(0, 2 - math.floor(math.log10(abs(value)))) if value else 2
    return formats.decimal(value, min(digits, 6))


@register.filter
def fr_p(value):
    """« 0,003 », « < 0,001 »."""
    if value is None or not math.isfinite(value):
        return "—"
    return p_text(value).removeprefix("p = ").removeprefix("p ")
