"""The project's own pages, which span the apps: the home page, where each user lands
after login, and the journal (core's audit log read with accounts' roles). Their URL names
stay in the `core` namespace (see urls.py) and their templates in core/templates/core/."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from observatoire.accounts.access import require_analyst
from observatoire.core.cache import cached_page, topics_stamp
from observatoire.core.journal import JournalFilterForm, object_name, readable_changes
from observatoire.territoires.queries import kind_counts


@cached_page(topics_stamp("territoires"))
def home(request):
    return render(request, "core/home.html", {"counts": kind_counts()})


def home_for(user) -> str:
    """A référent lands on its authority's page, an analyst on its dashboard; everyone else
    on the home page."""
    if user.is_analyst:
        return reverse("dashboard:analyst")
    if user.is_referent:
        return reverse("diagnostic:authority_home")
    return reverse("core:home")


def landing(request):
    """After login: each user's own home page (see ``home_for``), decided in one place
    (LOGIN_REDIRECT_URL's view)."""
    return redirect(home_for(request.user))


def audit_log(request):
    """The audit log, for analysts; filter by who, what object, when (see core.journal)."""
    require_analyst(request.user)
    form = JournalFilterForm(request.GET or None)
    page = Paginator(form.events(), 50).get_page(request.GET.get("page"))
    for event in page:
        event.readable_changes = readable_changes(event)
        event.object_name = object_name(event)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "query": query.urlencode()}
    return render(request, "core/audit_log.html", context)
