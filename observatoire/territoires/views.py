from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from observatoire.territoires.models import Authority


def search(request):
    """Search page; with htmx, only the result list is returned (autocomplete)."""
    query = request.GET.get("q", "").strip()
    results = Authority.objects.filter(is_active=True).search(query)[:20] if query else []
    if request.headers.get("HX-Request"):
        template = "territoires/_results.html"
    else:
        template = "territoires/search.html"
    context = {"query": query, "results": results, "pick": request.GET.get("pick", "")}
    return render(request, template, context)


def detail(request, kind, code):
    authority = get_object_or_404(Authority.objects.select_related("epci"), kind=kind, code=code)
    members = Paginator(authority.members.order_by("-population"), 100).get_page(1)
    return render(request, "territoires/detail.html", {"authority": authority, "members": members})
