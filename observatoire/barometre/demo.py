"""Deterministic demonstration data: the 2022, 2023 and 2024 editions and a citizens' poll.

How the published figures are reproduced by the *weighted* pipeline: for each edition the
respondents are drawn per stratum (seeded), their responses created empty, and the real
weighting plan run on them.  Weights depend only on who answered, not on what, so the
answers can then be chosen knowing the weights: for each target (question, set of values,
domain, share) respondents are taken in a seeded random order, each one kept if its weight
still fits under ``share × weight of the domain``.  Nested domains are filled smallest
first (communes < 3 500 before the whole sample).  The weighted estimate therefore lands
within a fraction of a point of the target; the test suite re-runs the pipeline and checks.

Everything is labelled as demonstration data (``Edition.is_demo``, ``source="démo"``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from observatoire.barometre import editorial, indicator_specs, queries, services, weighting
from observatoire.barometre.choices import EditionStatus, Unit
from observatoire.barometre.models import Edition
from observatoire.questionnaires.choices import Population, QuestionType, ResponseStatus
from observatoire.questionnaires.models import Questionnaire, Response, SampleMember
from observatoire.questionnaires.services.collection import AnswerError, LoadedQuestionnaire
from observatoire.territoires.choices import Stratum
from observatoire.territoires.models import Authority, UniverseCount

YEARS = (2022, 2023, 2024)
POLL_YEAR = 2024
POLL_SIZE = 1000
SOURCE = "démo"
ALLOCATION = {  # respondents per stratum and edition (2024: 289, 43 % small communes)
    2022: [85, 32, 30, 8, 20, 12, 3, 7, 15, 8],
    2023: [70, 28, 27, 8, 17, 11, 3, 7, 12, 6],
    2024: [124, 40, 40, 10, 25, 15, 4, 8, 15, 8],
}
STRATA = [
    Stratum.COMMUNE_LT_3500, Stratum.COMMUNE_3500_10000, Stratum.COMMUNE_10000_100000,
    Stratum.COMMUNE_GT_100000, Stratum.CC, Stratum.CA, Stratum.CU, Stratum.METROPOLE,
    Stratum.DEPARTEMENT, Stratum.REGION,
]  # fmt: skip
AUTHORITY_PLAN: dict[str, Any] = {
    "unit": Unit.INHABITANTS.value,
    "margins": ["strate", "region"],
    "collapse": {"cu": "metropole"},
    "min_cell": 5,
    "disclosure": {"min_n": 10, "caution_n": 30, "max_cv": 0.6, "caution_cv": 0.3},
}
# Adult population (INSEE, census 2021, rounded) and its structure: the poll's margins.
POLL_PLAN: dict[str, Any] = {
    "unit": Unit.PERSONS.value,
    "population_total": 52_000_000,
    "margins": {
        "sexe": {"femme": 0.52, "homme": 0.48},
        "age": {"18_24": 0.10, "25_34": 0.15, "35_49": 0.24, "50_64": 0.25, "65_plus": 0.26},
    },
    "disclosure": {"min_n": 30, "caution_n": 100, "max_cv": 0.6, "caution_cv": 0.3},
}
POLL_OCCUPATIONS = ["agriculteur", "artisan", "cadre", "intermediaire", "employe", "ouvrier"]
POLL_OCCUPATIONS += ["retraite", "autre_inactif"]
POLL_REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]

# --- the questions the demo answers (codes and values of docs/barometre-questions.md) ---
YES_NO = ["oui", "non"]
YES_NO_PLANNED = ["oui", "non", "prevu"]
AGREE = ["tout_a_fait", "plutot", "plutot_pas", "pas_du_tout"]
AUTHORITY_QUESTIONS: list[tuple[str, str, str, list[str], str]] = [
    ("culture", "culture_donnee", QuestionType.SELECT_ONE, ["bonne", "correcte", "insuffisante", "faible"], ""),
    ("culture", "projet_donnee_2ans", QuestionType.SELECT_ONE, YES_NO, ""),
    ("culture", "projet_donnee_futur", QuestionType.SELECT_ONE, ["experimente", "prevu", "non"], ""),
    ("culture", "usages_donnee", QuestionType.SELECT_MULTIPLE, ["qualite_service", "transparence", "pilotage", "economies", "attractivite", "autre"], ""),
    ("culture", "donnees_domaines", QuestionType.SELECT_MULTIPLE, ["energie_eclairage", "mobilite", "eau", "dechets", "urbanisme", "social", "autre"], ""),
    ("outils", "outils_donnee", QuestionType.SELECT_ONE, YES_NO, ""),
    ("outils", "hebergement", QuestionType.SELECT_ONE, ["serveurs_propres", "cloud_securise", "cloud_public", "prestataire", "autre"], ""),
    ("outils", "cloud", QuestionType.SELECT_ONE, YES_NO, ""),
    ("outils", "logiciel_libre", QuestionType.SELECT_ONE, ["systematique", "parfois", "jamais"], ""),
    ("gouvernance", "gouv_regles", QuestionType.YES_NO_PLANNED, YES_NO_PLANNED, ""),
    ("gouvernance", "gouv_documents", QuestionType.SELECT_MULTIPLE, ["guides", "clauses", "charte", "autre"], "${gouv_regles} = 'oui'"),
    ("environnement", "levier_environnement", QuestionType.SELECT_ONE, AGREE, ""),
    ("ia", "ia_usage", QuestionType.SELECT_ONE, ["deploye", "teste", "prevu", "non"], ""),
    ("ia", "ia_technologies", QuestionType.SELECT_MULTIPLE, ["chatbot", "predictif", "vision", "langage", "parole", "generative"], "${ia_usage} = 'deploye' or ${ia_usage} = 'teste'"),
    ("ia", "ia_domaines", QuestionType.SELECT_MULTIPLE, ["administration", "environnement", "mobilite", "dechets", "securite", "eau", "restauration_scolaire", "social", "tourisme", "autre"], "${ia_usage} = 'deploye' or ${ia_usage} = 'teste'"),
    ("ia", "charte_ethique_ia", QuestionType.YES_NO_PLANNED, YES_NO_PLANNED, ""),
    ("cyber", "cyber_attaque", QuestionType.SELECT_ONE, YES_NO, ""),
    ("cyber", "cyber_strategie", QuestionType.YES_NO_PLANNED, YES_NO_PLANNED, ""),
    ("cyber", "cyber_iso27001", QuestionType.SELECT_ONE, YES_NO, ""),
]  # fmt: skip
CITIZEN_QUESTIONS: list[tuple[str, str, str, list[str], str]] = [
    ("profil", "sexe", QuestionType.SELECT_ONE, ["femme", "homme"], ""),
    ("profil", "age", QuestionType.SELECT_ONE, ["18_24", "25_34", "35_49", "50_64", "65_plus"], ""),
    ("profil", "region", QuestionType.SELECT_ONE, POLL_REGIONS, ""),
    ("profil", "occupation", QuestionType.SELECT_ONE, POLL_OCCUPATIONS, ""),
    ("ia", "ia_menace_emploi", QuestionType.SELECT_ONE, AGREE, ""),
    ("ia", "confiance_ia", QuestionType.SELECT_ONE, YES_NO, ""),
]  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Share of the weighted ``domain`` (within ``base``) answering one of ``values``."""

    question: str
    values: tuple[str, ...]
    shares: dict[int, float]
    domain: str = "all"  # all | plus_3500 | moins_3500 | commune
    base: tuple[str, tuple[str, ...]] | None = None  # (question, values) of the sub-population


