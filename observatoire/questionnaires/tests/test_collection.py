"""The référent's form: save on change, merge, validation, submit, reopen, access."""

import json
import threading

import pytest
from django.db import connection
from django.urls import reverse

from observatoire.core.models import AuditEvent
from observatoire.questionnaires.choices import DONT_KNOW, REFUSED, ResponseStatus
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.questionnaires.models import Response
from observatoire.questionnaires.services import collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db):
    return small_questionnaire()


@pytest.fixture
def response(questionnaire, authority_a):
    return collection.start_response(questionnaire, authority_a, by=None)


def save(client, response, code, values, extra=None):
    data = {"_only": code, code: values, **(extra or {})}
    return client.post(
        reverse("questionnaires:save", args=[response.pk]), data, HTTP_HX_REQUEST="true"
    )


def test_save_merges_only_the_changed_question(response, users):
    """Saving one question keeps every other stored answer."""
    collection.save_answers(response, {"ia_usage": "teste"}, by=users["referent_a"])
    collection.save_answers(response, {"nb_agents": "120"}, by=users["colleague_a"])
    response.refresh_from_db()
    assert response.answers == {"ia_usage": "teste", "nb_agents": 120}


def test_a_save_holds_the_row_for_three_statements_and_is_audited(response, users):
    """Under the row lock: the locked read, the UPDATE of the answers, the audit entry — its
    "before" is the locked read, not a second read of the row."""
    from django.test.utils import CaptureQueriesContext

    form = collection.LoadedQuestionnaire.load(response.questionnaire)
    collection.save_answers(response, {"ia_usage": "teste"}, by=users["referent_a"], form=form)
    with CaptureQueriesContext(connection) as queries:
        collection.save_answers(response, {"nb_agents": "120"}, by=users["colleague_a"], form=form)
    statements = [
        q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]
    ]
    assert [s for s in statements if s not in {"BEGIN", "COMMIT"}] == [
        "SELECT",
        "UPDATE",
        "INSERT",
    ]
    event = AuditEvent.objects.filter(model="questionnaires.response", action="update").first()
    assert event.actor == users["colleague_a"]
    assert event.changes == {
        "answers": [{"ia_usage": "teste"}, {"ia_usage": "teste", "nb_agents": 120}]
    }
    assert event.object_repr == str(Response.objects.get(pk=response.pk))


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("nb_agents", "1001", "entre 0 et 1\u202f000"),
        ("nb_agents", "douze", "Nombre attendu"),
        ("nb_agents", "1,5", "entier"),
        ("ia_usage", "peut-etre", "Choix inconnu"),
        ("ia_technologies", ["chatbot", "predictif", "vision"], "Deux au plus."),
        ("cyber_strategie", DONT_KNOW, "« Ne sait pas » n'est pas proposé"),
        ("ia_usage", [DONT_KNOW, "teste"], "ne se combinent pas"),
    ],
)
def test_invalid_answers_are_refused_with_a_french_message(response, code, value, message):
    """A bad value is not stored and the message explains why."""
    response, errors = collection.save_answers(response, {code: value}, by=None)
    assert message in errors[code]
    assert code not in response.answers


def test_dont_know_and_refusal_are_kept_distinct_from_skipped(response):
    """« Ne sait pas » and « refus » are stored; clearing an answer removes the key."""
    response, errors = collection.save_answers(
        response, {"ia_usage": DONT_KNOW, "nb_agents": REFUSED}, by=None
    )
    assert not errors and response.answers == {"ia_usage": DONT_KNOW, "nb_agents": REFUSED}
    response, _ = collection.save_answers(response, {"nb_agents": None}, by=None)
    assert response.answers == {"ia_usage": DONT_KNOW}


def test_other_specify_is_stored_beside_the_choice(response):
    """« Autre, précisez » stores `other` in the list and the text under `<code>_other`."""
    response, errors = collection.save_answers(
        response,
        {
            "ia_usage": "teste",
            "ia_technologies": ["other", "chatbot"],
            "ia_technologies_other": "OCR",
        },
        by=None,
    )
    assert not errors
    assert response.answers["ia_technologies"] == ["chatbot", "other"]
    assert response.answers["ia_technologies_other"] == "OCR"


