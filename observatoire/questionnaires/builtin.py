"""The readable source of the built-in XLSForms: edit here, then run

    .venv/bin/python -m observatoire.questionnaires.builtin

which rewrites `xlsforms/barometre.xlsx` and `xlsforms/citoyens.xlsx` (the files we ship and
load); review the diff of this file, not of the workbooks. The codes and
choice values listed in docs/barometre-questions.md are a contract with the barometer:
never rename them.
"""

from decimal import Decimal
from pathlib import Path

from observatoire.questionnaires.choices import QuestionType as T
from observatoire.questionnaires.xlsform import (
    FormChoice,
    FormDefinition,
    FormQuestion,
    FormSection,
    write_xlsform,
)

XLSFORMS = Path(__file__).parent / "xlsforms"

AI_USERS = "${ia_usage} = 'deploye' or ${ia_usage} = 'teste'"

LISTS: dict[str, list[tuple[str, str]]] = {
    "oui_non": [("oui", "Oui"), ("non", "Non")],
    "oui_non_prevu": [("oui", "Oui"), ("non", "Non"), ("prevu", "Prévu dans les 12 mois")],
    "accord": [
        ("tout_a_fait", "Tout à fait d'accord"),
        ("plutot", "Plutôt d'accord"),
        ("plutot_pas", "Plutôt pas d'accord"),
        ("pas_du_tout", "Pas du tout d'accord"),
    ],
    "importance": [
        ("tres", "Très important"),
        ("assez", "Assez important"),
        ("peu", "Peu important"),
        ("pas", "Pas important"),
    ],
    "fonction": [
        ("elu", "Élu ou élue"),
        ("dgs", "Direction générale des services"),
        ("dsi", "Direction des systèmes d'information"),
        ("dpo", "Délégué à la protection des données"),
        ("cdo", "Administrateur ou responsable des données"),
        ("agent", "Autre agent"),
    ],
    "culture": [
        ("bonne", "Bonne"),
        ("correcte", "Correcte"),
        ("insuffisante", "Insuffisante"),
        ("faible", "Faible"),
    ],
    "projet_futur": [
        ("experimente", "Oui, un projet est déjà en expérimentation"),
        ("prevu", "Oui, un projet est prévu"),
        ("non", "Non"),
    ],
    "usages": [
        ("qualite_service", "Améliorer la qualité du service rendu aux usagers"),
        ("transparence", "Renforcer la transparence de l'action publique"),
        ("pilotage", "Piloter les politiques publiques"),
        ("economies", "Réaliser des économies"),
        ("attractivite", "Renforcer l'attractivité du territoire"),
        ("autre", "Autre usage"),
    ],
    "domaines": [
        ("energie_eclairage", "Énergie et éclairage public"),
        ("mobilite", "Mobilité et transports"),
        ("eau", "Eau et assainissement"),
        ("dechets", "Déchets"),
        ("urbanisme", "Urbanisme et aménagement"),
        ("social", "Action sociale"),
        ("autre", "Autre domaine"),
    ],
    "freins": [
        ("competences", "Le manque de compétences en interne"),
        ("budget", "Le manque de moyens financiers"),
        ("temps", "Le manque de temps des équipes"),
        ("qualite", "La qualité insuffisante des données"),
        ("juridique", "Les incertitudes juridiques (RGPD, secret)"),
        ("portage", "Le manque de portage politique"),
        ("outils", "L'absence d'outils adaptés"),
        ("autre", "Autre frein"),
    ],
    "accompagnement": [
        ("formation", "Des formations pour les agents et les élus"),
        ("financement", "Des financements dédiés"),
        ("mutualisation", "La mutualisation avec d'autres collectivités"),
        ("outils_communs", "Des outils et plateformes communs"),
        ("cas_usage", "Des exemples de projets réussis à reproduire"),
        ("juridique", "Un appui juridique"),
    ],
    "roles": [
        ("cdo", "Administrateur ou administratrice des données"),
        ("data_analyst", "Analyste de données"),
        ("data_scientist", "Scientifique des données"),
        ("sig", "Géomaticien ou géomaticienne (SIG)"),
        ("dpo", "Délégué à la protection des données"),
        ("rssi", "Responsable de la sécurité des systèmes d'information"),
    ],
    "outils": [
        ("tableur", "Tableurs"),
        ("sig", "Système d'information géographique"),
        ("decisionnel", "Outil décisionnel ou tableaux de bord"),
        ("entrepot", "Entrepôt ou lac de données"),
        ("plateforme_ouverture", "Portail de données ouvertes"),
        ("capteurs", "Capteurs et objets connectés"),
    ],
    "hebergement": [
        ("serveurs_propres", "Sur nos propres serveurs"),
        ("cloud_securise", "Dans un cloud de confiance (SecNumCloud)"),
        ("cloud_public", "Dans un cloud public"),
        ("prestataire", "Chez un prestataire ou un éditeur"),
        ("autre", "Autre"),
    ],
    "frequence": [
        ("systematique", "Systématiquement"),
        ("parfois", "Parfois"),
        ("jamais", "Jamais"),
    ],
    "souverainete": [
        ("francais", "Une solution française"),
        ("europeen", "Une solution européenne"),
        ("indifferent", "Indifférent, seule la qualité compte"),
    ],
    "mutualisation": [
        ("epci", "Avec l'intercommunalité"),
        ("departement", "Avec le département"),
        ("opsn", "Avec un opérateur public de services numériques"),
        ("syndicat", "Avec un syndicat (énergie, eau, déchets)"),
        ("aucune", "Aucune mutualisation"),
    ],
    "gouv_docs": [
        ("guides", "Des guides ou procédures internes"),
        ("clauses", "Des clauses sur les données dans les contrats et marchés"),
        ("charte", "Une charte de la donnée"),
        ("autre", "Autre document"),
    ],
    "partage": [
        ("plateforme_regionale", "Une plateforme régionale de données"),
        ("plateforme_departementale", "Une plateforme départementale"),
        ("data_gouv", "data.gouv.fr"),
        ("propre_portail", "Notre propre portail"),
        ("aucune", "Aucune plateforme"),
    ],
    "donnees_ouvertes": [
        ("oui_toutes", "Oui, toutes les données prévues par la loi"),
        ("oui_partie", "Oui, une partie"),
        ("non", "Non"),
    ],
    "reen": [
        ("adoptee", "Adoptée"),
        ("en_cours", "En cours d'élaboration"),
        ("non", "Non"),
        ("non_concerne", "Non concernée (moins de 50 000 habitants)"),
    ],
    "mesures_vertes": [
        ("allongement", "Allonger la durée de vie des équipements"),
        ("reemploi", "Acheter du matériel reconditionné ou le donner au réemploi"),
        ("sobriete", "Réduire le stockage et les traitements inutiles"),
        ("achats", "Critères environnementaux dans les achats numériques"),
        ("sensibilisation", "Sensibiliser les agents"),
        ("mesure", "Mesurer l'empreinte environnementale du numérique"),
    ],
    "ia_usage": [
        ("deploye", "Oui, au moins une solution est déployée"),
        ("teste", "Oui, au moins une solution est en test"),
        ("prevu", "Non, mais c'est prévu dans les 12 mois"),
        ("non", "Non"),
    ],
    "ia_technologies": [
        ("chatbot", "Agent conversationnel (chatbot)"),
        ("predictif", "Analyse prédictive"),
        ("vision", "Vision par ordinateur"),
        ("langage", "Traitement automatique du langage"),
        ("parole", "Reconnaissance ou synthèse vocale"),
        ("generative", "IA générative (rédaction, synthèse)"),
    ],
    "ia_domaines": [
        ("administration", "Administration générale"),
        ("environnement", "Environnement"),
        ("mobilite", "Mobilité"),
        ("dechets", "Déchets"),
        ("securite", "Sécurité"),
        ("eau", "Eau"),
        ("restauration_scolaire", "Restauration scolaire"),
        ("social", "Action sociale"),
        ("tourisme", "Tourisme"),
        ("autre", "Autre domaine"),
    ],
    "ia_fournisseur": [
        ("interne", "Développée en interne"),
        ("editeur", "Un éditeur de logiciel"),
        ("startup", "Une jeune entreprise"),
        ("public", "Un acteur public ou une autre collectivité"),
        ("grand_groupe", "Un grand groupe du numérique"),
    ],
    "ia_freins": [
        ("cout", "Le coût"),
        ("competences", "Le manque de compétences"),
        ("confiance", "Le manque de confiance dans les résultats"),
        ("ethique", "Les questions éthiques"),
        ("donnees", "Des données insuffisantes"),
        ("environnement", "L'impact environnemental"),
        ("reglementation", "La réglementation (RGPD, règlement européen sur l'IA)"),
    ],
    "cyber_attaque_types": [
        ("rancongiciel", "Rançongiciel"),
        ("hameconnage", "Hameçonnage"),
        ("deni_service", "Déni de service"),
        ("fuite", "Fuite ou vol de données"),
        ("usurpation", "Usurpation d'identité ou fraude au président"),
        ("autre", "Autre"),
    ],
    "cyber_mesures": [
        ("sauvegardes", "Sauvegardes hors ligne testées"),
        ("mfa", "Authentification à plusieurs facteurs"),
        ("mises_a_jour", "Mises à jour régulières des systèmes"),
        ("antivirus", "Antivirus et pare-feu"),
        ("sensibilisation", "Sensibilisation des agents"),
        ("exercice", "Exercice de gestion de crise"),
        ("audit", "Audit ou test d'intrusion"),
    ],
    "cyber_accompagnement": [
        ("anssi", "L'ANSSI ou cybermalveillance.gouv.fr"),
        ("csirt", "Un CSIRT régional"),
        ("opsn", "Un opérateur public de services numériques"),
        ("prestataire", "Un prestataire privé"),
        ("aucun", "Aucun accompagnement"),
    ],
}