USERS = ("ia_usage", ("deploye", "teste"))
RULES = ("gouv_regles", ("oui",))
# The BRIEF's table (years missing for a target follow a gentle trend, see _share).
TARGETS = [
    Target("culture_donnee", ("bonne", "correcte"), {2022: 0.40, 2023: 0.46, 2024: 0.53}, "plus_3500"),
    Target("culture_donnee", ("bonne", "correcte"), {2022: 0.22, 2023: 0.26, 2024: 0.30}, "moins_3500"),
    Target("projet_donnee_2ans", ("oui",), {2022: 0.07, 2023: 0.25, 2024: 0.42}, "moins_3500"),
    Target("projet_donnee_2ans", ("oui",), {2022: 0.41, 2023: 0.53, 2024: 0.65}),
    Target("projet_donnee_futur", ("experimente", "prevu"), {2024: 0.59}),
    Target("levier_environnement", ("tout_a_fait", "plutot"), {2024: 0.92}),
    Target("usages_donnee", ("qualite_service",), {2024: 0.73}),
    Target("usages_donnee", ("transparence",), {2024: 0.59}),
    Target("usages_donnee", ("pilotage",), {2024: 0.56}),
    Target("usages_donnee", ("economies",), {2024: 0.45}),
    Target("usages_donnee", ("attractivite",), {2024: 0.30}),
    Target("donnees_domaines", ("energie_eclairage",), {2023: 0.44, 2024: 0.58}),
    Target("donnees_domaines", ("mobilite",), {2024: 0.55}),
    Target("donnees_domaines", ("eau",), {2024: 0.46}),
    Target("donnees_domaines", ("dechets",), {2024: 0.40}),
    Target("donnees_domaines", ("urbanisme",), {2024: 0.35}),
    Target("outils_donnee", ("oui",), {2023: 0.17}, "commune"),
    Target("outils_donnee", ("oui",), {2023: 0.57}),
    Target("hebergement", ("serveurs_propres",), {2024: 0.63}),
    Target("hebergement", ("cloud_securise",), {2024: 0.04}),
    Target("hebergement", ("prestataire",), {2024: 0.20}),
    Target("cloud", ("oui",), {2023: 0.13}),
    Target("logiciel_libre", ("systematique",), {2023: 0.15}),
    Target("gouv_regles", ("oui",), {2022: 0.29, 2024: 0.31}, "plus_3500"),
    Target("gouv_regles", ("oui",), {2022: 0.28, 2023: 0.38, 2024: 0.32}),
    Target("gouv_regles", ("prevu",), {2022: 0.30, 2023: 0.34, 2024: 0.33}),
    Target("gouv_documents", ("guides", "clauses", "charte"), {2024: 0.31}, base=RULES),
    Target("gouv_documents", ("guides",), {2024: 0.61}, "plus_3500", RULES),
    Target("gouv_documents", ("clauses",), {2024: 0.58}, "plus_3500", RULES),
    Target("gouv_documents", ("charte",), {2024: 0.24}, "plus_3500", RULES),
    Target("ia_usage", ("deploye", "teste"), {2022: 0.15, 2023: 0.27, 2024: 0.36}),
    Target("ia_usage", ("prevu",), {2022: 0.10, 2023: 0.13, 2024: 0.15}),
    Target("ia_technologies", ("chatbot",), {2023: 0.43}, base=USERS),
    Target("ia_technologies", ("predictif",), {2023: 0.34}, base=USERS),
    Target("ia_technologies", ("vision",), {2023: 0.15}, base=USERS),
    Target("ia_technologies", ("generative",), {2022: 0.05, 2023: 0.25, 2024: 0.40}, base=USERS),
    Target("ia_domaines", ("administration",), {2024: 0.29}, base=USERS),
    Target("ia_domaines", ("environnement",), {2024: 0.14}, base=USERS),
    Target("ia_domaines", ("mobilite",), {2024: 0.12}, base=USERS),
    Target("ia_domaines", ("dechets",), {2024: 0.12}, base=USERS),
    Target("ia_domaines", ("securite",), {2024: 0.12}, base=USERS),
    Target("charte_ethique_ia", ("oui",), {2024: 0.03}),
    Target("charte_ethique_ia", ("prevu",), {2024: 0.18}),
    Target("cyber_attaque", ("oui",), {2023: 0.21}),
    Target("cyber_strategie", ("oui",), {2023: 0.62}),
    Target("cyber_strategie", ("prevu",), {2023: 0.14}),
    Target("cyber_iso27001", ("oui",), {2023: 0.05}),
]  # fmt: skip
# The target values that the sources give (BRIEF's table) or imply (2022's 28 % of rules and
# 15 % of AI: 2023's 38 % and 27 % are "up 10 and 12 points"); every other figure of the demo
# is generated, and the demo's note says which.
SOURCED: dict[tuple[str, tuple[str, ...], str], tuple[int, ...]] = {
    ("culture_donnee", ("bonne", "correcte"), "plus_3500"): (2022, 2023, 2024),
    ("projet_donnee_2ans", ("oui",), "moins_3500"): (2022, 2024),
    ("projet_donnee_2ans", ("oui",), "all"): (2022, 2024),
    ("projet_donnee_futur", ("experimente", "prevu"), "all"): (2024,),
    ("levier_environnement", ("tout_a_fait", "plutot"), "all"): (2024,),
    ("usages_donnee", ("qualite_service",), "all"): (2024,),
    ("usages_donnee", ("transparence",), "all"): (2024,),
    ("usages_donnee", ("pilotage",), "all"): (2024,),
    ("usages_donnee", ("economies",), "all"): (2024,),
    ("donnees_domaines", ("energie_eclairage",), "all"): (2023, 2024),
    ("donnees_domaines", ("mobilite",), "all"): (2024,),
    ("donnees_domaines", ("eau",), "all"): (2024,),
    ("donnees_domaines", ("dechets",), "all"): (2024,),
    ("outils_donnee", ("oui",), "commune"): (2023,),
    ("outils_donnee", ("oui",), "all"): (2023,),
    ("hebergement", ("serveurs_propres",), "all"): (2024,),
    ("hebergement", ("cloud_securise",), "all"): (2024,),
    ("cloud", ("oui",), "all"): (2023,),
    ("logiciel_libre", ("systematique",), "all"): (2023,),
    ("gouv_regles", ("oui",), "plus_3500"): (2022, 2024),
    ("gouv_regles", ("oui",), "all"): (2022, 2023),
    ("gouv_regles", ("prevu",), "all"): (2023,),
    ("gouv_documents", ("guides", "clauses", "charte"), "all"): (2024,),
    ("gouv_documents", ("guides",), "plus_3500"): (2024,),
    ("gouv_documents", ("clauses",), "plus_3500"): (2024,),
    ("gouv_documents", ("charte",), "plus_3500"): (2024,),
    ("ia_usage", ("deploye", "teste"), "all"): (2022, 2023, 2024),
    ("ia_usage", ("prevu",), "all"): (2024,),
    ("ia_technologies", ("chatbot",), "all"): (2023,),
    ("ia_technologies", ("predictif",), "all"): (2023,),
    ("ia_domaines", ("administration",), "all"): (2024,),
    ("ia_domaines", ("environnement",), "all"): (2024,),
    ("ia_domaines", ("mobilite",), "all"): (2024,),
    ("ia_domaines", ("dechets",), "all"): (2024,),
    ("ia_domaines", ("securite",), "all"): (2024,),
    ("cyber_attaque", ("oui",), "all"): (2023,),
    ("cyber_strategie", ("oui",), "all"): (2023,),
    ("cyber_iso27001", ("oui",), "all"): (2023,),
    ("ia_menace_emploi", ("tout_a_fait", "plutot"), "all"): (2024,),
    ("confiance_ia", ("oui",), "all"): (2024,),
}
DOMAIN_OF = {"all": ("", ""), "plus_3500": ("taille", "plus_3500"),
             "moins_3500": ("taille", "moins_3500"), "commune": ("type", "commune")}  # fmt: skip
