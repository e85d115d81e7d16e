"""Each notification goes once to the right people, and not to who switched it off."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from observatoire.accounts.choices import NotificationKind as Kind
from observatoire.accounts.models import NotificationOptOut
from observatoire.cas_usage import services as cases
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.services import campaigns
from observatoire.registre import services as register
from observatoire.registre.factories import EntryFactory
from observatoire.registre.models import Entry

pytestmark = pytest.mark.django_db
CLASSIFIED = {"ai_act_level": "minimal", "ai_act_answers": {"is_ai_system": True}}
CASE = {
    "title": "Capteurs de fuites",
    "summary": "Résumé.",
    "domain": "eau",
    "technology": "predictif",
    "stage": "experimentation",
}


def sent_to() -> list[str]:
    """Every recipient of every message, a recipient listed once per message."""
    return sorted(address for message in mail.outbox for address in message.to)


def off(user, kind) -> None:
    NotificationOptOut.objects.create(user=user, kind=kind)


def test_entry_submitted_goes_to_the_other_referents_only(users, authority_a):
    """Submitting tells the authority's other référent, not the submitter nor another
    authority's référent; published then tells the submitter."""
    entry = EntryFactory(authority=authority_a, **CLASSIFIED)
    register.submit_entry(entry, by=users["referent_a"])
    assert sent_to() == [users["colleague_a"].email]
    assert "Fiche à relire" in mail.outbox[0].subject
    mail.outbox.clear()
    register.approve_entry(entry, by=users["colleague_a"])
    assert sent_to() == [users["referent_a"].email]
    assert "Fiche publiée" in mail.outbox[0].subject


def test_entry_sent_back_tells_its_submitter(users, authority_a):
    """Sent back to draft by a colleague: the submitter is told, with the reason."""
    entry = EntryFactory(authority=authority_a, **CLASSIFIED)
    register.submit_entry(entry, by=users["referent_a"])
    mail.outbox.clear()
    register.return_to_draft(entry, by=users["colleague_a"], reason="Préciser les données.")
    assert sent_to() == [users["referent_a"].email]
    assert "Préciser les données." in mail.outbox[0].body


def test_switched_off_entry_notifications_send_nothing(users, authority_a):
    """A colleague who switched reviews off gets nothing; nor does a submitter who
    switched decisions off."""
    off(users["colleague_a"], Kind.ENTRY_SUBMITTED)
    off(users["referent_a"], Kind.ENTRY_DECIDED)
    entry = EntryFactory(authority=authority_a, **CLASSIFIED)
    register.submit_entry(entry, by=users["referent_a"])
    register.approve_entry(entry, by=users["colleague_a"])
    assert mail.outbox == []


def test_case_proposed_to_analysts_then_decision_to_its_author(users):
    """A proposal goes to each analyst once; the decision goes to its author."""
    case = cases.propose_case(CASE, by=users["referent_a"])
    assert sent_to() == [users["analyst"].email]
    mail.outbox.clear()
    cases.moderate_case(case, "reject", "Hors sujet.", by=users["analyst"])
    assert sent_to() == [users["referent_a"].email]
    assert "Hors sujet." in mail.outbox[0].body


def test_switched_off_case_notifications_send_nothing(users):
    """Analysts who switched proposals off, an author who switched decisions off: none."""
    off(users["analyst"], Kind.CASE_PROPOSED)
    off(users["referent_a"], Kind.CASE_MODERATED)
    case = cases.propose_case(CASE, by=users["referent_a"])
    cases.moderate_case(case, "accept", by=users["analyst"])
    assert mail.outbox == []


def test_review_reminder_skips_who_switched_it_off(users, authority_a):
    """The register's review reminder goes to the référents that keep it on and to the
    entry's contact address, not to a référent who switched it off — even when that
    référent's address is also the entry's contact."""
    entry = EntryFactory(authority=authority_a, **CLASSIFIED)
    register.submit_entry(entry, by=users["referent_a"])
    register.approve_entry(entry, by=users["colleague_a"])
    off(users["colleague_a"], Kind.REVIEW_DUE)
    mail.outbox.clear()
    Entry.objects.filter(pk=entry.pk).update(review_date=datetime.date(2026, 1, 1))
    assert register.send_review_reminders(datetime.date(2026, 1, 2)) == 1
    assert sent_to() == sorted([users["referent_a"].email, entry.contact_email])
    assert "Réexamen de la fiche" in mail.outbox[0].subject

    mail.outbox.clear()
    Entry.objects.filter(pk=entry.pk).update(
        reminded_at=None, contact_email=users["colleague_a"].email
    )
    off(users["referent_a"], Kind.REVIEW_DUE)
    assert register.send_review_reminders(datetime.date(2026, 1, 2)) == 1
    assert mail.outbox == []


def test_reminder_skips_who_switched_it_off_and_says_why(users, authority_a, authority_b):
    """A reminder goes once to each référent that keeps reminders on; an authority whose
    référents all switched them off is counted, and the summary says why nothing went."""
    questionnaire = small_questionnaire()
    campaigns.add_sirens_to_sample(questionnaire, b"217804905\n212500565\n", by=users["analyst"])
    campaigns.send_invitations(questionnaire, by=users["analyst"])
    mail.outbox.clear()
    off(users["colleague_a"], Kind.CAMPAIGN_REMINDER)
    off(users["referent_b"], Kind.CAMPAIGN_REMINDER)
    mailing = campaigns.send_reminders(questionnaire, by=users["analyst"])
    assert sent_to() == [users["referent_a"].email]
    assert (mailing.sent, mailing.without_contact, mailing.opted_out) == (1, 0, 1)
    assert mailing.summary(reminder=True) == (
        "1 relance envoyée ; 1 dont les référents ont désactivé les relances."
    )


def test_reminder_summary_names_the_authorities_without_contact(users):
    """Sample members with no référent and no address: « N sans adresse de contact »."""
    assert campaigns.Mailing(2, 570).summary(reminder=True) == (
        "2 relances envoyées ; 570 sans adresse de contact."
    )
    assert campaigns.Mailing(0, 0).summary(reminder=True).startswith("Aucune collectivité")


def test_account_page_switches_kinds_off_and_on(client_for, users):
    """Unticking a kind on the account page switches it off; ticking it back, on. A reader
    is offered no kind."""
    client = client_for("referent_a")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Une fiche du registre de ma collectivité attend ma relecture" in page
    wanted = [Kind.ENTRY_DECIDED, Kind.CASE_MODERATED, Kind.CAMPAIGN_REMINDER, Kind.REVIEW_DUE]
    client.post(reverse("accounts:notifications"), {"wanted": wanted})
    kinds = NotificationOptOut.objects.filter(user=users["referent_a"]).values_list(
        "kind", flat=True
    )
    assert list(kinds) == [Kind.ENTRY_SUBMITTED]
    client.post(reverse("accounts:notifications"), {"wanted": [*wanted, Kind.ENTRY_SUBMITTED]})
    assert not NotificationOptOut.objects.exists()
    reader_page = client_for("reader").get(reverse("accounts:profile")).content.decode()
    assert "Notifications par courriel" not in reader_page
