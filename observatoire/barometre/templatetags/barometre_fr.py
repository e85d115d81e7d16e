"""Template filters for French numbers: ``{{ p|pourcent }}``, ``{{ d|points }}``, ``{{ n|entier }}``."""

from django import template

from observatoire.core import formats

register = template.Library()


@register.filter
def pourcent(value, digits=0):
    """``{{ p|pourcent }}`` « 40 % », ``{{ p|pourcent:1 }}`` « 0,4 % »."""
    return formats.percent(value, int(digits))


@register.filter
def points(value):
    return formats.points(value)


@register.filter
def evolution(value):
    """Signed change in points: "+10 points"."""
    return formats.points(value, digits=0, signed=True)


@register.filter
def entier(value):
    return formats.integer(value)


@register.filter
def date_heure(value):
    """A date and time in French: "6 décembre 2026 à 09:30"."""
    return formats.datetime_fr(value) if value else ""
