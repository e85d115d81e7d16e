"""Stored values as people read them: a choice's label, never its code.

The journal, the register's public history and the moderation diff show values read back
from JSON; this turns « experiment → production » into « expérimentation → en production ».
"""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext


def field_of(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def label_of(model: type[models.Model] | None, name: str) -> str:
    """The field's verbose name, or the name itself for what is not a field."""
    field = field_of(model, name)
    return str(field.verbose_name) if field is not None else name


def readable(model: type[models.Model] | None, name: str, value: Any) -> Any:
    """A choice's label (each item's, for a list of codes), « oui »/« non » for a boolean;
    no value stays None (the page shows « ∅ », not « None »); any other value as it is."""
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    field = field_of(model, name)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if not choices:
        return value
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))
