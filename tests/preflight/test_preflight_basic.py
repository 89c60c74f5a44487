"""Preflight against a real docker-registry (htpasswd + TLS) holding real pushed artifacts."""

from __future__ import annotations

import logging

import pytest

from provider.preflight import Problem, run_preflight
from tests.harness.certs import CertificateAuthority
from tests.harness.processes import free_port
from tests.harness.registry import DockerRegistry
from tests.preflight.conftest import values


def only(findings: list[Problem]) -> Problem:
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    ("provider_type", "base"),
    [("helm", "preflight/charts"), ("zarf", "preflight/zarf"), ("pack", "preflight/packs")],
)
def test_good_credentials_and_content_of_the_promised_kind_pass(content_registry, provider_type, base):
    assert run_preflight(values(content_registry, base_content_path=base), provider_type) == []


def test_a_wrong_password_is_an_error_at_the_password_without_it(content_registry):
    finding = only(
        run_preflight(values(content_registry, basic_auth={"username": "palette-ci", "password": "Wr0ng!"}), "helm")
    )
    assert (finding.severity, finding.path) == ("error", ("basic_auth", "password"))
    assert finding.summary == "Registry rejected the credentials"
    assert "palette-ci" in finding.detail and "HTTP 401" in finding.detail
    assert "Wr0ng!" not in finding.summary + finding.detail


def test_a_secret_that_a_message_would_quote_is_masked(content_registry):
    # The username is quoted in the rejection; here it is also the password, so it must not appear.
    secret = "same-as-the-password-41f3"
    finding = only(run_preflight(values(content_registry, basic_auth={"username": secret, "password": secret}), "helm"))
    assert secret not in finding.detail and "******" in finding.detail


def test_no_credentials_for_a_private_registry_is_an_error_at_basic_auth(content_registry):
    finding = only(run_preflight(values(content_registry, basic_auth=None), "helm"))
    assert (finding.severity, finding.path, finding.summary) == (
        "error",
        ("basic_auth",),
        "Registry requires credentials",
    )


def test_an_unknown_host_says_so(content_registry):
    finding = only(run_preflight(values(content_registry, endpoint="nonexistent.invalid"), "helm"))
    assert (finding.severity, finding.path, finding.summary) == ("error", ("endpoint",), "Registry host not found")
    assert '"nonexistent.invalid"' in finding.detail and 'preflight = "off"' in finding.detail


def test_a_closed_port_says_so(content_registry):
    port = free_port()
    finding = only(run_preflight(values(content_registry, endpoint=f"127.0.0.1:{port}"), "helm"))
    assert (finding.severity, finding.path, finding.summary) == ("error", ("endpoint",), "Registry port closed")
    assert f"127.0.0.1:{port}" in finding.detail


@pytest.mark.parametrize("ca", ["none", "another CA"])
def test_an_untrusted_certificate_points_at_the_ca_certificate(content_registry, ca):
    tls = None if ca == "none" else {"ca_certificate": CertificateAuthority.create().cert_pem}
    finding = only(run_preflight(values(content_registry, tls=tls), "helm"))
    assert (finding.severity, finding.path) == ("error", ("tls", "ca_certificate"))
    assert finding.summary == "Registry certificate not trusted"
    assert "tls.ca_certificate" in finding.detail


def test_insecure_skip_verify_is_honoured(content_registry):
    tls = {"ca_certificate": None, "insecure_skip_verify": True}
    assert run_preflight(values(content_registry, tls=tls), "helm") == []


def test_plain_http_to_a_tls_registry_says_to_use_https(content_registry):
    finding = only(run_preflight(values(content_registry, endpoint=f"http://{content_registry.host}"), "helm"))
    assert (finding.path, finding.summary) == (("endpoint",), "The registry speaks HTTPS")
    assert f"https://{content_registry.host}" in finding.detail


def test_a_plain_http_registry_passes(plain_registry: DockerRegistry):
    assert run_preflight(values(plain_registry, endpoint=plain_registry.url), "helm") == []


def test_a_base_path_without_repositories_is_a_warning_naming_what_exists(content_registry):
    finding = only(run_preflight(values(content_registry, base_content_path="Preflight/charts"), "helm"))
    assert (finding.severity, finding.path) == ("warning", ("base_content_path",))
    assert finding.summary == "No content under base_content_path"
    assert '"Preflight/charts/"' in finding.detail and '"preflight"' in finding.detail


def test_a_zarf_package_under_a_helm_registry_is_a_warning_naming_it(content_registry):
    finding = only(run_preflight(values(content_registry, base_content_path="preflight/zarf"), "helm"))
    assert (finding.severity, finding.path, finding.summary) == (
        "warning",
        ("base_content_path",),
        "Content of another kind",
    )
    assert "preflight/zarf/podinfo:0.1.0 is a Zarf package" in finding.detail
    assert "oci_registry_zarf" in finding.detail


def test_a_helm_chart_where_packs_are_expected_is_a_warning(content_registry):
    finding = only(run_preflight(values(content_registry, base_content_path="preflight/mixed"), "pack"))
    assert (finding.severity, finding.summary) == ("warning", "Content of another kind")
    assert "is a Helm chart" in finding.detail and "oci_registry_helm" in finding.detail


def test_a_packs_base_path_that_includes_the_namespace_gets_the_right_value(content_registry):
    finding = only(
        run_preflight(values(content_registry, base_content_path="preflight/packs/spectro-packs/archive"), "pack")
    )
    assert (finding.severity, finding.path) == ("warning", ("base_content_path",))
    assert 'base_content_path = "preflight/packs"' in finding.detail


def test_no_secret_reaches_the_log(content_registry, caplog):
    caplog.set_level(logging.DEBUG)
    run_preflight(values(content_registry, basic_auth={"username": "palette-ci", "password": "L0g-s3cret"}), "helm")
    run_preflight(values(content_registry), "helm")
    assert caplog.records, "preflight logs its requests at debug level"
    assert "L0g-s3cret" not in caplog.text and content_registry.password not in caplog.text


def test_tls_to_a_plain_http_registry_says_to_use_http(plain_registry: DockerRegistry):
    finding = only(run_preflight(values(plain_registry, endpoint=plain_registry.host), "helm"))
    assert (finding.severity, finding.path, finding.summary) == ("error", ("endpoint",), "TLS handshake failed")
    assert f"http://{plain_registry.host}" in finding.detail


def test_a_loopback_registry_never_goes_through_a_proxy(plain_registry: DockerRegistry, monkeypatch):
    """Issue 21, item 10: with HTTP_PROXY set, the plain-http registry's Basic credentials went to the proxy."""
    from tests.harness.proxy import RecordingProxy

    with RecordingProxy() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert run_preflight(values(plain_registry, endpoint=plain_registry.url), "helm") == []
    assert proxy.received == []
