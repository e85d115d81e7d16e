from django import forms
from django.utils.translation import gettext_lazy as _

from observatoire.barometre.forms import IndicatorFileForm
from observatoire.diagnostic.scoring import MAX_BYTES


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


class RulesFileForm(IndicatorFileForm):
    """A grid or duties file, edited in the page or uploaded (a file wins), bounded."""

    empty_message = _("Le fichier est vide.")
    text = forms.CharField(
        label=_("Contenu (YAML)"),
        required=False,
        strip=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )
    note = forms.CharField(label=_("Note de version"), max_length=300, required=False)

    def clean(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Fichier trop long (200 000 octets au plus)."))
        return super().clean()