# The demo's commentaries (figures as references, rendered with each version's results).
COMMENTARY = {
    "culture": "La culture de la donnée est jugée « bonne » ou « correcte » par "
    "{culture_bonne_correcte|taille=plus_3500} des collectivités de 3 500 habitants et plus, "
    "contre {culture_bonne_correcte|taille=moins_3500} des petites communes. "
    "{projet_donnee_2ans} des collectivités ont mené au moins un projet data en deux ans.",
    "outils": "{outils_donnee} des collectivités sont dotées d'outils de traitement de la "
    "donnée ; {hebergement|modalite=serveurs_propres} hébergent leurs données sur leurs "
    "propres serveurs.",
    "gouvernance": "{gouv_regles} des collectivités ont défini des règles de gouvernance des "
    "données et {gouv_regles|modalite=prevu} prévoient de le faire dans l'année.",
    "environnement": "{levier_environnement} voient la donnée comme un levier pour les enjeux "
    "environnementaux.",
    "ia": "{ia_usage} des collectivités déploient ou testent l'intelligence artificielle ; "
    "{ia_usage|modalite=prevu} le prévoient.",
    "cyber": "{cyber_attaque} des collectivités déclarent avoir subi une cyberattaque ; "
    "{cyber_strategie} ont une stratégie de sécurité.",
}
POLL_COMMENTARY = {
    "ia": "{ia_menace_emploi} des Français de 18 ans et plus voient l'IA comme une menace pour "
    "le travail ; {confiance_ia} se disent prêts à lui faire confiance.",
}
POLL_TARGETS = [
    Target("ia_menace_emploi", ("tout_a_fait", "plutot"), {POLL_YEAR: 0.62}),
    Target("confiance_ia", ("oui",), {POLL_YEAR: 0.33}),
]


