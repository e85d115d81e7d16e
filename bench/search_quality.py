"""Search quality of the catalogue on judged French queries (not a test).

    .venv/bin/python bench/search_quality.py [--database-url URL] [--verbose]

Builds the demo catalogue in a fresh database (the 2026 universe, the cited cases, the PSTW
file of ../shared/data/pstw/ or PSTW_DIR matched to the universe, the shipped thesaurus),
then runs the judged queries of QUERIES — the words authorities use, unaccented and
misspelt ones included — over every published case (all tabs), without and with the
thesaurus, and prints recall at 10 (judged cases among the first ten, over the number
judged, at most ten) and nDCG at 10 (binary gains), for each and on average. A query's
judged cases are those a reader would want for it, named by PSTW identifier or cite:<key>,
judged on their titles and descriptions (the lists are not exhaustive: a case missing
from them counts as irrelevant). Default database: a temporary SQLite file.
"""

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

LIGHTING = ["PSTW-397", "PSTW-403", "PSTW-404", "PSTW-405", "PSTW-1463", "PSTW-1658", "PSTW-2347", "PSTW-2485"]  # fmt: skip
WATER = ["cite:saint-savin-fuites", "PSTW-104", "PSTW-513", "PSTW-1948", "PSTW-2170", "PSTW-2487", "PSTW-2121"]  # fmt: skip
PARKING = ["PSTW-356", "PSTW-406", "PSTW-595", "PSTW-598", "PSTW-638", "PSTW-1571"]
WASTE = ["PSTW-181", "PSTW-372", "PSTW-418", "PSTW-1673", "PSTW-1694", "PSTW-1990", "PSTW-1960"]
TRAFFIC_CAMERAS = ["PSTW-10", "PSTW-31", "PSTW-77", "PSTW-92", "PSTW-162", "PSTW-861", "PSTW-1069"]  # fmt: skip
ANONYMISATION = ["PSTW-49", "PSTW-1450", "PSTW-1488", "PSTW-1489", "PSTW-1490", "PSTW-1493"]
FACES = ["PSTW-105", "PSTW-257", "PSTW-430", "PSTW-452", "PSTW-460", "PSTW-461", "PSTW-563", "PSTW-566", "PSTW-1097"]  # fmt: skip
TAX_FRAUD = ["PSTW-317", "PSTW-455", "PSTW-670", "PSTW-888", "PSTW-1153", "PSTW-2555", "PSTW-289", "PSTW-41"]  # fmt: skip
TRANSCRIPTION = ["PSTW-27", "PSTW-71", "PSTW-241", "PSTW-243", "PSTW-245", "PSTW-250"]
TRANSLATION = ["PSTW-235", "PSTW-236", "PSTW-239", "PSTW-641", "PSTW-71"]
ELDERLY = ["PSTW-148", "PSTW-495", "PSTW-556", "PSTW-1645", "PSTW-1758", "PSTW-1888", "PSTW-1890"]
JOBS = ["PSTW-1", "PSTW-13", "PSTW-29", "PSTW-46", "PSTW-95", "PSTW-194", "PSTW-218", "PSTW-219"]
WELFARE_FRAUD = ["PSTW-78", "PSTW-350", "PSTW-351", "PSTW-1062", "PSTW-1070"]
# The two topics the catalogue holds by the dozen (some 200 chatbots, 85 generative AI
# cases): every case whose title names them is judged relevant, with the cited case.
BY_TITLE = {
    "chatbots": r"chatbot|virtual assistant|voice-?bot|digital assistant|conversational",
    "generative": r"generative|genai|\bllm|language model|\bgpt",
}
CHATBOTS = ["cite:plaisir-optimus", "by_title:chatbots"]
GENERATIVE = ["cite:generation-deliberations", "by_title:generative"]
ROADS = ["PSTW-540", "PSTW-1360", "PSTW-1776", "PSTW-1801", "PSTW-2376"]
AIR = ["PSTW-828", "PSTW-1459", "PSTW-1691", "PSTW-1777", "PSTW-1778", "PSTW-662"]
VIDEO = ["cite:paris-jo-videosurveillance", "PSTW-1992", "PSTW-1096", "PSTW-45", "PSTW-1673", "PSTW-1990"]  # fmt: skip
NOISE = ["PSTW-232", "PSTW-682", "PSTW-2372"]
TREES = ["PSTW-242", "PSTW-305", "PSTW-315", "PSTW-1712", "PSTW-1715"]
TRAINING = ["cite:paris-saclay-formation", "cite:puy-de-dome-acculturation"]