def q(type_: str, code: str, label: str, hint: str = "", **options) -> FormQuestion:
    """One question; `list` names its choice list (defaults to the type's usual list)."""
    choice_list = options.pop("list", "")
    if type_ == T.YES_NO_PLANNED:
        choice_list = "oui_non_prevu"
    if type_ == T.LIKERT and not choice_list:
        choice_list = "accord"
    for key in ("minimum", "maximum"):
        if key in options:
            options[key] = Decimal(str(options[key]))
    return FormQuestion(
        code=code, type=type_, label=label, hint=hint, choice_list=choice_list, **options
    )


BAROMETRE = [
    FormSection(
        "motivations",
        "Motivations et freins",
        questions=[
            q(
                T.SELECT_ONE,
                "fonction_repondant",
                "Quelle est votre fonction dans la collectivité ?",
                list="fonction",
                has_other=True,
                required=True,
            ),
            q(
                T.SELECT_ONE,
                "culture_donnee",
                "Comment jugez-vous la culture de la donnée au sein de votre collectivité ?",
                "La culture de la donnée désigne la capacité des élus et des agents à "
                "utiliser les données dans leurs décisions.",
                list="culture",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "projet_donnee_2ans",
                "Votre collectivité a-t-elle mené au moins un projet fondé sur les données "
                "au cours des deux dernières années ?",
                list="oui_non",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.INTEGER,
                "projet_donnee_nombre",
                "Combien de projets fondés sur les données avez-vous menés sur cette période ?",
                relevant="${projet_donnee_2ans} = 'oui'",
                minimum=1,
                maximum=500,
                constraint_message="Indiquez un nombre entre 1 et 500.",
            ),
            q(
                T.SELECT_ONE,
                "projet_donnee_futur",
                "Un projet fondé sur les données est-il expérimenté ou prévu pour l'an prochain ?",
                list="projet_futur",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "levier_environnement",
                "La donnée est un levier pour répondre aux enjeux environnementaux de "
                "votre territoire.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "levier_service_public",
                "La donnée permet d'améliorer le service public rendu aux habitants.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "usages_donnee",
                "Dans quels buts votre collectivité utilise-t-elle ses données ?",
                "Plusieurs réponses possibles.",
                list="usages",
            ),
            q(
                T.TEXT,
                "usages_donnee_autre",
                "Précisez l'autre usage des données.",
                relevant="selected(${usages_donnee}, 'autre')",
            ),
            q(
                T.SELECT_MULTIPLE,
                "donnees_domaines",
                "Dans quels domaines votre collectivité exploite-t-elle des données ?",
                "Plusieurs réponses possibles.",
                list="domaines",
            ),
            q(
                T.SELECT_MULTIPLE,
                "freins_donnee",
                "Quels sont les principaux freins à l'usage des données dans votre collectivité ?",
                "Trois réponses au plus.",
                list="freins",
                constraint="count-selected(.) <= 3",
                constraint_message="Choisissez trois freins au plus.",
            ),
            q(
                T.SELECT_MULTIPLE,
                "accompagnement_souhaite",
                "Quels accompagnements vous aideraient le plus ?",
                "Plusieurs réponses possibles.",
                list="accompagnement",
            ),
            q(
                T.SELECT_ONE,
                "portage_politique",
                "Un élu est-il chargé du numérique ou des données ?",
                list="oui_non",
            ),
        ],
    ),
    FormSection(
        "organisation",
        "Organisation et outils",
        questions=[
            q(
                T.INTEGER,
                "nb_agents",
                "Combien d'agents compte votre collectivité (en équivalents temps plein) ?",
                minimum=0,
                maximum=200000,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "service_numerique",
                "Votre collectivité dispose-t-elle d'un service informatique ou numérique "
                "interne ?",
                list="oui_non",
            ),
            q(
                T.DECIMAL,
                "etp_donnee",
                "Combien d'équivalents temps plein sont consacrés aux données ?",
                "Par exemple 0,5 pour un mi-temps. Indiquez 0 si personne.",
                minimum=0,
                maximum=1000,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "roles_donnee",
                "Lesquels de ces rôles existent dans votre collectivité ?",
                "Plusieurs réponses possibles.",
                list="roles",
            ),
            q(
                T.SELECT_ONE,
                "outils_donnee",
                "Votre collectivité utilise-t-elle des outils dédiés à la gestion ou à "
                "l'analyse des données ?",
                list="oui_non",
                required=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "outils_types",
                "Lesquels ?",
                "Plusieurs réponses possibles.",
                list="outils",
                relevant="${outils_donnee} = 'oui'",
            ),
            q(
                T.SELECT_ONE,
                "hebergement",
                "Où vos données sont-elles principalement hébergées ?",
                list="hebergement",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "cloud",
                "Votre collectivité utilise-t-elle des services d'informatique en nuage (cloud) ?",
                list="oui_non",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "souverainete_preference",
                "Pour vos prochains choix d'hébergement ou de logiciel, vous privilégiez :",
                list="souverainete",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "logiciel_libre",
                "Votre collectivité choisit-elle des logiciels libres ?",
                list="frequence",
                required=True,
            ),
            q(
                T.SELECT_ONE,
                "mutualisation",
                "Avec qui mutualisez-vous principalement vos moyens numériques ?",
                list="mutualisation",
            ),
            q(
                T.DECIMAL,
                "budget_numerique_part",
                "Quelle part de votre budget de fonctionnement est consacrée au numérique ?",
                "En pourcentage, par exemple 2,5.",
                minimum=0,
                maximum=100,
                allow_dont_know=True,
                allow_refusal=True,
            ),
            q(
                T.SELECT_ONE,
                "formation_agents",
                "Des agents ont-ils été formés aux données au cours de l'année écoulée ?",
                list="oui_non",
            ),
            q(
                T.SELECT_ONE,
                "formation_elus",
                "Des élus ont-ils été sensibilisés aux données au cours de l'année écoulée ?",
                list="oui_non",
            ),
        ],
    ),
    FormSection(
        "gouvernance",
        "Gouvernance des données",
        questions=[
            q(
                T.YES_NO_PLANNED,
                "gouv_regles",
                "Votre collectivité a-t-elle défini des règles de gouvernance des données ?",
                "Par exemple : qui produit, qui valide, qui diffuse chaque jeu de données.",
                required=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "gouv_documents",
                "Sous quelle forme ces règles sont-elles formalisées ?",
                "Plusieurs réponses possibles.",
                list="gouv_docs",
                relevant="${gouv_regles} = 'oui'",
            ),
            q(
                T.YES_NO_PLANNED,
                "comite_donnee",
                "Un comité de pilotage des données se réunit-il régulièrement ?",
            ),
            q(
                T.YES_NO_PLANNED,
                "inventaire_donnees",
                "Avez-vous réalisé un inventaire de vos données (catalogue) ?",
            ),
            q(
                T.SELECT_ONE,
                "registre_rgpd",
                "Votre collectivité tient-elle le registre des traitements prévu par le RGPD ?",
                list="oui_non",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "dpo_designe",
                "Un délégué à la protection des données a-t-il été désigné ?",
                list="oui_non",
            ),
            q(
                T.SELECT_ONE,
                "donnees_ouvertes",
                "Publiez-vous vos données en open data ?",
                list="donnees_ouvertes",
                allow_dont_know=True,
            ),
            q(
                T.INTEGER,
                "jeux_publies",
                "Combien de jeux de données avez-vous publiés ?",
                relevant="${donnees_ouvertes} = 'oui_toutes' or ${donnees_ouvertes} = 'oui_partie'",
                minimum=0,
                maximum=100000,
            ),
            q(
                T.SELECT_MULTIPLE,
                "plateforme_partage",
                "Sur quelles plateformes partagez-vous des données ?",
                "Plusieurs réponses possibles.",
                list="partage",
                constraint="not(selected(., 'aucune') and count-selected(.) > 1)",
                constraint_message="« Aucune plateforme » ne peut pas être combiné avec "
                "d'autres réponses.",
            ),
            q(
                T.SELECT_ONE,
                "donnees_interet_general",
                "Demandez-vous à vos délégataires les données d'intérêt général ?",
                "Par exemple les données de l'eau, des transports ou des déchets.",
                list="oui_non",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "qualite_donnees",
                "Un dispositif de contrôle de la qualité des données existe-t-il ?",
                list="oui_non",
            ),
            q(
                T.TEXT,
                "gouv_commentaire",
                "Souhaitez-vous préciser votre organisation de la gouvernance des données ?",
            ),
        ],
    ),
    FormSection(
        "environnement",
        "Numérique responsable et environnement",
        questions=[
            q(
                T.SELECT_ONE,
                "strategie_reen",
                "Avez-vous adopté une stratégie numérique responsable (loi REEN) ?",
                list="reen",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "mesures_numerique_responsable",
                "Quelles mesures de numérique responsable avez-vous prises ?",
                "Plusieurs réponses possibles.",
                list="mesures_vertes",
            ),
            q(
                T.SELECT_ONE,
                "empreinte_mesuree",
                "Avez-vous mesuré l'empreinte environnementale de votre numérique ?",
                list="oui_non",
            ),
            q(
                T.INTEGER,
                "duree_vie_postes",
                "Quelle est la durée de vie moyenne de vos postes de travail, en années ?",
                minimum=1,
                maximum=20,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "donnees_energie",
                "Suivez-vous la consommation énergétique de vos bâtiments à l'aide de données ?",
                list="oui_non",
            ),
            q(
                T.SELECT_ONE,
                "eclairage_pilote",
                "L'éclairage public est-il piloté à distance ?",
                list="oui_non",
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "impact_ia_environnement",
                "L'impact environnemental de l'IA doit peser dans le choix d'une solution.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "clauses_environnementales",
                "Vos marchés numériques comportent-ils des critères environnementaux ?",
                list="frequence",
            ),
            q(
                T.SELECT_ONE,
                "referent_numerique_responsable",
                "Un référent numérique responsable a-t-il été désigné ?",
                list="oui_non",
            ),
        ],
    ),
    FormSection(
        "ia",
        "Intelligence artificielle",
        questions=[
            q(
                T.SELECT_ONE,
                "ia_usage",
                "Votre collectivité utilise-t-elle des solutions d'intelligence artificielle ?",
                list="ia_usage",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.INTEGER,
                "ia_nombre",
                "Combien de solutions d'IA sont déployées ou en test ?",
                relevant=AI_USERS,
                minimum=1,
                maximum=200,
            ),
            q(
                T.SELECT_MULTIPLE,
                "ia_technologies",
                "Quelles technologies d'IA utilisez-vous ?",
                "Plusieurs réponses possibles.",
                list="ia_technologies",
                relevant=AI_USERS,
            ),
            q(
                T.SELECT_MULTIPLE,
                "ia_domaines",
                "Dans quels domaines ces solutions d'IA sont-elles utilisées ?",
                "Plusieurs réponses possibles.",
                list="ia_domaines",
                relevant=AI_USERS,
            ),
            q(
                T.SELECT_ONE,
                "ia_fournisseur",
                "Qui fournit principalement ces solutions ?",
                list="ia_fournisseur",
                relevant=AI_USERS,
            ),
            q(
                T.SELECT_ONE,
                "ia_generative_agents",
                "Vos agents utilisent-ils des outils d'IA générative dans leur travail ?",
                list="oui_non",
                allow_dont_know=True,
            ),
            q(
                T.YES_NO_PLANNED,
                "ia_doctrine_usage",
                "Avez-vous fixé des règles d'usage de l'IA générative pour les agents ?",
            ),
            q(
                T.YES_NO_PLANNED,
                "charte_ethique_ia",
                "Votre collectivité a-t-elle adopté une charte éthique de l'IA ?",
                required=True,
            ),
            q(
                T.YES_NO_PLANNED,
                "registre_ia",
                "Tenez-vous un registre public de vos systèmes d'IA et algorithmes ?",
            ),
            q(
                T.SELECT_ONE,
                "ia_aipd",
                "Une analyse d'impact relative à la protection des données a-t-elle été "
                "menée pour ces solutions ?",
                list="oui_non",
                relevant=AI_USERS,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "ia_information_usagers",
                "Les usagers sont-ils informés lorsqu'une décision les concernant s'appuie "
                "sur un algorithme ?",
                list="oui_non",
                relevant=AI_USERS,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "ia_freins",
                "Qu'est-ce qui freine le recours à l'IA dans votre collectivité ?",
                "Plusieurs réponses possibles.",
                list="ia_freins",
            ),
            q(
                T.LIKERT,
                "ia_opportunite",
                "L'IA est une opportunité pour le service public local.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "ia_transformation_metiers",
                "L'IA va transformer les métiers des agents de votre collectivité.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.DECIMAL,
                "ia_budget",
                "Quel budget annuel consacrez-vous à l'IA, en milliers d'euros ?",
                relevant=AI_USERS,
                minimum=0,
                maximum=100000,
                allow_dont_know=True,
                allow_refusal=True,
            ),
        ],
    ),
    FormSection(
        "cybersecurite",
        "Cybersécurité",
        questions=[
            q(
                T.SELECT_ONE,
                "cyber_attaque",
                "Votre collectivité a-t-elle subi une cyberattaque au cours des douze "
                "derniers mois ?",
                list="oui_non",
                required=True,
                allow_dont_know=True,
                allow_refusal=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "cyber_attaque_types",
                "De quel type d'attaque s'agissait-il ?",
                "Plusieurs réponses possibles.",
                list="cyber_attaque_types",
                relevant="${cyber_attaque} = 'oui'",
            ),
            q(
                T.INTEGER,
                "cyber_interruption_jours",
                "Pendant combien de jours vos services ont-ils été perturbés ?",
                relevant="${cyber_attaque} = 'oui'",
                minimum=0,
                maximum=365,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "cyber_plainte",
                "Une plainte a-t-elle été déposée ?",
                list="oui_non",
                relevant="${cyber_attaque} = 'oui'",
            ),
            q(
                T.YES_NO_PLANNED,
                "cyber_strategie",
                "Votre collectivité dispose-t-elle d'une stratégie de sécurité des systèmes "
                "d'information ?",
                required=True,
            ),
            q(
                T.SELECT_ONE,
                "cyber_iso27001",
                "Votre collectivité est-elle certifiée ISO 27001 ?",
                list="oui_non",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "cyber_rssi",
                "Un responsable de la sécurité des systèmes d'information est-il désigné ?",
                list="oui_non",
            ),
            q(
                T.SELECT_MULTIPLE,
                "cyber_mesures",
                "Quelles mesures de sécurité avez-vous mises en place ?",
                "Plusieurs réponses possibles.",
                list="cyber_mesures",
            ),
            q(
                T.YES_NO_PLANNED,
                "cyber_plan_continuite",
                "Disposez-vous d'un plan de continuité ou de reprise d'activité ?",
            ),
            q(
                T.SELECT_ONE,
                "cyber_assurance",
                "Votre collectivité a-t-elle souscrit une assurance contre les risques cyber ?",
                list="oui_non",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "cyber_accompagnement",
                "Qui vous accompagne principalement en cybersécurité ?",
                list="cyber_accompagnement",
            ),
            q(
                T.LIKERT,
                "cyber_niveau_suffisant",
                "Le niveau de sécurité de votre collectivité est suffisant face aux menaces "
                "actuelles.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.DATE,
                "date_reponse",
                "À quelle date avez-vous complété ce questionnaire ?",
            ),
            q(
                T.NOTE,
                "merci",
                "Merci pour votre participation. Relisez vos réponses avant de les envoyer.",
            ),
        ],
    ),
]

