"""Draft → in review → published → archived, revisions, versions, history and reminders."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from observatoire.registre import services
from observatoire.registre.choices import Status
from observatoire.registre.factories import EntryFactory
from observatoire.registre.models import Entry


@pytest.fixture
def entry(authority_a):
    return EntryFactory(authority=authority_a, name="Chatbot de la mairie", requests_per_year=100)


def _publish(entry, users):
    services.classify_entry(
        entry, {"is_ai_system": True, "interacts_with_people": True}, by=users["referent_a"]
    )
    services.submit_entry(entry, by=users["referent_a"])
    return services.approve_entry(entry, by=users["colleague_a"])


def test_submission_needs_a_classification(entry, users):
    """An entry cannot go to review before its AI Act classification."""
    with pytest.raises(ValidationError, match="AI Act"):
        services.submit_entry(entry, by=users["referent_a"])


def test_the_author_cannot_approve_its_own_submission(entry, users):
    """Approval is for another référent of the authority or an analyst."""
    services.classify_entry(entry, {}, by=users["referent_a"])
    services.submit_entry(entry, by=users["referent_a"])
    with pytest.raises(PermissionDenied):
        services.approve_entry(entry, by=users["referent_a"])
    with pytest.raises(PermissionDenied):
        services.approve_entry(entry, by=users["referent_b"])
    assert services.approve_entry(entry, by=users["analyst"]).status == Status.PUBLISHED


def test_publication_freezes_a_version_and_sets_a_review_date(entry, users):
    """Publishing stores version 1 with its approver and a review date one year later."""
    entry = _publish(entry, users)
    version = entry.versions.get()
    assert version.number == 1
    assert version.approved_by == users["colleague_a"]
    assert version.submitted_by == users["referent_a"]
    assert version.data["ai_act"]["level"] == "transparency"
    assert entry.review_date == (entry.published_at + datetime.timedelta(days=365)).date()


def test_a_revision_keeps_the_published_entry_until_approved(entry, users, client_for):
    """The public keeps seeing version 1 while version 2 is drafted; approval replaces it."""
    entry = _publish(entry, users)
    revision = services.start_revision(entry, by=users["referent_a"])
    services.update_entry(
        revision, {"name": "Chatbot Optimus", "requests_per_year": 500}, by=users["referent_a"]
    )
    assert Entry.objects.get(pk=entry.pk).name == "Chatbot de la mairie"
    assert "Chatbot Optimus" not in client_for("anonymous").get("/registre/").content.decode()
    services.submit_entry(revision, by=users["referent_a"])
    published = services.approve_entry(revision, by=users["analyst"])
    assert published.pk == entry.pk
    assert published.name == "Chatbot Optimus"
    assert not Entry.objects.filter(pk=revision.pk).exists()
    assert list(published.versions.values_list("number", flat=True)) == [2, 1]


def test_history_page_shows_the_differences(entry, users, client_for):
    """The history lists each published version and what changed, before and after."""
    entry = _publish(entry, users)
    revision = services.start_revision(entry, by=users["referent_a"])
    services.update_entry(revision, {"name": "Chatbot Optimus"}, by=users["referent_a"])
    services.submit_entry(revision, by=users["referent_a"])
    services.approve_entry(revision, by=users["colleague_a"])
    page = client_for("anonymous").get(f"/registre/fiche/{entry.pk}/historique/").content.decode()
    assert "Version 2" in page and "Version 1" in page
    assert "<del>Chatbot de la mairie</del>" in page
    assert "<ins>Chatbot Optimus</ins>" in page


def test_history_writes_numbers_and_labels_in_french(entry, users, client_for):
    """Changed figures read « 52 000 » and « 0,08 », and the footprint rows carry a French
    label instead of their storage key."""
    entry = _publish(entry, users)
    revision = services.start_revision(entry, by=users["referent_a"])
    services.update_entry(revision, {"requests_per_year": 52000}, by=users["referent_a"])
    services.submit_entry(revision, by=users["referent_a"])
    services.approve_entry(revision, by=users["colleague_a"])
    page = client_for("anonymous").get(f"/registre/fiche/{entry.pk}/historique/").content.decode()
    assert re.search("<ins>52[\u00a0\u202f]000</ins>", page), "grouped like « 52 000 »"
    assert "footprint." not in page
    assert "énergie estimée (kWh par an)" in page
    assert re.search(r"<ins>\d+,\d+</ins>", page), "a decimal with a comma"


def test_published_entries_are_changed_only_through_a_revision(entry, users):
    """Editing a published entry directly is refused."""
    entry = _publish(entry, users)
    with pytest.raises(PermissionDenied):
        services.update_entry(entry, {"name": "Autre"}, by=users["referent_a"])


def test_archived_entries_leave_the_public_register(entry, users, client_for):
    """An archived entry is no longer listed nor readable by the public; its versions remain."""
    entry = _publish(entry, users)
    services.archive_entry(entry, by=users["referent_a"])
    assert client_for("anonymous").get(f"/registre/fiche/{entry.pk}/").status_code == 404
    assert entry.versions.count() == 1


def test_review_reminders_are_sent_once_when_the_date_passes(entry, users):
    """The command e-mails the contact and the référents of each entry past its review date,
    once, one message each (nobody sees the others' addresses)."""
    entry = _publish(entry, users)
    mail.outbox.clear()  # the submission's and the publication's notifications
    Entry.objects.filter(pk=entry.pk).update(review_date=datetime.date(2026, 1, 1))
    assert services.send_review_reminders(datetime.date(2025, 12, 31)) == 0
    assert services.send_review_reminders(datetime.date(2026, 1, 2)) == 1
    assert services.send_review_reminders(datetime.date(2026, 1, 3)) == 0
    assert all("Chatbot de la mairie" in message.subject for message in mail.outbox)
    assert sorted(message.to[0] for message in mail.outbox if len(message.to) == 1) == sorted(
        [entry.contact_email, users["referent_a"].email, users["colleague_a"].email]
    )


def test_remind_command(entry, users):
    """`observatoire registre remind --date` reports how many reminders it sent."""
    from io import StringIO

    from django.core.management import call_command

    entry = _publish(entry, users)
    Entry.objects.filter(pk=entry.pk).update(review_date=datetime.date(2026, 1, 1))
    out = StringIO()
    call_command("registre", "remind", "--date", "2026-02-01", stdout=out)
    assert "1 rappels" in out.getvalue()


def test_dpia_hint_follows_the_cnil_criteria(authority_a):
    """Personal data with two criteria (scoring, AI) flag a likely DPIA; without personal data none."""
    scoring = EntryFactory(
        authority=authority_a,
        personal_data=True,
        ai_act_answers={"is_ai_system": True, "public_benefits": True},
    )
    assert scoring.dpia_likely_required
    assert scoring.dpia_criteria() == [
        "évaluation ou notation de personnes",
        "usage innovant (intelligence artificielle)",
    ]
    assert not EntryFactory(
        authority=authority_a, personal_data=False, ai_act_answers={"is_ai_system": True}
    ).dpia_criteria()
    assert not EntryFactory(
        authority=authority_a, personal_data=True, ai_act_answers={"is_ai_system": True}
    ).dpia_likely_required


def test_the_api_writes_every_field_of_the_form_and_leaves_the_others(entry, users, client):
    """PATCH takes the content fields of the entry form (fields.py) and keeps what it is not
    sent; a wrong value is a 422 in French that names the field, and changes nothing."""
    from observatoire.accounts.models import ApiToken
    from observatoire.registre.api import API_FIELDS

    _token, secret = ApiToken.issue(users["referent_a"], "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["EntryIn"]
    assert set(schema["properties"]) == set(API_FIELDS)
    assert schema["properties"]["secnumcloud"]["title"] == "Hébergeur qualifié SecNumCloud"
    sent = {"secnumcloud": True, "review_date": "2027-03-01", "extra_themes": ["water"]}
    answer = client.patch(
        f"/api/v1/registre/entries/{entry.pk}", sent, content_type="application/json", **headers
    )
    assert answer.status_code == 200, answer.content
    entry.refresh_from_db()
    assert entry.secnumcloud and entry.review_date == datetime.date(2027, 3, 1)
    assert entry.extra_themes == ["water"] and entry.requests_per_year == 100
    wrong = client.patch(
        f"/api/v1/registre/entries/{entry.pk}",
        {"theme": "licornes", "name": "Perdu"},
        content_type="application/json",
        **headers,
    )
    assert wrong.status_code == 422 and "licornes" in wrong.json()["detail"]
    entry.refresh_from_db()
    assert entry.name == "Chatbot de la mairie"
