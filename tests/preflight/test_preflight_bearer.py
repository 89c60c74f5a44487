"""The Bearer token flow against docker-registry in `auth: token` mode and a real token service."""

from __future__ import annotations

from provider.preflight import run_preflight
from tests.preflight.conftest import BearerSetup, values


def test_good_credentials_pass_through_the_token_flow(bearer: BearerSetup):
    service = bearer.service
    service.requests.clear()
    assert run_preflight(values(bearer.registry), "helm") == []
    granted = [(user, scope) for user, scope, status in service.requests if status == 200]
    # A token for /v2/, one to list the catalog, one to read the chart's repository.
    assert granted == [
        (service.username, None),
        (service.username, "registry:catalog:*"),
        (service.username, "repository:preflight/charts/nginx:pull"),
    ]


def test_a_wrong_password_is_rejected_by_the_token_service(bearer: BearerSetup):
    bearer.service.requests.clear()
    findings = run_preflight(values(bearer.registry, basic_auth={"username": "token-user", "password": "nope"}), "helm")
    assert [(f.severity, f.path, f.summary) for f in findings] == [
        ("error", ("basic_auth", "password"), "Registry rejected the credentials")
    ]
    assert "token service" in findings[0].detail and "nope" not in findings[0].detail
    assert bearer.service.requests == [(None, None, 401)]


def test_anonymous_access_is_refused_with_the_fix(bearer: BearerSetup):
    findings = run_preflight(values(bearer.registry, basic_auth=None), "helm")
    assert [(f.severity, f.path, f.summary) for f in findings] == [
        ("error", ("basic_auth",), "Registry requires credentials")
    ]