REGIONS = [
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
]

CITOYENS_LISTS: dict[str, list[tuple[str, str]]] = {
    "oui_non": LISTS["oui_non"],
    "accord": LISTS["accord"],
    "sexe": [("femme", "Femme"), ("homme", "Homme")],
    "age": [
        ("18_24", "18 à 24 ans"),
        ("25_34", "25 à 34 ans"),
        ("35_49", "35 à 49 ans"),
        ("50_64", "50 à 64 ans"),
        ("65_plus", "65 ans et plus"),
    ],
    "region": REGIONS,
    "occupation": [
        ("agriculteur", "Agriculteur exploitant"),
        ("artisan", "Artisan, commerçant, chef d'entreprise"),
        ("cadre", "Cadre, profession intellectuelle supérieure"),
        ("intermediaire", "Profession intermédiaire"),
        ("employe", "Employé"),
        ("ouvrier", "Ouvrier"),
        ("retraite", "Retraité"),
        ("autre_inactif", "Autre personne sans activité professionnelle"),
    ],
    "frequence_ia": [
        ("quotidien", "Tous les jours ou presque"),
        ("hebdomadaire", "Au moins une fois par semaine"),
        ("rarement", "Plus rarement"),
        ("jamais", "Jamais"),
    ],
    "attentes": [
        ("rapidite", "Des réponses plus rapides"),
        ("horaires", "Un service accessible à toute heure"),
        ("humain", "Garder un interlocuteur humain"),
        ("simplicite", "Des démarches plus simples"),
        ("transparence", "Savoir comment les décisions sont prises"),
        ("protection", "La protection de mes données personnelles"),
        ("economies", "Des économies d'argent public"),
    ],
    "usages_acceptes": [
        ("demarches", "Répondre aux questions sur les démarches"),
        ("circulation", "Réguler la circulation"),
        ("eclairage", "Optimiser l'éclairage public"),
        ("fuites", "Détecter les fuites d'eau"),
        ("cantine", "Prévoir les repas des cantines"),
        ("surveillance", "Analyser les images de vidéoprotection"),
        ("aides", "Aider à l'attribution des aides sociales"),
    ],
}

