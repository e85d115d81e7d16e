from django import forms
from django.utils.translation import gettext_lazy as _

from observatoire.barometre.choices import Unit
from observatoire.core.uploads import BoundedFileField
from observatoire.territoires.choices import Stratum


class WeightingPlanForm(forms.Form):
    """The analyst's choices for an authorities' edition: unit, margins, collapsed strata."""

    unit = forms.ChoiceField(
        label=_("Unité"), choices=[c for c in Unit.choices if c[0] != Unit.PERSONS]
    )
    margins = forms.MultipleChoiceField(
        label=_("Marges de calage"),
        choices=[("strate", _("strate")), ("region", _("région"))],
        widget=forms.CheckboxSelectMultiple,
        initial=["strate", "region"],
    )
    collapse = forms.CharField(
        label=_("Strates regroupées"),
        required=False,
        help_text=_("Une par ligne : « strate → strate d'accueil », par ex. « cu → metropole »."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min_cell = forms.IntegerField(
        label=_("Réponses minimales par case"), min_value=1, max_value=100, initial=5
    )

    def clean_margins(self):
        margins = self.cleaned_data["margins"]
        if "strate" not in margins:
            raise forms.ValidationError(_("La marge « strate » est obligatoire."))
        return margins

    def clean_collapse(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["collapse"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("->", "→").split("→")]
            if len(parts) != 2 or not all(p in Stratum.values for p in parts):
                raise forms.ValidationError(
                    _("Ligne %(n)s : « %(line)s » n'est pas de la forme « strate → strate ».")
                    % {"n": number, "line": line.strip()}
                )
            mapping[parts[0]] = parts[1]
        return mapping

    @classmethod
    def for_plan(cls, plan: dict) -> "WeightingPlanForm":
        collapse = "\n".join(f"{a} → {b}" for a, b in (plan.get("collapse") or {}).items())
        return cls(
            initial={
                "unit": plan.get("unit"),
                "margins": plan.get("margins"),
                "collapse": collapse,
                "min_cell": plan.get("min_cell"),
            }
        )


class IndicatorFileForm(forms.Form):
    """The edition's indicator file, edited in the page or uploaded (a file wins)."""

    empty_message = _("Le fichier des indicateurs est vide.")

    text = forms.CharField(
        label=_("Fichier des indicateurs (YAML)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )
    upload = BoundedFileField(
        label=_("… ou déposer un fichier .yaml"),
        required=False,
        max_bytes=1024 * 1024,  # the shipped file is 7 KB; YAML costs ~20 times its size
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    _("Le fichier déposé n'est pas en UTF-8 (octet %(pos)s illisible).")
                    % {"pos": exc.start}
                ) from exc
        else:
            data["content"] = data.get("text", "")
        if not data["content"].strip():
            raise forms.ValidationError(self.empty_message)
        return data


class TextsForm(forms.Form):
    """The note's highlights and one commentary per theme (Markdown with figure references)."""

    summary = forms.CharField(
        label=_("Faits saillants"),
        required=False,
        max_length=20_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown. Un chiffre s’écrit {code}, {code|taille=plus_3500}, "
            "{code|modalite=transparence} ou {code|evolution}."
        ),
    )

    @classmethod
    def for_edition(cls, edition, iset, data=None) -> "TextsForm":
        form = cls(data, initial={"summary": edition.summary})
        for code, theme in iset.themes.items():
            form.fields[f"theme_{code}"] = forms.CharField(
                label=_("Commentaire : %(theme)s") % {"theme": theme["title"]},
                required=False,
                max_length=20_000,
                strip=False,
                initial=(edition.commentary or {}).get(code, ""),
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        return form

    def texts(self) -> tuple[str, dict[str, str]]:
        data = self.cleaned_data
        commentary = {
            name.removeprefix("theme_"): data[name] for name in data if name.startswith("theme_")
        }
        return data["summary"], commentary


class PublishForm(forms.Form):
    """A publication: its note (required for a correction) and an optional embargo."""

    note = forms.CharField(label=_("Note de version"), required=False, max_length=2000)
    embargo_until = forms.DateTimeField(
        label=_("Sous embargo jusqu’au (facultatif)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def errors_text(self) -> str:
        return " ".join(
            f"{self.fields[k].label} : {' '.join(str(e) for e in v)}"
            for k, v in self.errors.items()
        )
