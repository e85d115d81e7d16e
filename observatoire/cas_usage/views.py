from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_referent
from observatoire.cas_usage import access, queries, services, similarity
from observatoire.cas_usage.choices import Scope
from observatoire.cas_usage.forms import (
    ContactForm,
    LinkFormSet,
    ModerationForm,
    ResultFormSet,
    UseCaseForm,
    filled,
)
from observatoire.cas_usage.models import UseCase
from observatoire.core.cache import cached_page, topics_stamp
from observatoire.core.throttle import rate_limited

FACET_TITLES = {
    "domain": _("Domaine"),
    "technology": _("Technologie"),
    "stage": _("Stade"),
    "stratum": _("Strate"),
    "country": _("Pays"),
}


def _url(params: dict, **changes) -> str:
    query = {k: v for k, v in {**params, **changes}.items() if v and k != "page"}
    return "?" + urlencode(query)


def _facets(params: dict, found: queries.SearchResult) -> list[dict]:
    """Each facet's values as links that set (or, when active, remove) that filter."""
    facets = []
    for name, counts in found.facets.items():
        current = params.get(name, "")
        values = [
            {
                "label": label,
                "count": count,
                "active": value == current,
                "url": _url(params, **{name: "" if value == current else value}),
            }
            for value, label, count in counts[:12]
        ]
        if values:
            facets.append({"name": name, "title": FACET_TITLES[name], "values": values})
    return facets


@cached_page(topics_stamp("cas_usage", "territoires"))
def index(request):
    """Search page: full-text query, facets with counts, French and European cases apart."""
    params = {k: v for k, v in request.GET.items() if isinstance(v, str)}
    found = queries.search_cases(queries.Filters.from_params(params))
    paginator = Paginator(found.results, services.PAGE_SIZE)
    paginator.count = found.total  # already counted with the facets
    page = paginator.get_page(request.GET.get("page"))
    scopes = [
        {"label": label, "count": found.scopes[value], "current": value == found.filters.scope,
         "url": _url({"q": found.filters.query}, scope=value)}
        for value, label in Scope.choices
    ]  # fmt: skip
    user = request.user
    context = {
        "found": found,
        "page": page,
        "params": params,
        "facets": _facets(params, found),
        "scopes": scopes,
        "like_mine": queries.cases_like_mine(user) if user.is_authenticated else None,
        "my_cases": UseCase.objects.filter(participants__authority=user.authority)
        if user.is_authenticated and user.authority_id
        else [],
        "to_moderate": UseCase.objects.awaiting_moderation().count() if user.is_analyst else 0,
    }
    return render(request, "cas_usage/index.html", context)


def visible_case(user, pk):
    try:
        return access.get_visible_case(user, pk)
    except UseCase.DoesNotExist as exc:
        raise Http404 from exc


def detail(request, pk):
    case = visible_case(request.user, pk)
    user = request.user
    context = {
        "case": case,
        "similar": similarity.similar_cases(case),
        "adoptions": case.adoptions.select_related("authority"),
        "can_edit": access.can_edit(user, case),
        "can_adopt": case.is_published and user.is_referent,
        "contact_form": ContactForm(initial={"email": getattr(user, "email", "")}),
        "moderation_form": ModerationForm() if user.is_analyst else None,
        "pending_changes": services.pending_changes(case) if user.is_analyst else [],
    }
    return render(request, "cas_usage/detail.html", context)


def _edit_page(request, case=None):
    """Shared by propose and edit: the case form and its results and links."""
    data = request.POST if request.method == "POST" else None
    authority = case.lead_authority() if case else request.user.authority
    # A published case's form starts from the edit waiting for moderation, if any.
    version = services.pending_version(case) if case else None
    form = UseCaseForm(
        data,
        instance=case,
        authority=authority,
        initial=version["fields"] | {"register_entries": version["register_entries"]}
        if version
        else None,
    )
    results = ResultFormSet(data, prefix="results", initial=version["results"] if version else None)
    links = LinkFormSet(data, prefix="links", initial=version["links"] if version else None)
    if data is not None and form.is_valid() and results.is_valid() and links.is_valid():
        kwargs = {"results": filled(results), "links": filled(links), "by": request.user}
        if case is None:
            case = services.propose_case(form.cleaned_data, **kwargs)
            messages.success(request, _("Merci : votre cas d'usage est transmis aux analystes."))
        else:
            case = services.update_case(case, form.cleaned_data, **kwargs)
            messages.success(
                request,
                _(
                    "Modification transmise aux analystes : la version publiée reste en ligne "
                    "jusqu'à leur validation."
                )
                if case.pending_edit
                else _("Cas d'usage mis à jour."),
            )
        return redirect(case)
    context = {"form": form, "results": results, "links": links, "case": case}
    return render(request, "cas_usage/form.html", context)


@login_required
def propose(request):
    require_referent(request.user)
    return _edit_page(request)


@login_required
def edit(request, pk):
    try:
        case = access.get_editable_case(request.user, pk)
    except UseCase.DoesNotExist as exc:
        raise Http404 from exc
    return _edit_page(request, case)


def form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_POST
@login_required
def adopt(request, pk):
    case = visible_case(request.user, pk)
    services.declare_adoption(case, by=request.user)
    messages.success(request, _("C'est noté : votre collectivité fait aussi ce cas d'usage."))
    return redirect(case)


@require_POST
@rate_limited("contact", "email")
def contact(request, pk):
    case = visible_case(request.user, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form_errors(form)))
        return redirect(case)
    try:
        services.contact_authority(
            case,
            sender_email=form.cleaned_data["email"],
            message=form.cleaned_data["message"],
            by=request.user,
        )
        messages.success(request, _("Votre message a été transmis."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(case)