CITOYENS = [
    FormSection(
        "profil",
        "Vous",
        questions=[
            q(T.SELECT_ONE, "sexe", "Vous êtes :", list="sexe", required=True),
            q(T.SELECT_ONE, "age", "Quel est votre âge ?", list="age", required=True),
            q(
                T.SELECT_ONE,
                "region",
                "Dans quelle région habitez-vous ?",
                list="region",
                required=True,
            ),
            q(
                T.SELECT_ONE,
                "occupation",
                "Quelle est votre profession ou situation ?",
                list="occupation",
                required=True,
                allow_refusal=True,
            ),
        ],
    ),
    FormSection(
        "opinions",
        "L'intelligence artificielle et le service public",
        questions=[
            q(
                T.SELECT_ONE,
                "usage_ia_perso",
                "À quelle fréquence utilisez-vous des outils d'intelligence artificielle "
                "(ChatGPT, Le Chat, assistants vocaux…) ?",
                list="frequence_ia",
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "ia_menace_emploi",
                "L'intelligence artificielle est une menace pour l'emploi.",
                "Indiquez votre degré d'accord.",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "confiance_ia",
                "Seriez-vous prêt à faire confiance à une intelligence artificielle pour "
                "traiter une démarche administrative ?",
                list="oui_non",
                required=True,
                allow_dont_know=True,
            ),
            q(
                T.SELECT_MULTIPLE,
                "attentes_service_public",
                "Qu'attendez-vous avant tout de votre mairie ou de votre intercommunalité ?",
                "Trois réponses au plus.",
                list="attentes",
                constraint="count-selected(.) <= 3",
                constraint_message="Choisissez trois réponses au plus.",
            ),
            q(
                T.SELECT_MULTIPLE,
                "ia_usages_acceptes",
                "Pour quels usages accepteriez-vous que votre collectivité utilise l'IA ?",
                "Plusieurs réponses possibles.",
                list="usages_acceptes",
            ),
            q(
                T.LIKERT,
                "ia_information",
                "Votre collectivité devrait publier la liste des algorithmes qu'elle utilise.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.LIKERT,
                "donnees_confiance_collectivite",
                "Vous faites confiance à votre collectivité pour protéger vos données "
                "personnelles.",
                "Indiquez votre degré d'accord.",
                allow_dont_know=True,
            ),
            q(
                T.SELECT_ONE,
                "victime_cyber",
                "Avez-vous été victime d'une arnaque ou d'un piratage en ligne au cours des "
                "douze derniers mois ?",
                list="oui_non",
                allow_refusal=True,
            ),
        ],
    ),
]


def choices(lists: dict[str, list[tuple[str, str]]]) -> list[FormChoice]:
    return [
        FormChoice(name, value, label) for name, items in lists.items() for value, label in items
    ]


FORMS = {
    "barometre.xlsx": FormDefinition(
        title="Baromètre data, IA et cybersécurité des territoires",
        form_id="barometre",
        version=1,
        sections=BAROMETRE,
        choices=choices(LISTS),
    ),
    "citoyens.xlsx": FormDefinition(
        title="Sondage citoyen : l'intelligence artificielle et le service public local",
        form_id="citoyens",
        version=1,
        sections=CITOYENS,
        choices=choices(CITOYENS_LISTS),
    ),
}


def main() -> None:
    for filename, form in FORMS.items():
        (XLSFORMS / filename).write_bytes(write_xlsform(form))
        print(f"{filename} : {len(form.questions())} questions")


if __name__ == "__main__":
    main()
