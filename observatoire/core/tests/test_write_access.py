"""Every path of the site and of the API, tried by four personas — an anonymous visitor, a
reader, the référent of another authority and the référent of the authority that owns the
object — with the database compared before and after each refusal.

The paths come from the URL configuration and the API's routers: each must be described
below (WRITES, PUBLIC_WRITES or READS), so a new path fails `test_every_path_is_described`
until someone says who may write through it. Pages that only read are posted to as well:
they must change nothing for anyone. The per-app access tests check what the allowed
personas achieve; here the allowed persona's answer must not be a refusal, which proves the
path and its object are the right ones (a refusal elsewhere is then about access).
"""

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from observatoire.accounts.models import ApiToken, Invitation
from observatoire.api import api
from observatoire.territoires.choices import Kind
from observatoire.territoires.factories import AuthorityFactory

# The personas a write is checked for (the analyst may do anything; colleague_a is referent_a).
WRITE_PERSONAS = ["anonymous", "reader", "referent_b", "referent_a"]
OWNER = {"referent_a"}  # the référent of the authority that owns the object
REFERENTS = {"referent_a", "referent_b"}  # any référent, for its own authority
LOGGED_IN = {"reader", "referent_a", "referent_b"}  # any account, for itself
ANALYSTS = set()  # none of the four personas


@dataclass
class Path:
    """How to call one path: URL arguments from the world, a body, who may write."""

    kwargs: dict = field(default_factory=dict)  # name → key of the world's objects
    data: dict = field(default_factory=dict)
    allowed: set = field(default_factory=set)
    method: str = "post"


# --- Pages -------------------------------------------------------------------------------

ENTRY_FORM = {
    "name": "Renommé",
    "summary": "Résumé.",
    "contact_email": "x@example.fr",
    "theme": "administration",
    "technology": "chatbot",
}
CASE_FORM = {
    "title": "Cas",
    "summary": "Résumé.",
    "domain": "eau",
    "technology": "predictif",
    "stage": "experimentation",
    "results-TOTAL_FORMS": "0",
    "results-INITIAL_FORMS": "0",
    "links-TOTAL_FORMS": "0",
    "links-INITIAL_FORMS": "0",
}

