from django import forms

from observatoire.territoires.models import Authority


class AuthorityWidget(forms.Widget):
    """A search box with htmx suggestions that fills a hidden authority id (for any form)."""

    template_name = "territoires/_autocomplete.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["authority"] = Authority.objects.filter(pk=value).first() if value else None
        return context


class AuthorityField(forms.ModelChoiceField):
    widget = AuthorityWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Authority.objects.filter(is_active=True))
        super().__init__(**kwargs)
