from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The modules in the header; one appears as soon as its app has an "index" page.
NAV = [
    ("barometre:index", _("Baromètre")),
    ("registre:index", _("Registre des IA")),
    ("cas_usage:index", _("Cas d'usage")),
    ("diagnostic:index", _("Autodiagnostic")),
    ("questionnaires:index", _("Questionnaires")),
    ("territoires:search", _("Collectivités")),
]
# Shown only to référents and analysts: a reader has no questionnaire to answer.
MEMBERS_ONLY = {"questionnaires:index"}


def nav_items(path: str, member: bool = True) -> list[dict]:
    items = []
    for name, label in NAV:
        if name in MEMBERS_ONLY and not member:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": path.startswith(url)})
    return items


def site(request):
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "SITE_URL": settings.SITE_URL,
        "nav_items": nav_items(
            request.path, getattr(getattr(request, "user", None), "acts_for_an_authority", False)
        ),
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
    }
