"""French summaries of the API's operations, for the documentation page (/api/v1/docs).

Operations that set `summary=` in their router keep it; the others would show ninja's
default, their function's English name ("List Cases").
"""

SUMMARIES = {
    "search_authorities": "Chercher une collectivité (nom, code INSEE ou SIREN)",
    "list_questionnaires": "Questionnaires et éditions",
    "get_questionnaire": "Un questionnaire, ses sections et ses questions",
    "list_responses": "Réponses à un questionnaire (analystes)",
    "start_response": "Commencer la réponse de sa collectivité",
    "get_response": "Une réponse",
    "save_answers": "Enregistrer des réponses",
    "submit": "Envoyer une réponse",
    "import_file": "Importer des réponses (LimeSurvey, KoboToolbox)",
    "list_editions": "Éditions du baromètre",
    "edition_results": "Résultats publiés d'une édition",
    "explorer_variables": "Variables de l'explorateur",
    "explorer_table": "Tableau croisé de l'explorateur",
    "explorer_table_analyst": "Tableau croisé de l'explorateur, version analyste",
    "list_cases": "Cas d'usage publiés",
    "propose_case": "Proposer un cas d'usage",
    "get_case": "Un cas d'usage",
    "update_case": "Modifier un cas d'usage",
    "moderate_case": "Modérer un cas d'usage (analystes)",
    "declare_adoption": "« Nous aussi » : déclarer un projet semblable",
    "list_runs": "Autodiagnostics de sa collectivité",
    "get_run": "Un autodiagnostic",
}


def add_french_summaries(api) -> None:
    """Give each operation without a summary its French one from SUMMARIES."""
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                name = operation.view_func.__name__
                if operation.summary == name.title().replace("_", " "):  # ninja's default
                    operation.summary = SUMMARIES.get(name, operation.summary)
