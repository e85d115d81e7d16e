from django import forms
from django.utils.translation import gettext_lazy as _

from observatoire.diagnostic.grid import MAX_BYTES


class StartForm(forms.Form):
    prefill = forms.TypedChoiceField(
        label=_("Point de départ"),
        choices=[
            ("1", _("Reprendre les réponses de notre dernière réponse au baromètre")),
            ("", _("Partir d'un questionnaire vierge")),
        ],
        coerce=bool,
        initial="1",
        required=False,
        widget=forms.RadioSelect,
    )


class RulesFileForm(forms.Form):
    """A grid or duties file, edited in the page or uploaded (a file wins)."""

    text = forms.CharField(
        label=_("Contenu (YAML)"),
        required=False,
        strip=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )
    upload = forms.FileField(
        label=_("… ou déposer un fichier .yaml"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )
    note = forms.CharField(label=_("Note de version"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(_("Fichier trop long (200 000 octets au plus)."))
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
            raise forms.ValidationError(_("Le fichier est vide."))
        return data
