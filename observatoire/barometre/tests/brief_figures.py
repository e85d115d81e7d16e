"""The BRIEF's table of published figures, as (edition, indicator, category, domain, level,
value): what the demo must reproduce through the weighted pipeline (within one point).

Notes: the AI ethics charter figures (source 002) date from 2025 and are carried by the 2024
edition, the latest demo edition; "+10 points" and "+12 points" are checked as changes.
"""

BRIEF = [
    ("barometre-2022", "culture_bonne_correcte", "", "taille", "plus_3500", 0.40),
    ("barometre-2023", "culture_bonne_correcte", "", "taille", "plus_3500", 0.46),
    ("barometre-2024", "culture_bonne_correcte", "", "taille", "plus_3500", 0.53),
    ("barometre-2024", "gouv_documents_any", "", "", "", 0.31),
    ("barometre-2024", "projet_donnee_futur", "", "", "", 0.59),
    ("barometre-2024", "levier_environnement", "", "", "", 0.92),
    ("barometre-2024", "usages_donnee", "qualite_service", "", "", 0.73),
    ("barometre-2024", "usages_donnee", "transparence", "", "", 0.59),
    ("barometre-2024", "usages_donnee", "pilotage", "", "", 0.56),
    ("barometre-2024", "usages_donnee", "economies", "", "", 0.45),
    ("barometre-2024", "ia_usage", "fait", "", "", 0.36),
    ("barometre-2024", "ia_usage", "prevu", "", "", 0.15),
    ("barometre-2024", "ia_domaines", "administration", "", "", 0.29),
    ("barometre-2024", "ia_domaines", "environnement", "", "", 0.14),
    ("barometre-2024", "ia_domaines", "mobilite", "", "", 0.12),
    ("barometre-2024", "ia_domaines", "dechets", "", "", 0.12),
    ("barometre-2024", "ia_domaines", "securite", "", "", 0.12),
    ("barometre-2023", "gouv_regles", "fait", "", "", 0.38),
    ("barometre-2023", "gouv_regles", "prevu", "", "", 0.34),
    ("barometre-2023", "ia_usage", "fait", "", "", 0.27),
    ("barometre-2023", "ia_technologies", "chatbot", "", "", 0.43),
    ("barometre-2023", "ia_technologies", "predictif", "", "", 0.34),
    ("barometre-2023", "cyber_attaque", "", "", "", 0.21),
    ("barometre-2023", "cyber_strategie", "fait", "", "", 0.62),
    ("barometre-2023", "cyber_iso27001", "", "", "", 0.05),
    ("barometre-2023", "cloud", "", "", "", 0.13),
    ("barometre-2023", "outils_donnee", "", "", "", 0.57),
    ("barometre-2023", "outils_donnee", "", "type", "commune", 0.17),
    ("barometre-2023", "logiciel_libre_systematique", "", "", "", 0.15),
    ("barometre-2024", "charte_ethique_ia", "fait", "", "", 0.03),
    ("barometre-2024", "charte_ethique_ia", "prevu", "", "", 0.18),
    ("sondage-citoyens-2024", "ia_menace_emploi", "", "", "", 0.62),
    ("sondage-citoyens-2024", "confiance_ia", "", "", "", 0.33),
    ("barometre-2022", "projet_donnee_2ans", "", "", "", 0.41),
    ("barometre-2024", "projet_donnee_2ans", "", "", "", 0.65),
    ("barometre-2022", "projet_donnee_2ans", "", "taille", "moins_3500", 0.07),
    ("barometre-2024", "projet_donnee_2ans", "", "taille", "moins_3500", 0.42),
    ("barometre-2023", "donnees_domaines", "energie_eclairage", "", "", 0.44),
    ("barometre-2024", "donnees_domaines", "energie_eclairage", "", "", 0.58),
    ("barometre-2024", "donnees_domaines", "mobilite", "", "", 0.55),
    ("barometre-2024", "donnees_domaines", "eau", "", "", 0.46),
    ("barometre-2024", "donnees_domaines", "dechets", "", "", 0.40),
    ("barometre-2022", "gouv_regles", "fait", "taille", "plus_3500", 0.29),
    ("barometre-2024", "gouv_regles", "fait", "taille", "plus_3500", 0.31),
    ("barometre-2024", "gouv_documents", "guides", "taille", "plus_3500", 0.61),
    ("barometre-2024", "gouv_documents", "clauses", "taille", "plus_3500", 0.58),
    ("barometre-2024", "gouv_documents", "charte", "taille", "plus_3500", 0.24),
    ("barometre-2024", "hebergement", "serveurs_propres", "", "", 0.63),
]
# Edition-to-edition changes the sources quote (in proportion points).
BRIEF_CHANGES = [
    ("barometre-2023", "gouv_regles", "fait", "", "", 0.10),
    ("barometre-2023", "ia_usage", "fait", "", "", 0.12),
]
# "secure cloud ≤ 5 %" (2024)
BRIEF_AT_MOST = [("barometre-2024", "hebergement", "cloud_securise", "", "", 0.05)]
