"""Reading the European Commission's Public Sector Tech Watch catalogue (JRC, CC BY 4.0).

`read_rows(path)` turns each CSV row into the fields of a UseCase, or into French error
messages naming the line and the column; services.import_pstw writes them.
"""

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from observatoire.cas_usage.choices import Domain, Stage, Technology

ATTRIBUTION = (
    "Commission européenne, Centre commun de recherche — Public Sector Tech Watch (CC BY 4.0)"
)
CATALOGUE_URL = "https://interoperable-europe.ec.europa.eu/collection/public-sector-tech-watch"


def shared_file() -> Path | None:
    """The PSTW CSV in settings.PSTW_DIR (`<repo>/../shared/data/pstw/` unless PSTW_DIR says
    otherwise), if that folder is there (never committed)."""
    folder = settings.PSTW_DIR
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    return files[-1] if files else None


COUNTRIES = {
    "albania": "Albanie", "andorra": "Andorre", "austria": "Autriche", "belgium": "Belgique",
    "bosnia and herzegovina": "Bosnie-Herzégovine", "bulgaria": "Bulgarie", "croatia": "Croatie",
    "cyprus": "Chypre", "czechia": "Tchéquie", "denmark": "Danemark", "estonia": "Estonie",
    "european union": "Union européenne", "finland": "Finlande", "france": "France",
    "georgia": "Géorgie", "germany": "Allemagne", "greece": "Grèce", "hungary": "Hongrie",
    "iceland": "Islande", "ireland": "Irlande", "italy": "Italie", "latvia": "Lettonie",
    "lithuania": "Lituanie", "luxembourg": "Luxembourg", "malta": "Malte", "moldova": "Moldavie",
    "netherlands": "Pays-Bas", "north macedonia": "Macédoine du Nord", "norway": "Norvège",
    "poland": "Pologne", "portugal": "Portugal", "romania": "Roumanie",
    "san marino": "Saint-Marin", "serbia": "Serbie", "slovakia": "Slovaquie",
    "slovenia": "Slovénie", "spain": "Espagne", "sweden": "Suède", "switzerland": "Suisse",
    "türkiye": "Turquie", "ukraine": "Ukraine", "united kingdom": "Royaume-Uni",
    "vatican city": "Vatican",
}  # fmt: skip

CATEGORIES = {
    "central-government": "Administration centrale",
    "central government": "Administration centrale",
    "national government": "Administration centrale",
    "local government": "Collectivité locale",
    "regional government": "Collectivité régionale",
    "academic-research": "Recherche",
    "consortium": "Consortium",
    "european institution/agency": "Institution européenne",
    "private sector": "Secteur privé",
    "non-governmental": "Organisation non gouvernementale",
    "community led": "Initiative citoyenne",
    "state-owned entreprise": "Entreprise publique",
}

COFOG = {
    "general public services": "Services généraux des administrations publiques",
    "defence": "Défense",
    "public order and safety": "Ordre et sécurité publics",
    "economic affairs": "Affaires économiques",
    "environmental protection": "Protection de l'environnement",
    "housing and community amenities": "Logement et équipements collectifs",
    "health": "Santé",
    "recreation, culture and religion": "Loisirs, culture et culte",
    "education": "Enseignement",
    "social protection": "Protection sociale",
}

# COFOG level II first (more precise), then level I.
DOMAIN_BY_COFOG2 = {
    "transport": Domain.MOBILITY,
    "fuel and energy": Domain.ENERGY,
    "street lighting.": Domain.ENERGY,
    "waste management.": Domain.WASTE,
    "waste water management.": Domain.WATER,
    "water supply.": Domain.WATER,
    "community development.": Domain.LAND_USE,
    "housing development.": Domain.LAND_USE,
    "pre-primary and primary education.": Domain.EDUCATION,
}
DOMAIN_BY_COFOG1 = {
    "general public services": Domain.ADMINISTRATION,
    "defence": Domain.SECURITY,
    "public order and safety": Domain.SECURITY,
    "economic affairs": Domain.ECONOMY,
    "environmental protection": Domain.ENVIRONMENT,
    "housing and community amenities": Domain.LAND_USE,
    "health": Domain.HEALTH,
    "recreation, culture and religion": Domain.EDUCATION,
    "education": Domain.EDUCATION,
    "social protection": Domain.SOCIAL,
}

STAGES = {
    "pilot": Stage.EXPERIMENT,
    "in development": Stage.EXPERIMENT,
    "implemented": Stage.DEPLOYED,
    "planned": Stage.IDEA,
    "not in use": Stage.ABANDONED,
}

