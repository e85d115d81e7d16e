from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from observatoire.core.api import Pagination
from observatoire.territoires.models import Authority

router = Router(tags=["Territoires"])


class AuthorityOut(Schema):
    kind: str
    code: str
    siren: str
    name: str
    population: int | None
    departement: str
    region: str
    epci_type: str
    stratum: str
    vintage: int
    epci_code: str | None

    @staticmethod
    def resolve_epci_code(obj: Authority) -> str | None:
        return obj.epci.code if obj.epci else None


@router.get("/authorities", response=list[AuthorityOut])
@paginate(Pagination, page_size=20)
def search_authorities(request: HttpRequest, q: str = ""):
    """Search authorities by name (accents and case ignored), INSEE code or SIREN."""
    authorities = Authority.objects.filter(is_active=True).select_related("epci")
    return authorities.search(q) if q else authorities.order_by("kind", "code")
