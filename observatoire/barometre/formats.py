"""French number formatting: "53 %", "0,8 point", "1 255" (no-break spaces)."""

from __future__ import annotations

import math

NBSP = "\u00a0"


def integer(value: float | int | None) -> str:
    """1255 -> "1 255" (no-break space as thousands separator)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{round(value):,}".replace(",", NBSP)


def decimal(value: float, digits: int = 1) -> str:
    """0.8 -> "0,8"; thousands separated like :func:`integer`."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def percent(proportion: float | None, digits: int = 0) -> str:
    """0.53 -> "53 %"."""
    if proportion is None or not math.isfinite(proportion):
        return "—"
    value = 100 * proportion
    text = integer(value) if digits == 0 else decimal(value, digits)
    return f"{text}{NBSP}%"


def points(difference: float | None, digits: int = 1, signed: bool = False) -> str:
    """0.008 -> "0,8 point"; 0.1 -> "10 points" ("+10 points" when signed)."""
    if difference is None or not math.isfinite(difference):
        return "—"
    value = 100 * difference
    rounded = round(value, digits)
    text = decimal(abs(rounded), digits) if digits else integer(abs(rounded))
    if digits and text.endswith(",0"):
        text = text[:-2]
    sign = (
        ("+" if rounded > 0 else "−" if rounded < 0 else "")
        if signed
        else ("−" if rounded < 0 else "")
    )
    unit = "point" if abs(rounded) < 2 else "points"
    return f"{sign}{text}{NBSP}{unit}"


def datetime_fr(value) -> str:
    """A local date and time the French way: "6 décembre 2026 à 09:30"."""
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "j F Y à H:i")