def load(stdout) -> None:
    """Create the demo editions if they are missing (idempotent; a few seconds)."""
    if not UniverseCount.objects.exists():
        stdout.write("Baromètre : univers des collectivités absent, démonstration ignorée.")
        return
    for year in YEARS:
        _edition(year, Population.AUTHORITIES, stdout)
    _edition(POLL_YEAR, Population.CITIZENS, stdout)


def edition_code(year: int, population: str) -> str:
    return f"{'barometre' if population == Population.AUTHORITIES else 'sondage-citoyens'}-{year}"


@transaction.atomic
def _edition(year: int, population: str, stdout) -> Edition:
    code = edition_code(year, population)
    existing = Edition.objects.published().filter(code=code).first()
    if existing is not None:
        return existing
    questionnaire = _questionnaire(year, population)
    citizens = population == Population.CITIZENS
    edition, _created = Edition.objects.update_or_create(
        code=code,
        defaults={
            "title": (
                f"Sondage citoyen {year} : les Français et l'IA"
                if citizens
                else f"Baromètre data, IA et cybersécurité des territoires {year}"
            ),
            "year": year,
            "questionnaire": questionnaire,
            "vintage": closest_vintage(year),
            "plan": POLL_PLAN if citizens else AUTHORITY_PLAN,
            "status": EditionStatus.CLOSED,
            "is_demo": True,
        },
    )
    edition.summary, edition.commentary = demo_texts(edition)
    Response.objects.filter(questionnaire=questionnaire).delete()
    if citizens:
        _poll_responses(questionnaire)
    else:
        _authority_responses(questionnaire, year)
    weights = np.asarray(weighting.weight(edition).design.weights)
    responses = list(Response.objects.filter(questionnaire=questionnaire).order_by("pk"))
    answers = [dict(r.answers) for r in responses]
    domains = _domains(responses, citizens)
    _fill(answers, weights, domains, POLL_TARGETS if citizens else TARGETS, year, citizens)
    _complete(answers, LoadedQuestionnaire.load(questionnaire), random.Random(f"complet-{code}"))
    for response, values in zip(responses, answers, strict=True):
        response.answers = values
    Response.objects.bulk_update(responses, ["answers"], batch_size=500)
    services.weight_edition(edition)
    services.publish_edition(edition, note="")
    stdout.write(f"Baromètre : édition {code} ({len(responses)} réponses) chargée.")
    return edition


