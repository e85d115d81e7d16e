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


def nav_items(path: str) -> list[dict]:
    items = []
    for name, label in NAV:
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
        "nav_items": nav_items(request.path),
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
    }