WRITES = {
    "accounts:profile": Path(data={"name": "script"}, allowed=LOGGED_IN),
    "accounts:notifications": Path(data={"wanted": []}, allowed=LOGGED_IN),
    "accounts:revoke_token": Path({"pk": "token_a"}, allowed=OWNER),
    "accounts:invite": Path(data={"email": "n@example.org", "authority": "pk:authority_a"}),
    "accounts:lockouts": Path(),
    "accounts:unlock": Path({"pk": "attempt"}),
    "questionnaires:start": Path({"code": "questionnaire"}, allowed=REFERENTS),
    "questionnaires:save": Path(
        {"pk": "response_a"}, {"_only": "nb_agents", "nb_agents": "12"}, allowed=OWNER
    ),
    "questionnaires:section": Path(
        {"pk": "response_a", "section_code": "section"}, {"nb_agents": "12"}, allowed=OWNER
    ),
    "questionnaires:review": Path({"pk": "response_a"}, allowed=OWNER),
    "questionnaires:reopen": Path({"pk": "response_a"}, {"reason": "Erreur."}),
    "questionnaires:create": Path(),
    "questionnaires:campaign": Path({"code": "questionnaire"}),
    "questionnaires:new_edition": Path({"code": "questionnaire"}, {"year": "2025"}),
    "questionnaires:rates": Path({"code": "questionnaire"}),
    "questionnaires:sample": Path({"code": "questionnaire"}, {"size": "10"}),
    "questionnaires:invite": Path({"code": "questionnaire"}),
    "questionnaires:remind": Path({"code": "questionnaire"}),
    "questionnaires:import": Path({"code": "questionnaire"}),
    "questionnaires:export_responses": Path({"code": "questionnaire"}),
    "barometre:manage": Path({"code": "edition"}, {"unit": "authority"}),
    "barometre:manage_indicators": Path({"code": "edition"}, {"restore": "1"}),
    "barometre:indicator_file": Path({"code": "edition"}),
    "barometre:weighting_status": Path({"code": "edition"}),
    "barometre:manage_action": Path({"code": "edition", "action": "collecting"}),
    "barometre:manage_texts": Path({"code": "edition"}, {"summary": "Faits saillants."}),
    "barometre:model_save": Path({"code": "edition"}, {"y": "x", "title": "Modèle"}),
    "registre:create_product": Path(
        data={"name": "Produit", "vendor": "Éditeur"}, allowed=REFERENTS
    ),
    "registre:create": Path(data=ENTRY_FORM, allowed=REFERENTS),
    "registre:import": Path(allowed=REFERENTS),
    "registre:edit": Path({"pk": "draft_a"}, ENTRY_FORM, allowed=OWNER),
    "registre:aiact": Path({"pk": "draft_a"}, {"is_ai_system": "on"}, allowed=OWNER),
    "registre:compliance": Path({"pk": "draft_a"}, {"check_logs": "on"}, allowed=OWNER),
    "registre:submit": Path({"pk": "draft_a"}, allowed=OWNER),
    "registre:approve": Path({"pk": "review_a"}),  # the submitter may not approve its own
    "registre:send_back": Path({"pk": "review_a"}, allowed=OWNER),
    "registre:archive": Path({"pk": "published_a"}, allowed=OWNER),
    "registre:revise": Path({"pk": "published_a"}, allowed=OWNER),
    "registre:adopt": Path({"pk": "shared"}, allowed=OWNER),  # A is a member of the EPCI
    "cas_usage:propose": Path(data=CASE_FORM, allowed=REFERENTS),
    "cas_usage:moderation": Path(),
    "cas_usage:edit": Path({"pk": "case_a"}, CASE_FORM, allowed=OWNER),
    "cas_usage:moderate": Path({"pk": "proposed_a"}, {"decision": "accept"}),
    "cas_usage:adopt": Path({"pk": "case_a"}, allowed=REFERENTS),
    "cas_usage:decide_match": Path({"pk": "match"}, {"decision": "reject"}),
    "cas_usage:thesaurus_add": Path(data={"key": "velo", "french": "vélo\nbicyclette"}),
    "cas_usage:thesaurus_edit": Path({"pk": "synonyms"}, {"key": "eau", "french": "eau"}),
    "core:audit": Path(),
    "diagnostic:start": Path(data={"prefill": ""}, allowed=REFERENTS),
    "diagnostic:section": Path({"pk": "run_a", "section_code": "run_section"}, allowed=OWNER),
    "diagnostic:save": Path(
        {"pk": "run_a"}, {"_only": "ia_usage", "ia_usage": "oui"}, allowed=OWNER
    ),
    "diagnostic:review": Path({"pk": "run_a"}, allowed=OWNER),
    "diagnostic:share": Path({"pk": "run_a"}, allowed=OWNER),
    "diagnostic:rules": Path(),
}

# Writes open to everyone by design, each tested in its own file.
PUBLIC_WRITES = {
    "accounts:login": "accounts/tests/test_throttling.py (django-axes)",
    "accounts:logout": "only ends the caller's own session",
    "accounts:accept": "needs the invitation's secret: accounts/tests/test_invitation.py",
    "accounts:password_reset": "accounts/tests/test_throttling.py (rate limit)",
    "accounts:password_reset_confirm": "needs the mailed secret: test_password_reset.py",
    "cas_usage:contact": "accounts/tests/test_throttling.py (rate limit)",
    "barometre:report_request": "caches the public PDF of a published edition",
}

