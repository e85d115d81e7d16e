"""Embargo: an edition published for a chosen date is invisible before it (pages, API, open
data, PDF), except to analysts who see the public pages as a marked preview."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from observatoire.barometre import services
from observatoire.barometre.factories import make_edition
from observatoire.barometre.tests.test_manage import FILE, SAMPLE, ia_answers
from observatoire.conftest import PERSONAS

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/barometre/{code}/",
    "/barometre/{code}/theme/ia/",
    "/barometre/{code}/indicateur/ia_deployee/",
    "/barometre/{code}/indicateur/ia_deployee/vega-lite.json",
    "/barometre/{code}/comparer/",
    "/barometre/{code}/methode/",
    "/barometre/{code}/version/1/",
    "/barometre/{code}/donnees/resultats.csv",
    "/barometre/{code}/donnees/datapackage.json",
    "/barometre/{code}/donnees/microdonnees.csv",
    "/barometre/{code}/rapport/statut/",
    "/api/v1/barometre/editions/{code}/results",
]


def embargoed(users, hours=2):
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    services.publish_edition(
        edition, by=users["analyst"], embargo_until=timezone.now() + timedelta(hours=hours)
    )
    return edition


@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_is_public_before_the_embargo_but_analysts_preview(client_for, users, persona):
    """Before the date every public URL is a 404 and the edition is absent from the lists
    (pages and API); an analyst gets the pages, marked as a preview."""
    edition = embargoed(users)
    client = client_for(persona)
    for template in PUBLIC_URLS:
        url = template.format(code=edition.code)
        status = client.get(url).status_code
        if persona == "analyst" and not url.startswith("/api/"):
            assert status == 200, url
        else:
            assert status == 404, url
    listed = f"/barometre/{edition.code}/" in client.get("/barometre/").content.decode()
    assert listed == (persona == "analyst")
    api_codes = [e["code"] for e in client.get("/api/v1/barometre/editions").json()]
    assert edition.code not in api_codes
    if persona == "analyst":
        note = client.get(f"/barometre/{edition.code}/").content.decode()
        assert "Aperçu sous embargo." in note and "seuls les analystes la voient" in note


def test_the_edition_is_public_once_the_embargo_has_passed(client, users):
    """At the chosen time the edition appears for everyone, with no preview banner."""
    edition = embargoed(users)
    edition.embargo_until = timezone.now() - timedelta(minutes=1)
    edition.save()
    page = client.get(f"/barometre/{edition.code}/")
    assert page.status_code == 200 and "Aperçu sous embargo" not in page.content.decode()
    assert client.get(f"/api/v1/barometre/editions/{edition.code}/results").status_code == 200


def test_embargo_must_be_in_the_future_and_only_before_the_edition_is_public(users):
    """A past date is refused; an edition already public cannot be put back under embargo;
    a refused publication writes nothing."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    with pytest.raises(ValidationError, match="dans le futur"):
        services.publish_edition(edition, embargo_until=timezone.now() - timedelta(hours=1))
    edition.refresh_from_db()
    assert edition.published_version == 0
    services.publish_edition(edition)
    with pytest.raises(ValidationError, match="déjà publique"):
        services.publish_edition(
            edition, note="Correction", embargo_until=timezone.now() + timedelta(days=1)
        )
    edition.refresh_from_db()
    assert (edition.published_version, edition.embargo_until) == (1, None)


def test_analyst_publishes_under_embargo_from_the_management_page(client_for, users):
    """The publish form takes a date and time; the message says until when."""
    edition = make_edition(SAMPLE, answers=ia_answers)
    services.update_indicators(edition, FILE, by=users["analyst"])
    services.weight_edition(edition)
    when = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    page = client_for("analyst").post(
        f"/barometre/{edition.code}/gestion/publier/",
        {"note": "", "embargo_until": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "Version 1 publiée. Sous embargo jusqu’au" in page.content.decode()
    edition.refresh_from_db()
    assert edition.embargo_until == when and edition.is_embargoed
