"""Who did it: a PSTW organisation ("City of Paris", "Lille European Metropole", "Ministry
of the Interior"…) matched to the universe of authorities, or recognised as a national body.

`propose(name, category, nuts)` reads the organisation's name, its PSTW category and its
NUTS code and returns a Proposal: the kind of actor, the authority when it is one, and
whether the match is sure (an explicit "City of", "Regional Council"… with a single
authority of that name in that place) or uncertain (left to an analyst's review).
services.match_organisations() keeps the proposals and the analysts' decisions.
"""

import re
from dataclasses import dataclass

from observatoire.cas_usage import pstw
from observatoire.cas_usage.choices import MatchKind
from observatoire.territoires.choices import EpciType, Kind
from observatoire.territoires.models import Authority, normalize

# NUTS 2021 (France) → région code of the COG; Île-de-France's NUTS 3 → département.
NUTS_REGIONS = {
    "FR1": "11", "FRB": "24", "FRC": "27", "FRD": "28", "FRE": "32", "FRF": "44", "FRG": "52",
    "FRH": "53", "FRI": "75", "FRJ": "76", "FRK": "84", "FRL": "93", "FRM": "94",
    "FRY1": "01", "FRY2": "02", "FRY3": "03", "FRY4": "04", "FRY5": "06",
}  # fmt: skip
NUTS_DEPARTEMENTS = {
    "FR101": "75", "FR102": "77", "FR103": "78", "FR104": "91", "FR105": "92", "FR106": "93",
    "FR107": "94", "FR108": "95",
}  # fmt: skip

# Names as English texts give them → as the COG has them (normalized).
ENGLISH_NAMES = {
    "new aquitaine": "nouvelle aquitaine",
    "brittany": "bretagne",
    "normandy": "normandie",
    "burgundy franche comte": "bourgogne franche comte",
    "corsica": "corse",
    "greater paris": "metropole du grand paris",
    "french guiana": "guyane",
    "reunion": "la reunion",
}

# Words of a national body's (or the State's local services') name.
NATIONAL = re.compile(
    r"\b(ministr\w*|ministere|national\w*|nationale|agency|agence|directorate\w*|direction\w*|"
    r"hospital\w*|hopita\w*|chu|ap hp|universit\w*|institut\w*|sncf|la poste|cnav|caisse|"
    r"pole emploi|france travail|banque de france|prefecture|port authority|court|cour|"
    r"council of state|conseil d etat|gendarmerie|police nationale|cnrs|insee|meteo|chambers?|"
    r"chambres?|government of france|french \w+ (office|service|authority)|authority|autorite|"
    r"interministerial|interministeriel\w*|state|etat|dinum|acoss|urssaf|dgfip|customs|douanes?)\b"
)
# Patterns that name the kind of authority, and where its name is: (kind, regex with <name>).
PATTERNS = [
    (Kind.REGION, r"^(?:the )?(?P<name>.+?) regional counci\w*$"),
    (Kind.REGION, r"^(?:conseil regional|region|regional council of) (?:d |de |du |des )?(?P<name>.+)$"),
    (Kind.REGION, r"^(?P<name>.+?) region$"),
    (Kind.DEPARTEMENT, r"^(?:conseil departemental|departement|departmental council|department) (?:d |de |du |des |of )?(?P<name>.+)$"),
    (Kind.DEPARTEMENT, r"^(?P<name>.+?) departmental council$"),
    (Kind.EPCI, r"^(?P<name>.+?) (?:european )?metropol\w*(?: (?:et |and )?ville)?$"),
    (Kind.EPCI, r"^(?:metropole|metropolis|metropolitan area) (?:of |de |du |d )?(?P<name>.+)$"),
    (Kind.EPCI, r"^(?P<name>greater .+)$"),
    (Kind.EPCI, r"^(?P<name>(?:communaute|agglomeration|grand) .+)$"),
    (Kind.COMMUNE, r"^(?:the )?(?:city|town|municipality|commune|ville|mairie) (?:of |de |d |du )?(?P<name>.+)$"),
    (Kind.COMMUNE, r"^(?P<name>.+?) (?:municipality|city council|city hall|town hall|city)$"),
]  # fmt: skip
# PSTW organisation categories (as the import names them in French).
CATEGORY_OTHER = {"Recherche", "Secteur privé", "Consortium", "Organisation non gouvernementale"}
CATEGORY_OTHER |= {"Initiative citoyenne"}
CATEGORY_NATIONAL = {"Administration centrale", "Institution européenne", "Entreprise publique"}
KIND_OF: dict[str, str] = {
    Kind.COMMUNE: MatchKind.COMMUNE,
    Kind.EPCI: MatchKind.EPCI,
    Kind.DEPARTEMENT: MatchKind.DEPARTEMENT,
    Kind.REGION: MatchKind.REGION,
}


