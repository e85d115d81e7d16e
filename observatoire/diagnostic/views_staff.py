"""The analysts' pages of the diagnostic: the scoring grid and its versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from observatoire.accounts.access import require_analyst
from observatoire.diagnostic import services
from observatoire.diagnostic.choices import RulesKind
from observatoire.diagnostic.forms import RulesFileForm
from observatoire.diagnostic.models import RulesVersion
from observatoire.diagnostic.scoring import shipped_text


@login_required
def rules(request, kind=RulesKind.GRID):
    """Analysts: the grid or duties file, edited or uploaded, checked, versioned."""
    require_analyst(request.user)
    kind = _kind(kind)
    current = services.current_rules(kind)
    form = RulesFileForm(initial={"text": current.text})
    status = 200
    if request.method == "POST":
        form = RulesFileForm(request.POST, request.FILES)
        restore = "restore" in request.POST
        if restore or form.is_valid():
            text = shipped_text(kind) if restore else form.cleaned_data["content"]
            note = _("fichier livré") if restore else form.cleaned_data.get("note", "")
            try:
                version = services.update_rules(kind, text, by=request.user, note=note)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Version %(n)s en vigueur.") % {"n": version.number})
                return redirect("diagnostic:rules", kind)
        status = 400
    context = {
        "kind": kind,
        "kind_label": RulesKind(kind).label,
        "kinds": RulesKind.choices,
        "current": current,
        "form": form,
        "versions": RulesVersion.objects.filter(kind=kind).select_related("created_by")[:20],
    }
    return render(request, "diagnostic/rules.html", context, status=status)


@login_required
def rules_download(request, kind, number):
    require_analyst(request.user)
    version = RulesVersion.objects.filter(kind=_kind(kind), number=number).first()
    if version is None:
        raise Http404
    response = HttpResponse(version.text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-v{number}.yaml"'
    return response


def _kind(kind: str) -> str:
    if kind not in RulesKind.values:
        raise Http404
    return kind
