import io

import pytest
from django.db import connection

from observatoire.barometre import demo
from observatoire.barometre.models import Edition
from observatoire.core.models import AuditEvent
from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.territoires import services as territoires
from observatoire.territoires.models import Authority, UniverseCount


def wipe_demo() -> None:
    """Remove what the module fixture committed (raw deletes: 36,000 authorities)."""
    Edition.objects.all().delete()
    Response.objects.all().delete()
    Questionnaire.objects.all().delete()
    with connection.cursor() as cursor:
        for model in (UniverseCount, AuditEvent, Authority):
            if model is Authority:
                cursor.execute(f"UPDATE {model._meta.db_table} SET epci_id = NULL")
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The 2024 universe and the demo, loaded once for a module's read-only tests."""
    with django_db_blocker.unblock():
        territoires.import_vintage(2024)
        demo.load(io.StringIO())
    yield
    with django_db_blocker.unblock():
        wipe_demo()