@dataclass
class Proposal:
    kind: str
    authority: Authority | None = None
    sure: bool = False
    reason: str = ""


def organisation_key(name: str) -> str:
    """The form organisations are told apart by: lower case, no accents nor punctuation."""
    return " ".join(re.sub(r"[^\w]+", " ", normalize(name)).split())


def _place(nuts: str) -> dict[str, str]:
    """The région (and in Île-de-France the département) that a NUTS code names."""
    nuts = nuts.strip().upper()
    place = {}
    for length in (4, 3):
        if nuts[:length] in NUTS_REGIONS:
            place["region"] = NUTS_REGIONS[nuts[:length]]
            break
    if nuts[:5] in NUTS_DEPARTEMENTS:
        place["departement"] = NUTS_DEPARTEMENTS[nuts[:5]]
    return place


def _candidates(kind: str, name: str) -> list[Authority]:
    """Authorities of `kind` named `name` (normalized): the exact name, else for EPCI the
    métropoles and agglomerations whose name holds it."""
    name = ENGLISH_NAMES.get(name, name)
    found = list(Authority.objects.filter(kind=kind, name_search=name, is_active=True))
    if found or kind != Kind.EPCI:
        return found
    name = name.removeprefix("greater ").removeprefix("grand ")
    epci = Authority.objects.filter(kind=kind, is_active=True, name_search__contains=name)
    metropoles = [a for a in epci if a.epci_type in (EpciType.METRO, EpciType.MET69)]
    return metropoles or [a for a in epci if re.search(rf"\b{re.escape(name)}\b", a.name_search)]


def _in_place(found: list[Authority], place: dict[str, str]) -> list[Authority]:
    """Those of `found` in the NUTS code's place, when the code narrows them down."""
    narrowed = [a for a in found if all(getattr(a, k) in ("", v) for k, v in place.items())]
    return narrowed or found


def propose(name: str, category: str = "", nuts: str = "") -> Proposal:
    """What the organisation `name` is, from its name, PSTW category and NUTS code."""
    key = organisation_key(name)
    category = pstw.CATEGORIES.get(" ".join(category.lower().split()), category.strip())
    place = _place(nuts)
    if not key or category in CATEGORY_OTHER:
        return Proposal(MatchKind.OTHER, sure=True, reason=f"catégorie PSTW : {category}")
    parts = re.split(r" (?:and|et) ", key) if " ville" not in key else [key]
    for kind, pattern in PATTERNS:
        found_name = re.match(pattern, parts[0])
        if found_name is None:
            continue
        found = _in_place(_candidates(kind, found_name.group("name").strip()), place)
        if len(found) == 1:
            sure = len(parts) == 1 and not NATIONAL.search(key)
            reason = f"nom « {found_name.group('name')} » ({Kind(kind).label})"
            return Proposal(KIND_OF[kind], found[0], sure, reason)
    if NATIONAL.search(key) or category in CATEGORY_NATIONAL:
        reason = "organisme national" + (f" (catégorie PSTW : {category})" if category else "")
        return Proposal(MatchKind.NATIONAL, sure=category in CATEGORY_NATIONAL, reason=reason)
    for kind in (Kind.COMMUNE, Kind.EPCI):  # a bare name: the commune, then the EPCI
        found = _in_place(_candidates(kind, parts[0]), place)
        if found:
            reason = f"nom seul « {parts[0]} », {len(found)} {Kind(kind).label} de ce nom"
            return Proposal(KIND_OF[kind], found[0], sure=False, reason=reason)
    return Proposal(MatchKind.UNMATCHED, reason="aucune collectivité de ce nom")