TECHNOLOGIES = {
    "blockchain": Technology.BLOCKCHAIN,
    "ar/vr": Technology.IMMERSIVE,
    "virtual worlds": Technology.IMMERSIVE,
    "digital twins": Technology.DIGITAL_TWIN,
    "quantum computing": Technology.OTHER,
    "5g (edge computing)": Technology.OTHER,
    "other": Technology.OTHER,
}
AI_SUBDOMAINS = [  # first match wins
    ("generative ai", Technology.GENERATIVE),
    ("computer vision", Technology.VISION),
    ("audio processing", Technology.SPEECH),
    ("natural language processing", Technology.NLP),
    ("planning and scheduling", Technology.OPTIMISATION),
    ("optimisation", Technology.OPTIMISATION),
    ("machine learning", Technology.PREDICTIVE),
    ("deep learning", Technology.PREDICTIVE),
]

IMPACTS = {
    "Improved Public Service": "Service public amélioré",
    "Personalized Services": "Services personnalisés",
    "Public (citizen)-centered services": "Services centrés sur l'usager",
    "Increase quality of PSI and services": "Meilleure qualité des informations et services publics",
    "More responsive, efficient, and cost-effective public services": "Services publics plus réactifs, efficaces et économes",
    "New services or channels": "Nouveaux services ou canaux",
    "Improved Administrative Efficiency": "Efficacité administrative accrue",
    "Cost-reduction": "Réduction des coûts",
    "Responsiveness of government operation": "Réactivité de l'action publique",
    "Improved management of public resources": "Meilleure gestion des ressources publiques",
    "Increased quality of processes and systems": "Processus et systèmes de meilleure qualité",
    "Better collaboration and better communication": "Meilleure collaboration et communication",
    "Reduced or eliminated the risk of corruption and abuse of the law by public servants": "Risque de corruption réduit",
    "Enabled greater fairness, honesty, equality": "Plus d'équité et d'égalité",
    "Open government capabilities": "Gouvernement ouvert",
    "Increased transparency of public sector operations": "Transparence accrue",
    "Increased public participation in government actions and policy making": "Participation citoyenne accrue",
    "Improved public control and influence on government actions and policies": "Contrôle citoyen renforcé",
}  # fmt: skip

REQUIRED = ["PSTW ID", "Name", "Description", "Geographical coverage (country)", " Status"]


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Ligne {self.line}, colonne « {self.column.strip()} » : {self.message}"


# Which CSV column each UseCase field comes from, to name it in error messages.
COLUMNS = {
    "external_id": "PSTW ID",
    "title": "Name",
    "summary": "Description",
    "description": "Description",
    "country": "Geographical coverage (country)",
    "organisation": "Responsible organisation",
    "organisation_category": "Responsible organisation category",
    "cofog": "Functions of Government (COFOG level I)",
    "stage": " Status",
    "start_year": "Start Year",
    "end_year": "End Year",
    "funding": "Funding source",
    "supplier": "Company name or GovTech ID",
    "external_url": "Website",
    "nuts": "NUTS 2021",
}


@dataclass
class ParsedFile:
    cases: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def _key(value: str) -> str:
    return " ".join(value.replace("\xa0", " ").split()).lower()


def _year(row: dict, column: str, line: int, errors: list[RowError]) -> int | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1950 <= int(value) <= 2100:
        errors.append(RowError(line, column, f"année invalide « {value} »."))
        return None
    return int(value)


def _technology(row: dict) -> str:
    primary = _key(row.get("Primary Technology", ""))
    if primary in TECHNOLOGIES:
        return TECHNOLOGIES[primary]
    keywords = _key(row.get("AI Keywords", ""))
    if "chatbot" in keywords or "virtual assistant" in keywords:
        return Technology.CHATBOT
    subdomains = " | ".join(
        _key(value) for name, value in row.items() if name and name.startswith("AI Classification")
    )
    for needle, technology in AI_SUBDOMAINS:
        if needle in subdomains:
            return technology
    return Technology.OTHER_AI


def _domain(row: dict) -> str:
    level2 = _key(row.get("Functions of Government (COFOG level II)", ""))
    level1 = _key(row.get("Functions of Government (COFOG level I)", ""))
    domain = DOMAIN_BY_COFOG2.get(level2) or DOMAIN_BY_COFOG1.get(level1, Domain.OTHER)
    if domain == Domain.ADMINISTRATION and _key(row.get("Interaction", "")) == "g2c":
        return Domain.CITIZENS
    return domain


