"""Answer sets of the built-in barometer questionnaire, and runs."""

import factory

from observatoire.diagnostic.models import Run
from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.services import load_builtin
from observatoire.territoires.factories import AuthorityFactory

# Every scored question at its best answer (the grid's most points), and what shows that
# each legal duty is met.
BEST = {
    "culture_donnee": "bonne", "projet_donnee_2ans": "oui", "projet_donnee_futur": "experimente",
    "portage_politique": "oui", "formation_elus": "oui",
    "usages_donnee": ["qualite_service", "transparence", "pilotage"],
    "service_numerique": "oui", "roles_donnee": ["cdo", "data_analyst", "dpo", "rssi"],
    "formation_agents": "oui", "mutualisation": "epci",
    "outils_donnee": "oui", "outils_types": ["sig", "decisionnel", "entrepot"],
    "hebergement": "cloud_securise", "logiciel_libre": "systematique",
    "gouv_regles": "oui", "gouv_documents": ["guides", "charte"], "comite_donnee": "oui",
    "inventaire_donnees": "oui", "registre_rgpd": "oui", "dpo_designe": "oui",
    "donnees_ouvertes": "oui_toutes", "qualite_donnees": "oui",
    "strategie_reen": "adoptee",
    "mesures_numerique_responsable": ["allongement", "reemploi", "sobriete", "achats"],
    "empreinte_mesuree": "oui", "clauses_environnementales": "systematique",
    "referent_numerique_responsable": "oui",
    "ia_usage": "deploye", "ia_doctrine_usage": "oui", "charte_ethique_ia": "oui",
    "registre_ia": "oui", "ia_aipd": "oui", "ia_information_usagers": "oui",
    "cyber_strategie": "oui", "cyber_rssi": "oui",
    "cyber_mesures": ["sauvegardes", "mfa", "mises_a_jour", "antivirus", "audit"],
    "cyber_plan_continuite": "oui", "cyber_iso27001": "oui", "cyber_assurance": "oui",
    "nb_agents": 120, "cyber_attaque": "non", "fonction_repondant": "dgs", "cloud": "oui",
}  # fmt: skip

# Every scored question at a no-point answer (list questions left unanswered).
WORST = {
    "culture_donnee": "faible", "projet_donnee_2ans": "non", "projet_donnee_futur": "non",
    "portage_politique": "non", "formation_elus": "non",
    "service_numerique": "non", "formation_agents": "non", "mutualisation": "aucune",
    "outils_donnee": "non", "hebergement": "cloud_public", "logiciel_libre": "jamais",
    "gouv_regles": "non", "comite_donnee": "non", "inventaire_donnees": "non",
    "registre_rgpd": "non", "dpo_designe": "non", "donnees_ouvertes": "non",
    "qualite_donnees": "non", "strategie_reen": "non", "empreinte_mesuree": "non",
    "clauses_environnementales": "jamais", "referent_numerique_responsable": "non",
    "ia_usage": "non", "ia_doctrine_usage": "non", "charte_ethique_ia": "non",
    "registre_ia": "non", "cyber_strategie": "non", "cyber_rssi": "non",
    "cyber_plan_continuite": "non", "cyber_iso27001": "non", "cyber_assurance": "non",
    "nb_agents": 8, "cyber_attaque": "non", "fonction_repondant": "dgs", "cloud": "non",
}  # fmt: skip

# A typical commune under 3,500 inhabitants: a few basics, little else.
SMALL_COMMUNE = {
    "fonction_repondant": "elu", "culture_donnee": "insuffisante", "projet_donnee_2ans": "non",
    "projet_donnee_futur": "prevu",
    "portage_politique": "oui", "formation_elus": "non", "usages_donnee": ["qualite_service"],
    "nb_agents": 8, "service_numerique": "non", "formation_agents": "non",
    "mutualisation": "epci", "outils_donnee": "non", "hebergement": "prestataire",
    "cloud": "non", "logiciel_libre": "jamais",
    "gouv_regles": "non", "comite_donnee": "non", "inventaire_donnees": "non",
    "registre_rgpd": "oui", "dpo_designe": "oui", "donnees_ouvertes": "non",
    "qualite_donnees": "non", "strategie_reen": "non_concerne",
    "mesures_numerique_responsable": ["allongement", "reemploi"], "empreinte_mesuree": "non",
    "clauses_environnementales": "jamais", "referent_numerique_responsable": "non",
    "ia_usage": "non", "ia_doctrine_usage": "non", "charte_ethique_ia": "non",
    "registre_ia": "non", "cyber_attaque": "non", "cyber_strategie": "prevu",
    "cyber_iso27001": "non", "cyber_rssi": "non",
    "cyber_mesures": ["sauvegardes", "mises_a_jour", "antivirus"],
    "cyber_plan_continuite": "non", "cyber_assurance": "oui",
}  # fmt: skip


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    authority = factory.SubFactory(AuthorityFactory)
    questionnaire = factory.LazyFunction(lambda: load_builtin(2024, Population.AUTHORITIES))
    answers = factory.LazyFunction(lambda: dict(SMALL_COMMUNE))
