from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "observatoire.questionnaires"
    verbose_name = "Questionnaires"
