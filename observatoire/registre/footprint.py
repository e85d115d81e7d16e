"""Order-of-magnitude estimate of a system's yearly energy use and emissions, with its sources.

energy (kWh) = requests per year × energy per request (Wh, by model size class) × PUE / 1000
emissions (kg CO2e) = energy × carbon intensity of the hosting country's electricity / 1000

Only the use phase (inference) is counted: training, embodied emissions of the hardware and
idle servers are not, and the result says so. Every number comes with its source so that a
référent can check it or replace the carbon intensity with a better one.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from observatoire.core import formats

LUCCIONI = (
    "Luccioni, Jernite, Strubell, « Power Hungry Processing: Watts Driving the Cost of AI "
    "Deployment? », ACM FAccT 2024, tableau 2 (énergie moyenne par 1 000 inférences)"
)
EPOCH = "Epoch AI, « How much energy does ChatGPT use? », février 2025 (≈ 0,3 Wh par requête)"
ASSUMPTION = "hypothèse de l'Observatoire (ordre de grandeur, à remplacer par une mesure)"

# Wh per request, by model size class.
ENERGY_PER_REQUEST_WH = {
    "rules": (0.0001, ASSUMPTION),
    "classic_ml": (0.001, ASSUMPTION),
    "small_dl": (0.007, LUCCIONI + " : classification d'images, 0,007 kWh"),
    "small_llm": (0.047, LUCCIONI + " : génération de texte, 0,047 kWh"),
    "large_llm": (0.3, EPOCH),
}

UPTIME = "Uptime Institute, Global Data Center Survey 2023 (PUE moyen 1,58)"
# Power usage effectiveness by hosting kind.
PUE = {
    "on_premise": (
        2.0,
        "hypothèse : petite salle serveur peu optimisée (ADEME, Arcep, 2022 : PUE de 1,5 à 2,5)",
    ),
    "french_cloud": (1.58, UPTIME),
    "saas": (1.58, UPTIME),
    "hyperscaler": (1.15, "rapports environnementaux 2023 des grands clouds (PUE 1,1 à 1,2)"),
}

EMBER = "Ember, Yearly electricity data 2023 (intensité carbone de la production)"
# g CO2e per kWh of electricity, by country (ISO 3166-1 alpha-2).
CARBON_INTENSITY = {
    "FR": (56, EMBER),
    "DE": (381, EMBER),
    "NL": (268, EMBER),
    "IE": (282, EMBER),
    "BE": (124, EMBER),
    "ES": (174, EMBER),
    "IT": (288, EMBER),
    "SE": (41, EMBER),
    "US": (369, EMBER),
    "EU": (244, EMBER + ", moyenne de l'Union européenne"),
}
DEFAULT_COUNTRY = "FR"


@dataclass
class Footprint:
    kwh: float
    kg_co2e: float
    assumptions: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kwh_per_year": round(self.kwh, 3),
            "kg_co2e_per_year": round(self.kg_co2e, 3),
            "assumptions": [
                {"label": label, "value": value, "source": source}
                for label, value, source in self.assumptions
            ],
        }


def estimate(
    model_size: str,
    hosting: str,
    requests_per_year: int,
    country: str = DEFAULT_COUNTRY,
    intensity: float | None = None,
) -> Footprint:
    """Yearly use-phase energy and emissions; `intensity` (g CO2e/kWh) overrides the country's."""
    if requests_per_year < 0:
        raise ValueError("requests_per_year must be positive")
    wh, wh_source = ENERGY_PER_REQUEST_WH[model_size]
    pue, pue_source = PUE[hosting]
    country = (country or DEFAULT_COUNTRY).upper()
    if intensity is not None:
        grams, grams_source = intensity, str(_("valeur saisie par la collectivité"))
    else:
        grams, grams_source = CARBON_INTENSITY.get(country, CARBON_INTENSITY["EU"])
        if country not in CARBON_INTENSITY:
            grams_source += str(_(" (pays non listé : moyenne européenne)"))
    kwh = requests_per_year * wh * pue / 1000
    assumptions = [
        (
            str(_("Requêtes ou exécutions par an")),
            formats.approx(requests_per_year),
            str(_("fiche")),
        ),
        (str(_("Énergie par requête")), f"{formats.approx(wh)} Wh", wh_source),
        (str(_("Efficacité énergétique de l'hébergement (PUE)")), formats.approx(pue), pue_source),
        (
            str(_("Intensité carbone de l'électricité")) + f" ({country})",
            f"{formats.approx(grams)} g CO2e/kWh",
            grams_source,
        ),
        (
            str(_("Périmètre")),
            str(_("usage seul")),
            str(_("entraînement, fabrication des serveurs et veille non comptés")),
        ),
    ]
    return Footprint(kwh, kwh * grams / 1000, assumptions)
