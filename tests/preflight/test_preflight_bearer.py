"""The Bearer token flow against docker-registry in `auth: token` mode and a real token service."""

from __future__ import annotations

import secrets

import pytest

from provider.preflight import run_preflight
from tests.harness.certs import CertificateAuthority
from tests.preflight.conftest import BearerSetup, values
from tests.preflight.tokens import TokenAuthRegistry, TokenService


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


def test_credentials_are_never_sent_to_a_plain_http_token_service(
    tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority
) -> None:
    """Issue 21, item 11: an HTTPS registry whose Bearer realm is http:// is an error at the password,
    and the token service never sees the password. A plain-http registry (the user's own choice) may
    use a plain-http realm: the shared `docker_registry_token` does so, see tests/emulator/test_validate.py."""
    service = TokenService(test_ca, "token-user", "tk-" + secrets.token_hex(8), tls=False).start()
    registry = TokenAuthRegistry(tmp_path_factory.mktemp("http-realm"), ca=test_ca, token_service=service)
    try:
        registry.start()
        findings = run_preflight(values(registry), "helm")
    finally:
        registry.stop()
        service.stop()
    assert [(f.severity, f.path, f.summary) for f in findings] == [
        ("error", ("basic_auth", "password"), "Token service over plain HTTP")
    ]
    assert f"http://127.0.0.1:{service.realm.rsplit(':', 1)[1]}" in findings[0].detail
    assert service.password not in findings[0].detail
    assert service.requests == []  # before: [("token-user", None, 200)], the password read in clear


def test_a_plain_http_registry_may_use_a_plain_http_token_service(
    tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority
) -> None:
    service = TokenService(test_ca, "token-user", "tk-" + secrets.token_hex(8), tls=False).start()
    registry = TokenAuthRegistry(tmp_path_factory.mktemp("http-both"), token_service=service)
    try:
        registry.start()
        findings = run_preflight(values(registry, endpoint=registry.url), "helm")
    finally:
        registry.stop()
        service.stop()
    assert [f.summary for f in findings if f.severity == "error"] == []
    assert [status for _, _, status in service.requests][:1] == [200]