def demo_texts(edition: Edition) -> tuple[str, dict[str, str]]:
    """The demo note's highlights: which figures the sources give (reproduced) and which
    are generated, each as a figure reference; and the themes' commentaries."""
    citizens = edition.population == Population.CITIZENS
    sourced, generated = [], []
    for indicator in indicator_specs.for_edition(edition).indicators:
        counted = {
            "": indicator.values,
            "fait": indicator.done,
            "prevu": indicator.planned,
            "fait_ou_prevu": (*indicator.done, *indicator.planned),
        }
        for category in indicator.categories:
            values = (category,) if indicator.kind == "ranking" else counted.get(category, ())
            if category == "fait_ou_prevu":
                continue
            options = (
                f"|modalite={category}" if category != queries.main_category(indicator) else ""
            )
            label = indicator.title + (
                f" (« {indicator.category_label(category)} »)" if category else ""
            )
            domains = [
                d
                for (q, v, d), years in SOURCED.items()
                if q == indicator.question and set(v) == set(values) and edition.year in years
            ]
            for domain in domains:
                level = "|{}={}".format(*DOMAIN_OF[domain]) if domain != "all" else ""
                where = f", {queries.level_label(*DOMAIN_OF[domain]).lower()}" if level else ""
                sourced.append(f"- {label}{where} : {{{indicator.code}{options}{level}}}")
            if "all" not in domains:
                generated.append(f"- {label} : {{{indicator.code}{options}}}")
    who = "personnes" if citizens else "collectivités"
    summary = "\n".join([
        f"**Données de démonstration.** Aucun chiffre de cette note ne décrit des {who} réelles : "
        "les réponses sont synthétiques, choisies pour que les résultats pondérés reproduisent "
        "les chiffres que publient les sources.",
        "",
        "Chiffres reproduits des sources (à moins d'un point près) :",
        "",
        *sourced,
        "",
        "Chiffres **générés pour la démonstration** (les sources ne les publient pas) :",
        "",
        *(generated or ["- aucun"]),
        "",
        "Les résultats par domaine (strate, type, taille, sexe, âge) sont générés, sauf ceux "
        "cités plus haut.",
    ])  # fmt: skip
    iset = indicator_specs.for_edition(edition)
    known = {r.key for r in editorial.references("\n".join(sourced), iset)}

    def mark(match) -> str:
        (ref,) = editorial.references(match[0], iset)
        return match[0] if ref.key in known else f"{match[0]} (chiffre généré)"

    texts = POLL_COMMENTARY if citizens else COMMENTARY
    return summary, {theme: editorial.REFERENCE.sub(mark, text) for theme, text in texts.items()}