QUERIES: list[tuple[str, list[str]]] = [
    ("éclairage public", LIGHTING),
    ("eclairage public intelligent", LIGHTING),
    ("lampadaires connectés", LIGHTING),
    ("fuites d'eau", WATER),
    ("fuite eau reseau", WATER),
    ("perte en réseau", WATER),
    ("réseau d'eau potable", WATER),
    ("stationnement", PARKING),
    ("places de parking", PARKING),
    ("stationement", PARKING),  # misspelt
    ("déchets", WASTE),
    ("dépôts sauvages", WASTE),
    ("conteneurs connectés", WASTE),
    ("caméras infractions routières", TRAFFIC_CAMERAS),
    ("radars de vitesse", TRAFFIC_CAMERAS),
    ("anonymisation des décisions de justice", ANONYMISATION),
    ("pseudonymisation jugements", ANONYMISATION),
    ("reconnaissance faciale", FACES),
    ("reconaissance faciale", FACES),  # misspelt
    ("fraude fiscale", TAX_FRAUD),
    ("fraude fiscal impots", TAX_FRAUD),  # agreement error, unaccented
    ("transcription automatique", TRANSCRIPTION),
    ("reconnaissance vocale", TRANSCRIPTION),
    ("traduction automatique", TRANSLATION),
    ("personnes agees", ELDERLY),
    ("maintien à domicile des seniors", ELDERLY),
    ("demandeurs d'emploi", JOBS),
    ("chomage", JOBS),
    ("fraude aux prestations sociales", WELFARE_FRAUD),
    ("agent conversationnel", CHATBOTS),
    ("chatbot mairie", CHATBOTS),
    ("robot conversationnel", CHATBOTS),
    ("assistant virtuel", CHATBOTS),
    ("agent conversationel", CHATBOTS),  # misspelt
    ("IA générative", GENERATIVE),
    ("ia generative", GENERATIVE),
    ("grand modèle de langage", GENERATIVE),
    ("LLM", GENERATIVE),
    ("nids-de-poule", ROADS),
    ("entretien des routes", ROADS),
    ("qualité de l'air", AIR),
    ("pollution atmospherique", AIR),
    ("vidéoprotection", VIDEO),
    ("videosurveillance algorithmique", VIDEO),
    ("nuisances sonores", NOISE),
    ("bruit", NOISE),
    ("arbres", TREES),
    ("cartographie des forêts", TREES),
    ("cantine", ["cite:nantes-restauration-scolaire"]),
    ("restauration scolaire", ["cite:nantes-restauration-scolaire"]),
    ("gaspillage alimentaire", ["cite:nantes-restauration-scolaire"]),
    ("délibérations", ["cite:generation-deliberations"]),
    ("comptes rendus", ["cite:generation-deliberations", "PSTW-27"]),
    ("non-recours aux droits", ["cite:non-recours-aides-sociales", "PSTW-2293"]),
    ("charte éthique", ["cite:grand-besancon-charte-ia"]),
    ("convention citoyenne", ["cite:montpellier-convention-citoyenne"]),
    ("formation des élus", TRAINING),
    ("acculturation des agents", TRAINING),
    ("stratégie data", ["cite:meuse-strategie-data"]),
    ("marchés publics", ["cite:doubs-marches-publics"]),
    ("piscines non déclarées", ["PSTW-887"]),
    ("ilots de chaleur", ["PSTW-1484"]),
    ("données de trafic Waze", ["cite:mobilite-donnees-trafic"]),
    ("consommation énergétique des bâtiments", ["cite:pilotage-energie-batiments", "PSTW-2232"]),
    ("tarification sociale de l'eau", ["PSTW-1027"]),
    ("jurisprudence", ["PSTW-49", "PSTW-280", "PSTW-2221"]),
]


