"""French number formatting, for every app: "53 %", "0,8 point", "1 255" — a narrow
no-break space between thousands, a no-break space before a unit, a decimal comma."""

from __future__ import annotations

import math
from decimal import Decimal

THOUSANDS = "\u202f"  # espace fine insécable
NBSP = "\u00a0"  # before a unit: 53 %, 0,8 point, 1,5 Mo


def french(text: str) -> str:
    """A number Python formatted with "," between thousands and "." → the French text."""
    return text.replace(",", THOUSANDS).replace(".", ",")


def integer(value: float | int | None) -> str:
    """1255 -> "1 255"."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return french(f"{round(value):,}")


def decimal(value: float, digits: int = 1) -> str:
    """0.8 -> "0,8"; thousands separated like :func:`integer`."""
    return french(f"{value:,.{digits}f}")


def number(value: Decimal | float | int | None, digits: int = 2) -> str:
    """1255 -> "1 255", 0.80 -> "0,8": at most ``digits`` decimals, no trailing zeros;
    "" when there is no value."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return french(text)


def approx(value: float) -> str:
    """Four significant digits at most: 0.063184 -> "0,06318", 1255.4 -> "1 255"."""
    return french(f"{value:,.4g}" if value < 1000 else f"{value:,.0f}")


def exact(value: Decimal) -> str:
    """A decimal as written, whatever its digits: Decimal("1E+3") -> "1 000", "0.005" -> "0,005"."""
    return french(format(value.normalize(), ",f"))


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
