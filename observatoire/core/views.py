from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from observatoire.accounts.access import require_analyst
from observatoire.core.landing import home_for
from observatoire.core.models import AuditEvent
from observatoire.territoires.services import kind_counts


def home(request):
    return render(request, "core/home.html", {"counts": kind_counts()})


def landing(request):
    """After login: each user's own home page (see ``home_for``)."""
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