def test_two_referents_editing_at_once_lose_nothing(response, client_for):
    """Two référents of one authority save different questions, then one posts a stale
    full section without JavaScript: only what that référent changed is written."""
    first, second = client_for("referent_a"), client_for("colleague_a")
    page = first.get(reverse("questionnaires:section", args=[response.pk, "usages"]))
    stale_initial = page.context["initial_json"]
    assert save(second, response, "nb_agents", "42").status_code == 200
    assert save(first, response, "ia_usage", "deploye").status_code == 200
    assert save(second, response, "ia_technologies", ["chatbot"]).status_code == 200
    # The first référent's page still shows the state before those saves; it posts the
    # whole section with only « ia_usage » changed again.
    posted = first.post(
        reverse("questionnaires:section", args=[response.pk, "usages"]),
        {"_initial": stale_initial, "ia_usage": "teste"},
    )
    assert posted.status_code == 302
    response.refresh_from_db()
    assert response.answers == {
        "ia_usage": "teste",
        "nb_agents": 42,
        "ia_technologies": ["chatbot"],
    }


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_threads_keep_every_answer(questionnaire, authority_a, users):
    """Many simultaneous saves of different questions (row lock): none is lost."""
    response = collection.start_response(questionnaire, authority_a, by=None)
    changes = [{"ia_usage": "teste"}, {"nb_agents": 7}, {"commentaire": "ok"}]
    changes += [{"cyber_strategie": "prevu"}, {"ia_technologies": ["vision"]}]

    def work(change):
        try:
            collection.save_answers(response, change, by=users["referent_a"])
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    response.refresh_from_db()
    assert len(response.answers) == 5


def test_submit_checks_required_answers_then_locks(response, client_for, users):
    """Submitting with a required answer missing fails; once complete, the response locks
    and hidden answers (skip logic) are dropped."""
    client = client_for("referent_a")
    collection.save_answers(
        response, {"ia_usage": "deploye", "ia_technologies": ["chatbot"]}, by=None
    )
    review = client.post(reverse("questionnaires:review", args=[response.pk]))
    assert review.status_code == 200
    assert review.context["errors"] == {"cyber_strategie": "Réponse obligatoire."}
    collection.save_answers(response, {"cyber_strategie": "oui", "ia_usage": "non"}, by=None)
    assert client.post(reverse("questionnaires:review", args=[response.pk])).status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.submitted_by == users["referent_a"]
    assert response.answers == {"ia_usage": "non", "cyber_strategie": "oui"}
    assert save(client, response, "nb_agents", "3").status_code == 403


def test_analyst_reopens_with_a_logged_reason(response, client_for):
    """Only an analyst reopens a submitted response, and the reason is in the audit log."""
    collection.save_answers(response, {"ia_usage": "non", "cyber_strategie": "oui"}, by=None)
    collection.submit_response(response, by=None)
    url = reverse("questionnaires:reopen", args=[response.pk])
    assert client_for("referent_a").post(url, {"reason": "erreur"}).status_code == 403
    client_for("analyst").post(url, {"reason": "Erreur de saisie signalée par la mairie"})
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT
    assert AuditEvent.objects.filter(
        object_id=str(response.pk), message__contains="Erreur de saisie signalée"
    ).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("reader", 403),
        ("referent_a", 200),
        ("colleague_a", 200),
        ("referent_b", 403),
        ("analyst", 200),
    ],
)
def test_who_may_save_an_answer(response, client_for, persona, status):
    """Only the authority's référents and the analysts write its response."""
    result = save(client_for(persona), response, "nb_agents", "5")
    assert result.status_code == status
    response.refresh_from_db()
    assert ("nb_agents" in response.answers) is (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("reader", 403),
        ("referent_a", 302),
        ("colleague_a", 302),
        ("referent_b", 302),
        ("analyst", 403),
    ],
)
def test_who_may_start_a_response(questionnaire, client_for, persona, status):
    """A référent starts its own authority's response; others cannot."""
    result = client_for(persona).post(reverse("questionnaires:start", args=[questionnaire.code]))
    assert result.status_code == status
    assert Response.objects.exists() is (status == 302 and persona != "anonymous")


@pytest.mark.parametrize(
    "persona", ["anonymous", "reader", "referent_a", "colleague_a", "referent_b", "analyst"]
)
def test_section_and_review_pages(response, client_for, persona):
    """The pages render for those who act for the authority and are refused otherwise."""
    client = client_for(persona)
    section = client.get(reverse("questionnaires:section", args=[response.pk, "usages"]))
    review = client.get(reverse("questionnaires:review", args=[response.pk]))
    allowed = persona in {"referent_a", "colleague_a", "analyst"}
    expected = 200 if allowed else (302 if persona == "anonymous" else 403)
    assert (section.status_code, review.status_code) == (expected, expected)
    if allowed:
        assert "Partie 1 sur 2" in section.content.decode()
        assert json.loads(section.context["initial_json"]) == {}


def test_index_lists_the_referents_questionnaires(questionnaire, client_for):
    """The header's module page: référents see their questionnaires, analysts campaigns."""
    page = client_for("referent_a").get(reverse("questionnaires:index"))
    assert "Questionnaire d&#x27;essai" in page.content.decode()
    page = client_for("analyst").get(reverse("questionnaires:index"))
    assert "Campagnes de collecte" in page.content.decode()
