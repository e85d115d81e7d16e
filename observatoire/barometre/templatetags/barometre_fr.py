"""Template filters for French numbers: ``{{ p|pourcent }}``, ``{{ d|points }}``, ``{{ n|entier }}``."""

from django import template

from observatoire.barometre import formats

register = template.Library()


@register.filter
def pourcent(value):
    return formats.percent(value)


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
