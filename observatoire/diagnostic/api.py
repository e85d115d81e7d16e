"""Diagnostic API: an authority's runs, for its own référents' tokens (and the analysts')."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.errors import HttpError

from observatoire.accounts.api import token_auth
from observatoire.diagnostic.access import get_run_for
from observatoire.diagnostic.models import Run

router = Router(tags=["Autodiagnostic"])


class RunOut(Schema):
    id: int
    authority_siren: str
    authority_name: str
    status: str
    created_at: datetime
    scored_at: datetime | None
    grid_version: int | None
    duties_version: int | None
    scores: dict[str, Any]

    @staticmethod
    def resolve_authority_siren(obj) -> str:
        return obj.authority.siren

    @staticmethod
    def resolve_authority_name(obj) -> str:
        return obj.authority.name

    @staticmethod
    def resolve_grid_version(obj) -> int | None:
        return obj.grid.number if obj.grid else None

    @staticmethod
    def resolve_duties_version(obj) -> int | None:
        return obj.duties.number if obj.duties else None


class RunDetail(RunOut):
    answers: dict[str, Any]
    prefilled: list[str]


@router.get("/runs", response=list[RunOut], auth=token_auth)
def list_runs(request):
    """The runs of the token's authority (a référent's token); none for other users."""
    user = request.user
    if not user.authority_id or user.is_analyst:
        raise HttpError(403, "Réservé aux référents d'une collectivité.")
    return Run.objects.filter(authority_id=user.authority_id).select_related(
        "authority", "grid", "duties"
    )


@router.get("/runs/{pk}", response=RunDetail, auth=token_auth)
def get_run(request, pk: int):
    """One run with its answers and scores: its authority's référents and the analysts."""
    try:
        return get_run_for(request.user, pk)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
