"""The journal's filters (who, what object, when) and its changes as people read them."""

import datetime

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from observatoire.core.models import AuditEvent
from observatoire.core.readable import label_of, readable


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_choices() -> list[tuple[str, str]]:
    """The kinds of object the journal holds, by their French name."""
    labels = AuditEvent.objects.order_by().values_list("model", flat=True).distinct()
    named: list[tuple[str, str]] = []
    for label in labels:
        model = _model(label)
        named.append((label, str(capfirst(model._meta.verbose_name)) if model else label))
    return [("", str(_("Tous"))), *sorted(named, key=lambda pair: pair[1])]


class JournalFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Auteur (adresse électronique)"), required=False, max_length=254
    )
    model = forms.ChoiceField(label=_("Type d'objet"), required=False)
    id = forms.CharField(label=_("Identifiant de l'objet"), required=False, max_length=64)
    since = forms.DateField(
        label=_("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = model_choices()

    def events(self) -> QuerySet[AuditEvent]:
        """The events that match the filters (all of them when the form is invalid)."""
        events = AuditEvent.objects.select_related("actor")
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["actor"]:
            user = get_user_model().objects.filter(email__iexact=data["actor"].strip()).first()
            events = events.filter(actor=user) if user else events.none()
        if data["model"]:
            events = events.filter(model=data["model"])
        if data["id"]:
            events = events.filter(object_id=data["id"].strip())
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(
                at__gte=datetime.datetime.combine(data["since"], datetime.time.min, zone)
            )
        if data["until"]:
            end = data["until"] + datetime.timedelta(days=1)
            events = events.filter(at__lt=datetime.datetime.combine(end, datetime.time.min, zone))
        return events


def readable_changes(event: AuditEvent) -> list[dict]:
    """Each changed field by its French name, its values by their labels."""
    model = _model(event.model)
    return [
        {
            "field": label_of(model, name),
            "before": readable(model, name, values[0]),
            "after": readable(model, name, values[1]),
        }
        for name, values in (event.changes or {}).items()
        if isinstance(values, list | tuple) and len(values) == 2
    ]


def object_name(event: AuditEvent) -> str:
    model = _model(event.model)
    return str(capfirst(model._meta.verbose_name)) if model else event.model
