"""The demo's responses, exported then re-imported: nothing rejected, nothing changed.

The 12 régions share their INSEE codes with départements and have no SIREN in the demo:
they are matched on (kind, code), the kind being a column of the export.
"""

import pytest

from observatoire.questionnaires.models import Questionnaire, Response
from observatoire.questionnaires.services import importers
from observatoire.territoires.choices import Kind

pytestmark = pytest.mark.django_db


def test_demo_responses_export_then_reimport_changes_nothing(demo_module):
    """Every demo questionnaire (authorities and citizens): the real import of its own
    export rejects no line, creates and updates no response, and leaves the answers as
    they were; the régions are among the lines."""
    questionnaires = list(Questionnaire.objects.all())
    assert len(questionnaires) >= 2
    regions = Response.objects.filter(authority__kind=Kind.REGION)
    assert regions.exists() and not regions.exclude(authority__siren="").exists()
    before = dict(Response.objects.values_list("pk", "answers"))
    for questionnaire in questionnaires:
        data = importers.export_responses_csv(questionnaire).encode()
        report = importers.import_responses(data, questionnaire, "kobo", by=None, dry_run=False)
        assert report.rejected == [], questionnaire.code
        assert (report.created, report.updated) == ([], []), questionnaire.code
        assert len(report.unchanged) == questionnaire.responses.count() > 0
    assert dict(Response.objects.values_list("pk", "answers")) == before
