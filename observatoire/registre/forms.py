from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from observatoire.core.uploads import BoundedFileField
from observatoire.registre import aiact
from observatoire.registre.choices import Theme
from observatoire.registre.fields import CHILD_FIELDS, CONTENT_FIELDS, SECTIONS
from observatoire.registre.models import Dataset, Entry, ModelComponent, ThirdParty, VendorProduct


def _formfield(field, **kwargs):
    """Model form fields, with https assumed for addresses typed without a scheme."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EntryForm(forms.ModelForm):
    extra_themes = forms.MultipleChoiceField(
        label=_("Autres thèmes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Entry
        fields = CONTENT_FIELDS
        formfield_callback = _formfield
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 350}),
        }

    def fieldsets(self):
        """The entry form section by section (rendered as fieldsets)."""
        return [(title, [self[name] for name in names]) for _code, title, names in SECTIONS]


class DatasetForm(forms.ModelForm):
    class Meta:
        model = Dataset
        formfield_callback = _formfield
        fields = CHILD_FIELDS["datasets"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ModelComponentForm(forms.ModelForm):
    class Meta:
        model = ModelComponent
        fields = CHILD_FIELDS["components"]
        widgets = {
            k: forms.Textarea(attrs={"rows": 2})
            for k in ["inputs", "outputs", "architecture", "performance"]
        }


class ThirdPartyForm(forms.ModelForm):
    class Meta:
        model = ThirdParty
        fields = CHILD_FIELDS["third_parties"]
        widgets = {"data_access_terms": forms.Textarea(attrs={"rows": 2})}


FORMSETS = {
    "datasets": (_("Jeux de données"), DatasetForm),
    "components": (_("Modèles"), ModelComponentForm),
    "third_parties": (_("Tiers (fournisseurs, prestataires)"), ThirdPartyForm),
}


def children_formsets(data=None, initial: dict | None = None) -> dict:
    """One formset per kind of child; their cleaned rows go to services as plain dicts."""
    result = {}
    for prefix, (_label, form) in FORMSETS.items():
        formset_class = forms.formset_factory(form, extra=1, can_delete=True)
        result[prefix] = formset_class(data, prefix=prefix, initial=(initial or {}).get(prefix))
    return result


def children_data(formsets: dict) -> dict:
    return {
        prefix: [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for prefix, formset in formsets.items()
    }


class AIActForm(forms.Form):
    """One yes/no checkbox per question of the guided classification, grouped by step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in aiact.QUESTIONS:
            self.fields[question.code] = forms.BooleanField(
                label=question.label,
                help_text=question.help,
                required=False,
                widget=forms.CheckboxInput(attrs={"aria-describedby": f"id_{question.code}-hint"}),
            )

    def steps(self):
        return [
            (title, [self[q.code] for q in aiact.QUESTIONS if q.step == step])
            for step, title in aiact.STEPS.items()
        ]


class ComplianceForm(forms.Form):
    """Article 26 checklist and article 27 outline."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in aiact.DEPLOYER_CHECKLIST:
            self.fields[f"check_{code}"] = forms.BooleanField(label=label, required=False)
        for code, label in aiact.FRIA_SECTIONS:
            self.fields[f"fria_{code}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def checklist(self):
        return [self[f"check_{code}"] for code, _l in aiact.DEPLOYER_CHECKLIST]

    def fria_fields(self):
        return [self[f"fria_{code}"] for code, _l in aiact.FRIA_SECTIONS]

    def split(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        return (
            {code: data[f"check_{code}"] for code, _l in aiact.DEPLOYER_CHECKLIST},
            {code: data[f"fria_{code}"] for code, _l in aiact.FRIA_SECTIONS},
        )


class ImportForm(forms.Form):
    file = BoundedFileField(
        label=_("Fichier CSV au modèle Eurocities v0.3.1"),
        help_text=_("Séparateur point-virgule ou virgule, encodage UTF-8, une fiche par ligne."),
    )


class VendorProductForm(forms.ModelForm):
    class Meta:
        model = VendorProduct
        fields = [
            "name",
            "vendor_name",
            "vendor_siren",
            "description",
            "technology",
            "model_size",
            "url",
            "documentation_url",
        ]
        formfield_callback = _formfield
