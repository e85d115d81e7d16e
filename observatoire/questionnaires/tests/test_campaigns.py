"""The analyst's campaign: sample, invitations, reminders, live response rates."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from observatoire.conftest import PERSONAS
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Questionnaire, SampleMember
from observatoire.questionnaires.services import campaigns, collection
from observatoire.questionnaires.services.importers import ImportRejected
from observatoire.territoires.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db):
    return small_questionnaire()


def test_sample_from_strata_and_siren_list(questionnaire, users, authority_a, authority_b):
    """Strata add all their authorities once; a SIREN list adds the named ones."""
    AuthorityFactory(population=1_200)  # a small commune
    added = campaigns.add_strata_to_sample(questionnaire, ["commune_lt_3500"], by=users["analyst"])
    assert added == 1
    data = b"siren\n217804905\n212500565\n"
    assert campaigns.add_sirens_to_sample(questionnaire, data, by=users["analyst"]) == 2
    assert campaigns.add_sirens_to_sample(questionnaire, data, by=users["analyst"]) == 0
    assert questionnaire.sample.count() == 3


def test_siren_list_with_an_unknown_code_changes_nothing(questionnaire, users, authority_a):
    """An unknown SIREN is named with its line, and no authority is added."""
    with pytest.raises(ImportRejected, match="Ligne 3, colonne « siren » : aucune collectivité"):
        campaigns.add_sirens_to_sample(
            questionnaire, b"siren\n217804905\n999999999\n", by=users["analyst"]
        )
    assert not SampleMember.objects.exists()


def test_invitations_then_reminders_to_non_respondents(questionnaire, users, authority_b):
    """Référents are invited once; only those who have not submitted are reminded."""
    campaigns.add_sirens_to_sample(questionnaire, b"217804905\n212500565\n", by=users["analyst"])
    mailing = campaigns.send_invitations(questionnaire, by=users["analyst"])
    assert mailing.sent == 2 and len(mail.outbox) == 2
    recipients = [address for message in mail.outbox for address in message.to]
    assert users["referent_a"].email in recipients and users["referent_b"].email in recipients
    assert campaigns.send_invitations(questionnaire, by=users["analyst"]).sent == 0

    response = collection.start_response(questionnaire, authority_b, by=None)
    collection.save_answers(response, {"ia_usage": "non", "cyber_strategie": "oui"}, by=None)
    collection.submit_response(response, by=None)
    mail.outbox.clear()
    assert campaigns.send_reminders(questionnaire, by=users["analyst"]).sent == 1
    assert mail.outbox[0].subject.startswith("Relance")
    assert users["referent_b"].email not in mail.outbox[0].to

    rates = {r.stratum: r for r in campaigns.response_rates(questionnaire)}
    assert (rates["commune_10000_100000"].sample, rates["commune_10000_100000"].rate) == (1, 0)
    assert (rates["commune_gt_100000"].submitted, rates["commune_gt_100000"].rate) == (1, 1.0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_campaign_pages_are_for_analysts(questionnaire, client_for, persona):
    """Dashboard, rates fragment and campaign actions: analysts only."""
    client = client_for(persona)
    code = questionnaire.code
    pages = [
        client.get(reverse("questionnaires:campaign", args=[code])),
        client.get(reverse("questionnaires:rates", args=[code])),
        client.post(reverse("questionnaires:invite", args=[code])),
        client.post(reverse("questionnaires:remind", args=[code])),
        client.post(
            reverse("questionnaires:sample", args=[code]),
            {"sirens": SimpleUploadedFile("s.csv", b"siren\n217804905\n")},
        ),
    ]
    expected = {"anonymous": 302, "analyst": None}.get(persona, 403)
    if expected is None:
        assert [p.status_code for p in pages] == [200, 200, 302, 302, 302]
        assert SampleMember.objects.count() == 1
    else:
        assert {p.status_code for p in pages} == {expected}
        assert not SampleMember.objects.exists()


def test_dashboard_shows_rates_as_table_and_chart(questionnaire, client_for, users):
    """The rate per stratum appears in the table and as an SVG bar with its text value."""
    campaigns.add_sirens_to_sample(questionnaire, b"217804905\n", by=users["analyst"])
    page = client_for("analyst").get(reverse("questionnaires:campaign", args=[questionnaire.code]))
    html = page.content.decode()
    assert "Communes de 10 000 à 100 000 habitants" in html
    assert '<svg role="img"' in html and "0 %" in html


def test_command_loads_editions_idempotently(capsys):
    """`observatoire questionnaires load 2024` twice creates one questionnaire."""
    call_command("questionnaires", "load", "2024")
    call_command("questionnaires", "load", "2024")
    assert Questionnaire.objects.filter(code="barometre-2024").count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_analyst_creates_a_questionnaire_from_xlsform_then_its_next_edition(
    questionnaire, client_for, persona
):
    """Upload an XLSForm (errors listed in French), then start the next edition as a copy."""
    from observatoire.questionnaires.services import export_xlsform

    client = client_for(persona)
    content = export_xlsform(questionnaire)
    upload = SimpleUploadedFile("f.xlsx", content)
    data = {"file": upload, "code": "essai-2025", "year": 2025, "population": "authorities",
            "title": "Essai 2025"}  # fmt: skip
    created = client.post(reverse("questionnaires:create"), data)
    copied = client.post(
        reverse("questionnaires:new_edition", args=[questionnaire.code]), {"year": 2026}
    )
    if persona != "analyst":
        assert {created.status_code, copied.status_code} == {302 if persona == "anonymous" else 403}
        assert Questionnaire.objects.count() == 1
        return
    assert created.status_code == 302 and copied.status_code == 302
    assert Questionnaire.objects.get(code="essai-2026").previous == questionnaire
    assert Questionnaire.objects.get(code="essai-2025").questions.count() == 5
    assert Questionnaire.objects.get(code="essai-2025").title == "Essai 2025"
    refused = client.post(
        reverse("questionnaires:create"),
        {"file": SimpleUploadedFile("f.xlsx", b"rien"), "code": "x", "year": 2025,
         "population": "authorities", "title": "X"},
    )  # fmt: skip
    assert "pas un classeur XLSForm lisible" in refused.content.decode()


def test_only_the_current_edition_can_be_started(questionnaire, client_for):
    """Once a newer edition exists, référents can no longer start the older one."""
    from observatoire.questionnaires.services import new_edition

    new_edition(questionnaire, year=2025)
    client = client_for("referent_a")
    assert client.post(reverse("questionnaires:start", args=["essai-2024"])).status_code == 403
    assert client.post(reverse("questionnaires:start", args=["essai-2025"])).status_code == 302


def test_contact_without_referent_gets_an_account_invitation(questionnaire, users):
    """An authority with no référent is invited through the e-mail given in the SIREN list."""
    AuthorityFactory(siren="200000172", name="Saint-Savin", population=1_000)
    data = b"siren;email\n200000172;mairie@saint-savin.example\n"
    campaigns.add_sirens_to_sample(questionnaire, data, by=users["analyst"])
    assert campaigns.send_invitations(questionnaire, by=users["analyst"]).sent == 1
    assert mail.outbox[0].to == ["mairie@saint-savin.example"]
    assert "/comptes/" in mail.outbox[0].body


def test_chart_bar_widths_are_svg_numbers_not_french_decimals(
    questionnaire, client_for, users, authority_a
):
    """A one-in-three rate draws a 133.3-unit bar: "133,3" is not an SVG length and the
    bar vanished from the French page."""
    from observatoire.questionnaires.models import Response

    for code, siren in [("78001", "217800010"), ("78002", "217800028")]:
        AuthorityFactory(code=code, siren=siren, population=authority_a.population)
    sirens = b"217804905\n217800010\n217800028\n"
    campaigns.add_sirens_to_sample(questionnaire, sirens, by=users["analyst"])
    Response.objects.create(
        questionnaire=questionnaire,
        questionnaire_version=1,
        authority=authority_a,
        status="submitted",
    )
    url = reverse("questionnaires:campaign", args=[questionnaire.code])
    html = client_for("analyst").get(url).content.decode()
    assert 'width="133.3"' in html and "133,3" not in html