# Pages that read only: a POST by anyone must change nothing.
READS = {
    "core:home": {}, "accounts:password_reset_done": {}, "accounts:proconnect_refused": {}, "accounts:password_reset_complete": {},
    "territoires:search": {}, "territoires:detail": {"kind": "kind_a", "code": "code_a"},
    "questionnaires:index": {}, "questionnaires:export": {"code": "questionnaire"},
    "questionnaires:response": {"pk": "response_a"},
    "barometre:index": {}, "barometre:note": {"code": "edition"},
    "barometre:theme": {"code": "edition", "theme": "section"},
    "barometre:indicator": {"code": "edition", "indicator": "section"},
    "barometre:spec": {"code": "edition", "indicator": "section"},
    "barometre:compare": {"code": "edition"}, "barometre:method": {"code": "edition"},
    "barometre:download": {"code": "edition", "name": "section"},
    "barometre:report_status": {"code": "edition"}, "barometre:report_pdf": {"code": "edition"},
    "registre:index": {}, "registre:dashboard": {}, "registre:detail": {"pk": "published_a"},
    "registre:history": {"pk": "published_a"}, "registre:pdf": {"pk": "draft_a"},
    "registre:entry_export": {"pk": "published_a", "fmt": "json"},
    "registre:authority": {"siren": "siren_a"}, "registre:embed": {"siren": "siren_a"},
    "registre:feed": {"siren": "siren_a"}, "registre:export": {"fmt": "csv"},
    "registre:product": {"pk": "product"},
    "cas_usage:index": {}, "cas_usage:feed": {}, "cas_usage:detail": {"pk": "case_a"},
    "barometre:version": {"code": "edition", "number": 1}, "core:health": {},
    "cas_usage:matches": {}, "cas_usage:thesaurus": {},
    "barometre:explorer": {"code": "edition"}, "barometre:explorer_csv": {"code": "edition"},
    "barometre:explorer_model": {"code": "edition"},
    "barometre:saved_model": {"code": "edition", "pk": 999_999},
    "core:landing": {}, "diagnostic:authority_home": {}, "diagnostic:index": {}, "dashboard:analyst": {},
    "diagnostic:rules_download": {"kind": "grille", "number": 1},
    "diagnostic:shared": {"token": "inconnu"}, "diagnostic:shared_pdf": {"token": "inconnu"},
    "diagnostic:run": {"pk": "run_a"}, "diagnostic:result": {"pk": "run_a"},
    "diagnostic:pdf": {"pk": "run_a"},
}  # fmt: skip

# --- API (method, path under /api/v1) ------------------------------------------------------

SUBMITTED = {"answers": {"nb_agents": 12}}
ENTRY_API = {
    "authority_siren": "217804905",
    "name": "Via l'API",
    "summary": "Résumé.",
    "contact_email": "api@example.fr",
    "theme": "water",
    "technology": "predictive",
}
CASE_API = {
    "title": "Cas",
    "summary": "Résumé.",
    "domain": "eau",
    "technology": "predictif",
    "stage": "experimentation",
}

API_WRITES = {
    ("POST", "/questionnaires/{code}/responses"): Path(
        {"code": "questionnaire"}, {}, allowed=REFERENTS
    ),
    ("PATCH", "/questionnaires/responses/{pk}/answers"): Path(
        {"pk": "response_a"}, SUBMITTED, allowed=OWNER
    ),
    ("POST", "/questionnaires/responses/{pk}/submit"): Path({"pk": "response_a"}, allowed=OWNER),
    ("POST", "/questionnaires/{code}/import"): Path(
        {"code": "questionnaire"}, {"tool": "limesurvey", "dry_run": "false"}, method="multipart"
    ),
    ("POST", "/registre/entries"): Path(data=ENTRY_API, allowed=OWNER),
    ("PATCH", "/registre/entries/{pk}"): Path({"pk": "draft_a"}, {"name": "Changé"}, allowed=OWNER),
    ("POST", "/registre/entries/{pk}/ai-act"): Path(
        {"pk": "draft_a"}, {"answers": {"is_ai_system": True}}, allowed=OWNER
    ),
    ("POST", "/registre/entries/{pk}/submit"): Path({"pk": "draft_a"}, allowed=OWNER),
    ("POST", "/registre/entries/{pk}/approve"): Path({"pk": "review_a"}),
    ("POST", "/cas-usage/cases"): Path(data=CASE_API, allowed=REFERENTS),
    ("PUT", "/cas-usage/cases/{pk}"): Path({"pk": "case_a"}, CASE_API, allowed=OWNER),
    ("POST", "/cas-usage/cases/{pk}/moderation"): Path(
        {"pk": "proposed_a"}, {"decision": "accept"}
    ),
    ("POST", "/cas-usage/cases/{pk}/adoptions"): Path({"pk": "case_a"}, allowed=REFERENTS),
}
API_READS = {
    ("GET", "/territoires/authorities"), ("GET", "/questionnaires/"),
    ("GET", "/questionnaires/{code}"), ("GET", "/questionnaires/{code}/responses"),
    ("GET", "/questionnaires/responses/{pk}"), ("GET", "/barometre/editions"),
    ("GET", "/barometre/editions/{code}/results"), ("GET", "/registre/entries"),
    ("GET", "/registre/entries/{pk}"), ("GET", "/cas-usage/cases"),
    ("GET", "/cas-usage/cases/{pk}"), ("GET", "/diagnostic/runs"),
    ("GET", "/diagnostic/runs/{pk}"), ("GET", "/barometre/editions/{code}/explorer"),
    ("GET", "/barometre/editions/{code}/explorer/variables"),
    ("GET", "/barometre/editions/{code}/explorer/analyste"),
}  # fmt: skip


