"""Public pages of the register: national search, entries, history, authority pages, exports."""

from urllib.parse import quote

from csp.decorators import csp_replace
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from observatoire.core.cache import cached_page, topics_stamp
from observatoire.registre import aiact, queries
from observatoire.registre.access import get_visible_entry, visible_entries
from observatoire.registre.choices import RiskLevel, Status
from observatoire.registre.exports import EXPORTERS
from observatoire.registre.exports.annex_viii import annex_viii_c
from observatoire.registre.exports.common import LICENCE
from observatoire.registre.exports.crpa import crpa_explanation, crpa_mention
from observatoire.registre.exports.open_data import entry_record
from observatoire.registre.models import Entry, VendorProduct
from observatoire.territoires.models import Authority


@cached_page(topics_stamp("registre", "territoires"))
def index(request):
    """The national register: French full-text search and facets over published entries."""
    matches, chosen, query = queries.search_entries(request.GET)
    page = Paginator(matches.ranked(chosen), 20).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, "authority")  # rows read by primary key
    context = {
        "page": page,
        "query": query,
        "facets": queries.facet_counts(matches, chosen),
        "selected": {k: request.GET.get(k, "") for k in queries.FACETS},
    }
    return render(request, "registre/index.html", context)


def _authority(siren: str) -> Authority:
    authority = queries.authority_by_siren(siren)
    if authority is None:
        raise Http404(_("Collectivité introuvable."))
    return authority


def report_error_link(entry: Entry, url: str) -> str:
    subject = quote(f"Erreur dans la fiche « {entry.name} » du registre des algorithmes")
    body = quote(f"Fiche : {url}\n\nErreur constatée :\n")
    return f"mailto:{entry.contact_email}?subject={subject}&body={body}"


def detail(request, pk):
    entry = get_visible_entry(request.user, pk)
    url = request.build_absolute_uri(entry.get_absolute_url())
    can_edit = request.user.can_act_for(entry.authority)
    context = {
        "entry": entry,
        "can_edit": can_edit,
        "footprint": entry.footprint(),
        "crpa_mention": crpa_mention(entry),
        "crpa_explanation": crpa_explanation(entry),
        "checklist": [
            (label, entry.deployer_checklist.get(code)) for code, label in aiact.DEPLOYER_CHECKLIST
        ],
        "fria": [(label, entry.fria.get(code, "")) for code, label in aiact.FRIA_SECTIONS],
        "report_link": report_error_link(entry, url),
        # A revision in progress is the authority's draft: visitors are not pointed to it.
        "revision": Entry.objects.filter(revision_of=entry).first() if can_edit else None,
        "is_high": entry.ai_act_level == RiskLevel.HIGH,
    }
    return render(request, "registre/detail.html", context)


def history(request, pk):
    entry = get_visible_entry(request.user, pk)
    changes = queries.version_changes(entry.versions.select_related("approved_by__authority"))
    return render(request, "registre/history.html", {"entry": entry, "history": changes})


def entry_pdf(request, pk):
    import weasyprint

    entry = get_visible_entry(request.user, pk)
    html = render_to_string(
        "registre/entry_pdf.html",
        {
            "entry": entry,
            "footprint": entry.footprint(),
            "crpa_explanation": crpa_explanation(entry),
            "crpa_mention": crpa_mention(entry),
        },
        request=request,
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="registre-{entry.pk}.pdf"'
    return response


def entry_export(request, pk, fmt):
    """One entry in one standard: nl, atrs, eurocities, json, or annexe-viii (high-risk)."""
    entry = get_visible_entry(request.user, pk)
    if fmt == "annexe-viii":
        if entry.ai_act_level != RiskLevel.HIGH:
            raise Http404(_("L'annexe VIII ne concerne que les systèmes à haut risque."))
        return JsonResponse(
            annex_viii_c(entry), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    return _download([entry], fmt, f"registre-{entry.pk}")


def _download(entries, fmt: str, name: str) -> HttpResponse:
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404(_("Format inconnu."))
    response = HttpResponse(exporter.write(entries), content_type=exporter.media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{fmt}.{exporter.extension}"'
    return response


def bulk_export(request, fmt):
    """Every published entry (or one authority's, with ?authority=SIREN), open licence."""
    entries = queries.for_export(Entry.objects.published())
    if request.GET.get("authority"):
        entries = entries.filter(authority__siren=request.GET["authority"])
    return _download(list(entries), fmt, "registre")


def _authority_entries(authority):
    return Entry.objects.published().filter(authority=authority).select_related("authority")


def authority_register(request, siren):
    """An authority's register, printable; referents also see their drafts."""
    authority = _authority(siren)
    entries = _authority_entries(authority)
    drafts = (
        visible_entries(request.user).filter(authority=authority).exclude(status=Status.PUBLISHED)
        if request.user.can_act_for(authority)
        else Entry.objects.none()
    )
    adoptable = (
        Entry.objects.published().filter(authority=authority.epci) if authority.epci_id else []
    )
    context = {
        "authority": authority,
        "entries": entries,
        "drafts": drafts,
        "adoptable": adoptable,
        "can_edit": request.user.can_act_for(authority),
    }
    return render(request, "registre/authority.html", context)


@xframe_options_exempt
# Any authority's site may frame it (django-csp types views as taking the request only).
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]
def authority_embed(request, siren):
    """The same list without the site's frame, for an <iframe> on the authority's own site."""
    authority = _authority(siren)
    return render(
        request,
        "registre/embed.html",
        {"authority": authority, "entries": _authority_entries(authority)},
    )


def authority_feed(request, siren):
    authority = _authority(siren)
    entries = queries.for_export(_authority_entries(authority))
    data = {
        "authority": {"siren": authority.siren, "name": authority.name},
        "licence": LICENCE,
        "entries": [entry_record(e) for e in entries],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def product(request, pk):
    product = get_object_or_404(VendorProduct, pk=pk)
    entries = product.entries.filter(status=Status.PUBLISHED).select_related("authority")
    return render(request, "registre/product.html", {"product": product, "entries": entries})