def judged_cases(judged: list[str]) -> list[str]:
    """The judged external ids, with the title rules of BY_TITLE applied to the catalogue."""
    import re

    from observatoire.cas_usage.models import UseCase

    found = [case for case in judged if not case.startswith("by_title:")]
    for rule in judged:
        if rule.startswith("by_title:"):
            pattern = re.compile(BY_TITLE[rule.removeprefix("by_title:")], re.IGNORECASE)
            titles = UseCase.objects.published().values_list("external_id", "title")
            found += [external_id for external_id, title in titles if pattern.search(title)]
    return found


def demo_catalogue(stderr=sys.stderr) -> None:
    """The demo catalogue in the configured (fresh) database: universe, cases, thesaurus."""
    from django.core.management import call_command

    from observatoire.cas_usage import pstw, services
    from observatoire.territoires import services as territoires

    call_command("migrate", verbosity=0, skip_checks=True)
    territoires.import_vintage(2026)
    services.load_thesaurus()
    services.load_cited_cases()
    path = pstw.shared_file()
    if path is None:
        sys.exit("Fichier PSTW absent (../shared/data/pstw/ ou PSTW_DIR) : benchmark impossible.")
    print(services.import_pstw(path), file=stderr)


def ranked_ids(query: str, synonyms: bool) -> list[str]:
    """The external ids of the ten first published cases for `query`, all tabs together."""
    from observatoire.cas_usage import services
    from observatoire.cas_usage.choices import Status
    from observatoire.cas_usage.models import UseCase
    from observatoire.core import search

    thesaurus = services.thesaurus() if synonyms else None
    matches = search.Matches(UseCase, query, {"status": Status.PUBLISHED}, thesaurus=thesaurus)
    return [case.external_id for case in matches.ranked()[:10]]


def scores(found: list[str], judged: list[str]) -> tuple[float, float]:
    """Recall at 10 (over min(judged, 10)) and nDCG at 10 with binary gains."""
    hits = [case in judged for case in found[:10]]
    recall = sum(hits) / min(len(judged), 10)
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(judged), 10)))
    return recall, dcg / ideal


def arguments(description: str):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="une base neuve (défaut : SQLite temporaire)")
    parser.add_argument("--verbose", action="store_true", help="les chiffres de chaque requête")
    return parser.parse_args()


def start(database_url: str | None) -> None:
    """Django on `database_url` (default: a temporary SQLite file), with the demo catalogue."""
    tmp = tempfile.mkdtemp(prefix="obs-quality-")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/quality.sqlite3"
    os.environ["DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    demo_catalogue()


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    start(args.database_url)
    from django.db import connection

    print(f"engine={connection.vendor} queries={len(QUERIES)}")
    for synonyms in (False, True):
        totals = [0.0, 0.0]
        for query, judged in QUERIES:
            recall, ndcg = scores(ranked_ids(query, synonyms), judged_cases(judged))
            totals[0] += recall
            totals[1] += ndcg
            if args.verbose:
                print(f"  {query!r:45} recall@10={recall:.2f} ndcg@10={ndcg:.2f}")
        label = "with_thesaurus" if synonyms else "without_thesaurus"
        n = len(QUERIES)
        print(f"{label} recall@10={totals[0] / n:.3f} ndcg@10={totals[1] / n:.3f}")


if __name__ == "__main__":
    main()