def site_paths() -> set[str]:
    """Every named page of the site (the Django admin and the API apart)."""
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def api_operations() -> set[tuple[str, str]]:
    """Every (method, path) of the API's routers."""
    found = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.add((method, (prefix.rstrip("/") + path).replace("//", "/")))
    return found


def test_every_path_is_described():
    """A page or endpoint that nobody classified here fails: say who may write through it."""
    described = set(WRITES) | set(PUBLIC_WRITES) | set(READS)
    assert site_paths() == described, (
        f"à décrire : {sorted(site_paths() - described)} ; disparus : {sorted(described - site_paths())}"
    )
    api_described = set(API_WRITES) | API_READS
    assert api_operations() == api_described, sorted(api_operations() ^ api_described)


# --- The world the personas act on ----------------------------------------------------------


@pytest.fixture
def world(users, authority_a, authority_b):
    """One object of each kind, owned by authority A (Plaisir) unless said otherwise."""
    from axes.models import AccessAttempt

    from observatoire.barometre.factories import EditionFactory
    from observatoire.cas_usage import services as cases
    from observatoire.cas_usage.choices import MatchKind, Review
    from observatoire.cas_usage.factories import UseCaseFactory
    from observatoire.cas_usage.models import OrganisationMatch, ThesaurusEntry
    from observatoire.questionnaires.factories import ResponseFactory
    from observatoire.registre import services as registre
    from observatoire.registre.factories import EntryFactory, VendorProductFactory

    classified = {"ai_act_level": "minimal", "ai_act_answers": {"is_ai_system": True}}
    epci = AuthorityFactory(kind=Kind.EPCI, code="200058782", siren="200058782", epci_type="CA")
    authority_a.epci = epci
    authority_a.save()
    shared = EntryFactory(authority=epci, **classified)
    registre.submit_entry(shared, by=users["analyst"])
    registre.approve_entry(shared, by=users["analyst"])
    published = EntryFactory(authority=authority_a, **classified)
    registre.submit_entry(published, by=users["referent_a"])
    registre.approve_entry(published, by=users["colleague_a"])
    review = EntryFactory(authority=authority_a, **classified)
    registre.submit_entry(review, by=users["referent_a"])
    edition = EditionFactory()
    response = ResponseFactory(questionnaire=edition.questionnaire, authority=authority_a)
    proposed = cases.propose_case(dict(CASE_API), by=users["referent_a"])  # fmt: skip
    Invitation.issue("n@example.org", authority_a, users["analyst"])

    def run_a():
        from observatoire.diagnostic.factories import RunFactory

        return RunFactory(authority=authority_a)

    objects = LazyWorld(
        {
            "run_a": run_a,
            "authority_a": authority_a,
            "kind_a": authority_a.kind,
            "code_a": authority_a.code,
            "siren_a": authority_a.siren,
            "token_a": ApiToken.issue(users["referent_a"], "script")[0],
            "attempt": AccessAttempt.objects.create(
                username="x@example.org",
                ip_address="10.0.0.9",
                user_agent="",
                failures_since_start=9,
            ),
            "questionnaire": edition.questionnaire.code,
            "section": edition.questionnaire.sections.first().code,
            "edition": edition.code,
            "response_a": response,
            "draft_a": EntryFactory(
                authority=authority_a, created_by=users["referent_a"], **classified
            ),
            "review_a": review,
            "published_a": published,
            "shared": shared,
            "product": VendorProductFactory(),
            "case_a": UseCaseFactory(authority=authority_a),
            "proposed_a": proposed,
            "match": lambda: OrganisationMatch.objects.create(
                key="ville de test",
                name="Ville de Test",
                kind=MatchKind.COMMUNE,
                review=Review.PENDING,
            ),
            "synonyms": lambda: ThesaurusEntry.objects.create(key="eau", french="eau\nfuite"),
        }
    )
    objects["run_section"] = lambda: objects.get("run_a").questionnaire.sections.first().code
    return objects