def closest_vintage(year: int) -> int:
    """The loaded universe vintage closest to the edition's year (the earlier on a tie)."""
    vintages = sorted(set(UniverseCount.objects.values_list("vintage", flat=True)))
    return min(vintages, key=lambda v: (abs(v - year), v))


def _questionnaire(year: int, population: str) -> Questionnaire:
    """The built-in questionnaire of the year (shipped XLSForm, loaded once)."""
    from observatoire.questionnaires.services import load_builtin

    return load_builtin(year, population)


def _authority_responses(questionnaire: Questionnaire, year: int) -> None:
    rng = random.Random(f"barometre-{year}")
    chosen: list[int] = []
    # The invited sample: the respondents and, drawn apart so that the respondents stay the
    # same, twice as many authorities of the same strata that did not answer.
    silent: list[int] = []
    rng_silent = random.Random(f"echantillon-{year}")
    for stratum, size in zip(STRATA, ALLOCATION[year], strict=True):
        pool = list(
            Authority.objects.filter(stratum=stratum, is_active=True)
            .exclude(region="")
            .order_by("code")
            .values_list("pk", flat=True)
        )
        picked = rng.sample(pool, min(size, len(pool)))
        chosen += picked
        rest = sorted(set(pool) - set(picked))
        silent += rng_silent.sample(rest, min(2 * len(picked), len(rest)))
    now = timezone.now()
    SampleMember.objects.filter(questionnaire=questionnaire).delete()
    SampleMember.objects.bulk_create(
        (
            SampleMember(questionnaire=questionnaire, authority_id=pk, invited_at=now)
            for pk in chosen + silent
        ),
        batch_size=1000,
    )
    Response.objects.bulk_create(
        Response(
            questionnaire=questionnaire,
            questionnaire_version=questionnaire.version,
            authority_id=pk,
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
            source=SOURCE,
            answers={},
        )
        for pk in chosen
    )


