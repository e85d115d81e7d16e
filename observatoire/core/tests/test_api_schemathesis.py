"""schemathesis on the OpenAPI document: generated requests to every operation, anonymous
and with a référent's token, never get a server error, and every refusal is a JSON body
with a `detail` (French). Bounded: a few examples per operation, no shrinking deadline."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from observatoire.accounts.choices import Role
from observatoire.accounts.factories import UserFactory
from observatoire.accounts.models import ApiToken
from observatoire.cas_usage.factories import UseCaseFactory
from observatoire.questionnaires.factories import small_questionnaire
from observatoire.registre.choices import Status
from observatoire.registre.factories import full_entry

BOUNDED = settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_data(db, authority_a):
    """Some data for the operations to find. As Django's test client does, requests keep
    the test's database connection (and its transaction) open."""
    small_questionnaire()
    full_entry(authority_a, status=Status.PUBLISHED)
    UseCaseFactory(authority=authority_a)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def refusals_are_french_json(ctx, response, case) -> None:
    """A 4xx answers JSON with a non-empty `detail`."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), response.text[:200]
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail, response.text[:200]


def fuzz_every_operation(headers: dict[str, str]) -> int:
    """Run each operation of the served OpenAPI document on generated requests (through
    WSGI, no server); return how many operations ran. (schemathesis' own pytest plugin
    does not run under pytest 9, so the operations are walked here.)"""
    from observatoire.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, refusals_are_french_json])

        check()
        count += 1
    return count


def test_api_anonymous(api_data):
    """Anonymous requests to every operation: no 5xx, refusals in JSON."""
    assert fuzz_every_operation({}) >= 20


def test_api_with_a_referent_token(api_data, authority_a):
    """Requests with a référent's bearer token (writes included): no 5xx, refusals in JSON."""
    user = UserFactory(role=Role.REFERENT, authority=authority_a)
    _token, raw = ApiToken.issue(user, "schemathesis")
    assert fuzz_every_operation({"Authorization": f"Bearer {raw}"}) >= 20
