from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from observatoire.territoires.forms import AuthorityField


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique du référent"))
    authority = AuthorityField(label=_("Collectivité"))


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Confirmation du mot de passe"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif data.get("password"):
            try:
                validate_password(data["password"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100)
    days = forms.TypedChoiceField(
        label=_("Durée de validité"),
        choices=[("", _("Sans expiration")), (30, _("30 jours")), (90, _("90 jours")),
                 (365, _("1 an"))],
        coerce=int,
        empty_value=None,
        required=False,
    )  # fmt: skip


class NotificationsForm(forms.Form):
    """The kinds of e-mail that concern the user, each ticked unless switched off."""

    wanted = forms.MultipleChoiceField(
        label=_("M'écrire quand…"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        from observatoire.accounts import notifications

        super().__init__(*args, **kwargs)
        kinds = notifications.kinds_for(user)
        off = notifications.switched_off(user)
        self.fields["wanted"].choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["wanted"].initial = [kind.value for kind in kinds if kind.value not in off]