def _poll_responses(questionnaire: Questionnaire) -> None:
    """1,000 respondents on quotas: sex × age exactly, région and occupation drawn."""
    rng = random.Random(f"sondage-{POLL_YEAR}")
    cells = []
    for sex, s_share in POLL_PLAN["margins"]["sexe"].items():
        for age, a_share in POLL_PLAN["margins"]["age"].items():
            cells += [(sex, age)] * round(POLL_SIZE * s_share * a_share)
    while len(cells) < POLL_SIZE:
        cells.append(("femme", "35_49"))
    cells = cells[:POLL_SIZE]
    now = timezone.now()
    Response.objects.bulk_create(
        Response(
            questionnaire=questionnaire,
            questionnaire_version=questionnaire.version,
            respondent=f"demo-{i + 1:04d}",
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
            source=SOURCE,
            answers={
                "sexe": sex,
                "age": age,
                "region": rng.choice(POLL_REGIONS),
                "occupation": "retraite" if age == "65_plus" else rng.choice(POLL_OCCUPATIONS[:6]),
            },
        )
        for i, (sex, age) in enumerate(cells)
    )


def _domains(responses: list[Response], citizens: bool) -> dict[str, np.ndarray]:
    n = len(responses)
    if citizens:
        return {"all": np.ones(n, dtype=bool)}
    authorities = Authority.objects.in_bulk([r.authority_id for r in responses])
    strata = [authorities[r.authority_id].stratum for r in responses]
    small = np.array([s == Stratum.COMMUNE_LT_3500 for s in strata])
    return {
        "all": np.ones(n, dtype=bool),
        "moins_3500": small,
        "plus_3500": ~small,
        "commune": np.array([s.startswith("commune") for s in strata]),
    }


def _share(target: Target, year: int) -> float | None:
    """The target's share for a year; other years of an all-sample target follow a trend."""
    if year in target.shares:
        return target.shares[year]
    if target.domain != "all":
        return None
    nearest = min(target.shares, key=lambda y: abs(y - year))
    return min(0.95, max(0.02, target.shares[nearest] + 0.05 * (year - nearest)))


def _pick(order: list[int], weights: np.ndarray, goal: float) -> list[int]:
    """Rows taken in ``order`` while their weight still fits under ``goal``."""
    taken, total = [], 0.0
    for i in order:
        if total + weights[i] <= goal + 1e-9:
            taken.append(i)
            total += weights[i]
    return taken


def _complete(answers: list[dict[str, Any]], form: LoadedQuestionnaire, rng: random.Random) -> None:
    """Answer the questions no target covers, as a respondent would, so that every demo
    response is complete and valid (required answers present, skip logic respected)."""
    for values in answers:
        for question in form.questions:
            if question.code in values or not form.is_relevant(question, values):
                continue
            value = _plausible(question, form, rng)
            if value is None:
                continue
            try:  # the référent's form's own check: constraints and bounds
                form.clean(question, value, values)
            except AnswerError:
                continue
            values[question.code] = value


def _plausible(question, form: LoadedQuestionnaire, rng: random.Random) -> Any:
    options = [v for v, _label in form.choices.get(question.choice_list, []) if v != "autre"]
    if question.type in (QuestionType.SELECT_ONE, QuestionType.LIKERT):
        return rng.choice(options) if options else None
    if question.type == QuestionType.YES_NO_PLANNED:
        return rng.choice(options or ["oui", "non", "prevu"])
    if question.type == QuestionType.SELECT_MULTIPLE:
        return sorted(rng.sample(options, min(len(options), rng.randint(1, 3))), key=options.index)
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        low = int(question.minimum) if question.minimum is not None else 0
        high = int(question.maximum) if question.maximum is not None else max(low, 20)
        return rng.randint(low, min(high, low + 20))
    if question.type == QuestionType.TEXT and question.required:
        return "Réponse de démonstration"
    return None


