from django import forms
from django.utils.translation import gettext_lazy as _

from observatoire.cas_usage.choices import Decision, MatchDecision
from observatoire.cas_usage.models import Link, Result, ThesaurusEntry, UseCase
from observatoire.cas_usage.services import CASE_FIELDS


class UseCaseForm(forms.ModelForm):
    """The case's fields; register entries are chosen among the authority's own."""

    class Meta:
        model = UseCase
        fields = [*CASE_FIELDS, "register_entries"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["summary", "stage_reason", "cost", "funding"]
        } | {name: forms.Textarea(attrs={"rows": 6}) for name in ["description", "lessons"]}

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        from observatoire.registre.models import Entry

        field = self.fields["register_entries"]
        field.queryset = (
            Entry.objects.filter(authority=authority) if authority else Entry.objects.none()
        )
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        if authority is None or not field.queryset.exists():
            del self.fields["register_entries"]


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["indicator", "before", "after", "unit", "note", "source"]


class LinkForm(forms.ModelForm):
    url = forms.URLField(label=_("adresse"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Link
        fields = ["kind", "title", "url", "resource_type"]
        labels = {"title": _("Intitulé du lien")}


ResultFormSet = forms.formset_factory(ResultForm, extra=2)
LinkFormSet = forms.formset_factory(LinkForm, extra=2)


def filled(formset) -> list[dict]:
    """The rows the user actually filled in (blank extra rows are ignored)."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Message au référent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour demander des modifications ou refuser."),
    )


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("Votre adresse électronique"))
    message = forms.CharField(
        label=_("Votre message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MatchDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Décision"), choices=MatchDecision.choices)
    code = forms.CharField(
        label=_("Code de la collectivité"),
        required=False,
        max_length=12,
        help_text=_(
            "Pour corriger : code INSEE ou SIREN, précédé du type s'il est ambigu (region:11)."
        ),
    )
    national = forms.BooleanField(label=_("C'est un acteur national"), required=False)


class ThesaurusEntryForm(forms.ModelForm):
    class Meta:
        model = ThesaurusEntry
        fields = ["french", "english", "theme", "is_active"]
        widgets = {
            "french": forms.Textarea(attrs={"rows": 4}),
            "english": forms.Textarea(attrs={"rows": 4}),
        }
