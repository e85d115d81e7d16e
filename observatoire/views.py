"""The project's own pages, which span the apps: the home page, where each user lands
after login, and the journal (core's audit log read with accounts' roles). Their URL names
stay in the `core` namespace (see urls.py) and their templates in core/templates/core/."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from observatoire.accounts.access import require_analyst
from observatoire.core.models import AuditEvent
from observatoire.territoires.queries import kind_counts


def home(request):
    return render(request, "core/home.html", {"counts": kind_counts()})


def home_for(user) -> str:
    """A référent lands on its authority's page; everyone else on the home page."""
    if user.is_authenticated and user.authority_id and not user.is_analyst:
        return reverse("diagnostic:authority_home")
    return reverse("core:home")


def landing(request):
    """After login: each user's own home page (see ``home_for``), decided in one place
    (LOGIN_REDIRECT_URL's view)."""
    return redirect(home_for(request.user))


def audit_log(request):
    """The audit log, for analysts; filter by object type or id."""
    require_analyst(request.user)
    events = AuditEvent.objects.select_related("actor")
    if model := request.GET.get("model"):
        events = events.filter(model=model)
    if object_id := request.GET.get("id"):
        events = events.filter(object_id=object_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})
