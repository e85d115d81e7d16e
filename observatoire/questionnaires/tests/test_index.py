"""The référent's list of questionnaires."""

import pytest

from observatoire.questionnaires.choices import ResponseStatus
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services import collection

pytestmark = pytest.mark.django_db


def test_states_are_written_alike(client_for, authority_a):
    """« Brouillon » and « Envoyée » start with a capital, like « Pas commencée »."""
    response = collection.start_response(small_questionnaire(), authority_a, by=None)
    client = client_for("referent_a")
    assert "<td>Brouillon</td>" in client.get("/questionnaires/").content.decode()
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.SUBMITTED)
    assert "<td>Envoyée</td>" in client.get("/questionnaires/").content.decode()


@pytest.mark.parametrize(
    ("persona", "heading"),
    [("referent_a", "Relecture de vos réponses"), ("analyst", "Réponses de Plaisir")],
)
def test_review_heading_fits_the_reader(client_for, authority_a, persona, heading):
    """The référent reviews « vos réponses »; an analyst reads the authority's answers."""
    response = collection.start_response(small_questionnaire(), authority_a, by=None)
    html = client_for(persona).get(f"/questionnaires/reponses/{response.pk}/relecture/").text
    assert f"<h1>{heading}" in html