def _fill(
    answers: list[dict[str, Any]],
    weights: np.ndarray,
    domains: dict[str, np.ndarray],
    targets: list[Target],
    year: int,
    citizens: bool,
) -> None:
    """Write every answer so that each target's weighted share is met."""
    rng = random.Random(f"reponses-{year}-{citizens}")
    questions = CITIZEN_QUESTIONS if citizens else AUTHORITY_QUESTIONS
    n = len(answers)
    for _section, code, qtype, values, _relevant in questions:
        if code in ("sexe", "age", "region", "occupation"):
            continue
        mine = [t for t in targets if t.question == code]
        base = np.ones(n, dtype=bool)
        if mine and mine[0].base is not None:
            q, allowed = mine[0].base
            base = np.array([a.get(q) in allowed for a in answers])
        if qtype == QuestionType.SELECT_MULTIPLE:
            _fill_multiple(answers, weights, domains, mine, year, base, code, values, rng)
        else:
            _fill_single(answers, weights, domains, mine, year, code, values, rng)


def _fill_single(answers, weights, domains, targets, year, code, values, rng) -> None:
    n = len(answers)
    value_of: list[str | None] = [None] * n
    # Each value set in turn (e.g. "deploye or teste", then "prevu"), nested domains first.
    groups: dict[tuple[str, ...], list[Target]] = {}
    for t in targets:
        groups.setdefault(t.values, []).append(t)
    for group_values, group in groups.items():
        decided = np.array([v is not None for v in value_of])
        chosen = np.zeros(n, dtype=bool)
        for t in sorted(group, key=lambda t: int(domains[t.domain].sum())):
            share = _share(t, year)
            if share is None:
                continue
            dom = domains[t.domain]
            goal = share * weights[dom].sum() - weights[dom & chosen].sum()
            free = [i for i in range(n) if dom[i] and not decided[i] and not chosen[i]]
            rng.shuffle(free)
            for i in _pick(free, weights, goal):
                chosen[i] = True
            decided |= dom
        for i in np.flatnonzero(chosen).tolist():
            value_of[i] = rng.choice(list(group_values))
    used = {v for vals in groups for v in vals}
    rest = [v for v in values if v not in used and v != "autre"] or [values[-1]]
    for i in range(n):
        answers[i][code] = value_of[i] if value_of[i] is not None else rng.choice(rest)


def _fill_multiple(answers, weights, domains, targets, year, base, code, values, rng) -> None:
    n = len(answers)
    chosen: list[set[str]] = [set() for _ in range(n)]
    members = np.array(base)
    any_target = next((t for t in targets if len(t.values) > 1), None)
    if any_target is not None:
        # "At least one of" these values: which respondents of the base hold any of them.
        share = _share(any_target, year)
        goal = (share or 0.5) * weights.sum()
        order = [i for i in range(n) if base[i]]
        rng.shuffle(order)
        members = np.zeros(n, dtype=bool)
        members[_pick(order, weights, goal)] = True
    for t in (t for t in targets if len(t.values) == 1):
        value, share = t.values[0], _share(t, year)
        dom = domains[t.domain] & base
        if share is None:
            picked = [i for i in range(n) if members[i] and rng.random() < 0.5]
        else:
            uncovered = [i for i in range(n) if dom[i] and members[i] and not chosen[i]]
            covered = [i for i in range(n) if dom[i] and members[i] and chosen[i]]
            rng.shuffle(uncovered)
            rng.shuffle(covered)
            picked = _pick(uncovered + covered, weights, share * weights[dom].sum())
        for i in picked:
            chosen[i].add(value)
    targeted = {t.values[0] for t in targets if len(t.values) == 1}
    extras = [v for v in values if v not in targeted and v != "autre"]
    for i in range(n):
        if not bool(base[i]):
            continue  # skipped by the questionnaire's relevance condition
        if members[i] and not chosen[i] and any_target is not None:
            chosen[i].add(rng.choice(list(any_target.values)))
        if not chosen[i]:
            other = "autre" if "autre" in values else values[-1]
            chosen[i].add(rng.choice(extras) if extras and rng.random() < 0.5 else other)
        answers[i][code] = sorted(chosen[i], key=values.index)