def _summary(description: str, limit: int = 400) -> str:
    if len(description) <= limit:
        return description
    cut = description[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 100 else cut.rsplit(" ", 1)[0] + " …"


def _website(row: dict, line: int, warnings: list[RowError]) -> str:
    """The case's own website; several addresses keep the first, spaces are encoded."""
    value = (row.get("Website") or "").strip()
    if not value:
        return ""
    if value.count("http") > 1:
        value = value.split()[0]
    value = value.replace(" ", "%20")
    try:
        URLValidator()(value)
    except ValidationError:
        warnings.append(RowError(line, "Website", "adresse invalide, ignorée."))
        return ""
    return value if len(value) <= 500 else ""


def parse_row(
    row: dict, line: int, warnings: list[RowError] | None = None
) -> tuple[dict | None, list[RowError]]:
    """One CSV row as UseCase fields, or the errors that make it unusable."""
    errors = [
        RowError(line, column, "valeur manquante.")
        for column in REQUIRED
        if not (row.get(column) or "").strip()
    ]
    errors += [  # PostgreSQL cannot store NUL
        RowError(line, str(column), "caractère nul (U+0000) refusé.")
        for column, value in row.items()
        if isinstance(value, str) and "\x00" in value
    ]
    status = _key(row.get(" Status", ""))
    if status and status not in STAGES:
        errors.append(RowError(line, " Status", f"statut inconnu « {status} »."))
    start, end = (_year(row, c, line, errors) for c in ("Start Year", "End Year"))
    if start and end and end < start:
        errors.append(RowError(line, "End Year", f"fin ({end}) avant le début ({start})."))
    if errors:
        return None, errors
    country_raw = row["Geographical coverage (country)"].strip()
    description = row["Description"].strip()
    website = _website(row, line, warnings if warnings is not None else [])
    category = _key(row.get("Responsible organisation category", ""))
    cofog = _key(row.get("Functions of Government (COFOG level I)", ""))
    source = (row.get("Source") or "").strip()
    fields = {
        "external_id": row["PSTW ID"].strip(),
        "title": row["Name"].strip()[:300],
        "summary": _summary(description),
        "description": description
        + (f"\n\nSource citée par le catalogue : {source}" if source else ""),
        "domain": _domain(row),
        "technology": _technology(row),
        "stage": STAGES[status],
        "stage_reason": "Signalé « Not in use » (plus utilisé) dans le catalogue."
        if status == "not in use"
        else "",
        "start_year": start,
        "end_year": end,
        "country": COUNTRIES.get(_key(country_raw), country_raw)[:60],
        "organisation": (row.get("Responsible organisation") or "").strip()[:300],
        "organisation_category": CATEGORIES.get(category, category)[:100],
        "cofog": COFOG.get(cofog, cofog)[:100],
        "impacts": [label for column, label in IMPACTS.items() if _key(row.get(column, ""))],
        "funding": (row.get("Funding source") or "").strip(),
        "supplier": (row.get("Company name or GovTech ID") or "").strip()[:300],
        "external_url": website,
        "attribution": f"{ATTRIBUTION}, fiche {row['PSTW ID'].strip()}",
        "language": "en",
        "nuts": (row.get("NUTS 2021") or "").strip()[:10],
    }
    fields["content_hash"] = hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return fields, []


def read_rows(path: Path) -> ParsedFile:
    """Parse the whole file; line numbers count the header as line 1, as a spreadsheet does.
    A file that csv cannot read (binary, a field over its limit) imports nothing."""
    parsed = ParsedFile()
    seen: set[str] = set()
    line = 1
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restval="")  # a short line: empty cells, not None
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                columns = ", ".join(f"« {c.strip()} »" for c in missing)
                parsed.errors.append(RowError(1, missing[0], f"colonnes absentes : {columns}."))
                return parsed
            for row in reader:
                line = reader.line_num
                fields, errors = parse_row(row, line, parsed.warnings)
                if fields is not None and fields["external_id"] in seen:
                    errors = [
                        RowError(
                            line, "PSTW ID", f"identifiant en double « {fields['external_id']} »."
                        )
                    ]
                    fields = None
                parsed.errors.extend(errors)
                if fields is not None:
                    seen.add(fields["external_id"])
                    parsed.cases.append((line, fields))
    except (csv.Error, UnicodeDecodeError) as error:
        parsed.cases.clear()
        parsed.errors.append(
            RowError(line, "PSTW ID", f"fichier illisible ({error}) ; rien n'est importé.")
        )
    return parsed


def count_rows(path: Path) -> int:
    """For the progress bar only: 0 when csv cannot read the file (read_rows says why)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    except (csv.Error, UnicodeDecodeError):
        return 0
