from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.accounts.access import require_analyst
from observatoire.cas_usage import services, similarity
from observatoire.cas_usage.choices import Scope, Status
from observatoire.cas_usage.forms import (
    ContactForm,
    LinkFormSet,
    MatchDecisionForm,
    ModerationForm,
    ResultFormSet,
    ThesaurusEntryForm,
    UseCaseForm,
    filled,
)
from observatoire.cas_usage.models import OrganisationMatch, ThesaurusEntry, UseCase
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


def _facets(params: dict, found: services.SearchResult) -> list[dict]:
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
    found = services.search_cases(services.Filters.from_params(params))
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
        "like_mine": services.cases_like_mine(user) if user.is_authenticated else None,
        "my_cases": UseCase.objects.filter(participants__authority=user.authority)
        if user.is_authenticated and user.authority_id
        else [],
        "to_moderate": UseCase.objects.awaiting_moderation().count()
        if getattr(user, "is_analyst", False)
        else 0,
    }
    return render(request, "cas_usage/index.html", context)


def _visible(user, pk):
    try:
        return services.get_visible_case(user, pk)
    except UseCase.DoesNotExist as exc:
        raise Http404 from exc


def detail(request, pk):
    case = _visible(request.user, pk)
    user = request.user
    context = {
        "case": case,
        "similar": similarity.similar_cases(case),
        "adoptions": case.adoptions.select_related("authority"),
        "can_edit": services.can_edit(user, case),
        "can_adopt": case.is_published and services.is_referent(user),
        "contact_form": ContactForm(initial={"email": getattr(user, "email", "")}),
        "moderation_form": ModerationForm() if getattr(user, "is_analyst", False) else None,
        "pending_changes": services.pending_changes(case)
        if getattr(user, "is_analyst", False)
        else [],
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
    services.require_referent(request.user)
    return _edit_page(request)


@login_required
def edit(request, pk):
    try:
        case = services.get_editable_case(request.user, pk)
    except UseCase.DoesNotExist as exc:
        raise Http404 from exc
    return _edit_page(request, case)


@login_required
def moderation(request):
    require_analyst(request.user)
    cases = UseCase.objects.filter(
        Q(status__in=[Status.PROPOSED, Status.CHANGES_REQUESTED])
        | Q(pending_edit__has_key="fields")
    )
    return render(request, "cas_usage/moderation.html", {"cases": cases.order_by("updated_at")})


@require_POST
@login_required
def moderate(request, pk):
    require_analyst(request.user)
    case = _visible(request.user, pk)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.moderate_case(case, **form.cleaned_data, by=request.user)
            messages.success(request, _("Décision enregistrée : %s.") % case.get_status_display())
            return redirect("cas_usage:moderation")
        except ValidationError as exc:
            form.add_error(None, exc)
    messages.error(request, " ".join(_errors(form)))
    return redirect(case)


def _errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_POST
@login_required
def adopt(request, pk):
    case = _visible(request.user, pk)
    services.declare_adoption(case, by=request.user)
    messages.success(request, _("C'est noté : votre collectivité fait aussi ce cas d'usage."))
    return redirect(case)


@require_POST
@rate_limited("contact", "email")
def contact(request, pk):
    case = _visible(request.user, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_errors(form)))
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


@login_required
def matches(request):
    """The analyst's review list: French PSTW organisations and the authority each is."""
    require_analyst(request.user)
    everything = request.GET.get("tout") == "1"
    context = {"matches": services.review_list(everything), "everything": everything}
    return render(request, "cas_usage/matches.html", context)


@require_POST
@login_required
def decide_match(request, pk):
    require_analyst(request.user)
    match = get_object_or_404(OrganisationMatch, pk=pk)
    form = MatchDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_match(match, **form.cleaned_data, by=request.user)
            messages.success(request, _("Décision enregistrée pour « %s ».") % match.name)
        except ValidationError as exc:
            messages.error(request, f"{match.name} : {' '.join(exc.messages)}")
    else:
        messages.error(request, " ".join(_errors(form)))
    return redirect("cas_usage:matches")


@login_required
def thesaurus(request):
    """The thesaurus, for analysts: every group of equivalent terms, by theme."""
    require_analyst(request.user)
    entries = ThesaurusEntry.objects.select_related("edited_by").order_by("theme", "key")
    return render(request, "cas_usage/thesaurus.html", {"entries": entries})


@login_required
def thesaurus_edit(request, pk=None):
    """Add or edit a group of equivalent terms."""
    require_analyst(request.user)
    entry = get_object_or_404(ThesaurusEntry, pk=pk) if pk else None
    form = ThesaurusEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        services.save_thesaurus_entry(entry, form.cleaned_data, by=request.user)
        messages.success(request, _("Thésaurus mis à jour."))
        return redirect("cas_usage:thesaurus")
    return render(request, "cas_usage/thesaurus_form.html", {"form": form, "entry": entry})
