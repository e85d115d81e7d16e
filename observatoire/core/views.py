from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import get_random_string

from observatoire.accounts.access import require_analyst
from observatoire.core import jobs
from observatoire.core.cache import cached_page, topics_stamp
from observatoire.core.landing import home_for
from observatoire.core.models import AuditEvent
from observatoire.territoires.services import kind_counts


@cached_page(topics_stamp("territoires"))
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


def health(request):
    """/sante/: the database, the cache and the worker's last heartbeat, for a load balancer
    or a monitor. 503 when the database or the cache fails; a silent worker is reported
    (jobs wait in the queue) without failing the application server."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError as exc:
        checks["database"] = {"ok": False, "error": str(exc)[:200]}
    try:
        token = get_random_string(12)
        cache.set("sante", token, 30)
        checks["cache"] = {"ok": cache.get("sante") == token}
    except Exception as exc:  # any backend's own error (Redis down…)
        checks["cache"] = {"ok": False, "error": str(exc)[:200]}
    last = jobs.last_worker_beat() if checks["database"]["ok"] else None
    checks["worker"] = {
        "ok": jobs.worker_alive() if last else False,
        "last_heartbeat": last.isoformat() if last else None,
    }
    healthy = checks["database"]["ok"] and checks["cache"]["ok"]
    body = {"status": "ok" if healthy else "erreur", **checks}
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