class LazyWorld(dict):
    """Objects that cost to build (a diagnostic run) are made on first use, once."""

    def get(self, key, default=None):
        if key not in self:
            return default
        value = self[key]
        if callable(value) and not hasattr(value, "pk"):
            value = self[key] = value()
        return value


def _value(world, key):
    """An object of the world (its pk), `pk:name` for a form field, or the key itself."""
    if isinstance(key, str) and key.startswith("pk:"):
        return world.get(key[3:]).pk
    value = world.get(key, key)
    return getattr(value, "pk", value)


def _data(world, data: dict) -> dict:
    return {
        k: _value(world, v) if isinstance(v, str) and v.startswith("pk:") else v
        for k, v in data.items()
    }


def snapshot() -> dict:
    """Every row of every table (sessions and sign-in bookkeeping apart)."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table == "django_session":
            continue
        names = [f.attname for f in meta.concrete_fields if f.attname not in BOOKKEEPING]
        state[meta.label] = list(model._base_manager.order_by("pk").values_list(*names))
    return state


BOOKKEEPING = {"last_login", "last_used_at"}  # written by signing in, not by the request


def _changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _refused(response) -> bool:
    if response.status_code == 302:
        return "/comptes/connexion/" in response["Location"]
    return response.status_code in (401, 403, 404, 405)


def _cases(table: dict) -> list:
    def label(name) -> str:
        return " ".join(name) if isinstance(name, tuple) else name

    return [
        pytest.param(name, persona, id=f"{label(name)}-{persona}")
        for name in sorted(table)
        for persona in WRITE_PERSONAS
    ]


@pytest.mark.parametrize(("name", "persona"), _cases(WRITES))
def test_pages_that_write_refuse_and_change_nothing(client_for, world, name, persona):
    """Whoever may not write through the page is refused, and the database is unchanged."""
    spec = WRITES[name]
    url = reverse(name, kwargs={k: _value(world, v) for k, v in spec.kwargs.items()})
    client = client_for(persona)
    before = snapshot()
    response = getattr(client, spec.method)(url, _data(world, spec.data))
    if persona in spec.allowed:
        assert not _refused(response), (response.status_code, response.content[:500])
        return
    assert _refused(response), (response.status_code, response.content[:500])
    assert not _changed(before, snapshot())


@pytest.mark.parametrize(("name", "persona"), _cases(READS))
def test_pages_that_read_change_nothing_when_posted_to(client_for, world, name, persona):
    """A POST to a reading page (or its GET) leaves the database as it was."""
    url = reverse(name, kwargs={k: _value(world, v) for k, v in READS[name].items()})
    before = snapshot()
    client_for(persona).post(url, {"name": "x", "title": "x"})
    assert not _changed(before, snapshot())


@pytest.mark.parametrize(("operation", "persona"), _cases(API_WRITES))
def test_api_writes_refuse_and_change_nothing(users, world, operation, persona):
    """Bearer-token writes: refused (401, 403, 404) with the database unchanged for whoever
    may not make them."""
    method, path = operation
    spec = API_WRITES[operation]
    url = "/api/v1" + path.format(**{k: _value(world, v) for k, v in spec.kwargs.items()})
    headers = {}
    if users[persona] is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(users[persona], 'test')[1]}"
    before = snapshot()
    if spec.method == "multipart":  # a file upload
        upload = SimpleUploadedFile("reponses.csv", b"id,nb_agents\n1,12\n")
        response = Client().post(url, {**spec.data, "file": upload}, **headers)
    else:
        body = json.dumps(spec.data)
        response = Client().generic(method, url, body, content_type="application/json", **headers)
    if persona in spec.allowed:
        assert not _refused(response), (response.status_code, response.content[:500])
        return
    assert response.status_code in (401, 403, 404), (response.status_code, response.content)
    assert not _changed(before, snapshot())
