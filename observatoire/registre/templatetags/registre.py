"""Small template helpers of the register: widget kinds, French numbers, field rows, formats."""

from django import forms, template

from observatoire.core import formats
from observatoire.registre.exports import EXPORTERS, Exporter
from observatoire.registre.fields import SECTION_FIELDS, label

register = template.Library()


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multiple(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.filter
def fr_number(value, digits: int = 0) -> str:
    """1 255 ; 0,8 — as French readers expect (narrow no-break space for thousands)."""
    if value in (None, ""):
        return ""
    return formats.decimal(float(value), int(digits))


@register.filter
def fr_approx(value) -> str:
    """Four significant digits at most, French style: 0,06318 ; 1 255."""
    return "" if value in (None, "") else formats.approx(float(value))


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.simple_tag
def exporters() -> list[Exporter]:
    """The export formats, for the pages' download links."""
    return list(EXPORTERS.values())


@register.filter
def rationale(entry) -> list[tuple[str, str]]:
    """(label, value) of the rationale fields the entry fills."""
    rows = []
    for name in SECTION_FIELDS["rationale"]:
        value = getattr(entry, name)
        if value in (None, ""):
            continue
        if name == "automation":
            value = entry.get_automation_display()
        elif name == "volume_per_year":
            value = fr_number(value)
        rows.append((label(name), value))
    return rows
