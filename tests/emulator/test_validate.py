"""The validate endpoints contact real registries: Debian's docker-registry (HTTP and TLS) and moto (ECR, STS)."""

from __future__ import annotations

import secrets

import httpx
import pytest

from palette_emulator.contact import ContactFailed, ecr_region
from tests.emulator.helpers import create, error_of, wait_for_sync
from tests.harness.emulator import Emulator, basic_registry, ecr_registry
from tests.harness.moto import MotoServer
from tests.harness.processes import free_port
from tests.harness.registry import DockerRegistry


def _validate_basic(client: httpx.Client, spec: dict[str, object]) -> httpx.Response:
    return client.post("/v1/registries/oci/basic/validate", json=spec)


def _spec(registry: DockerRegistry, endpoint: str | None = None, **kwargs: object) -> dict[str, object]:
    kwargs.setdefault("username", registry.username)
    kwargs.setdefault("password", registry.password)
    return basic_registry("v", endpoint or registry.url, **kwargs)["spec"]  # type: ignore[arg-type]


# Basic registries over plain HTTP


def test_good_credentials(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    answer = _validate_basic(palette, _spec(docker_registry))
    assert answer.status_code == 204 and answer.headers["AuditUid"]


def test_wrong_password(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    error = error_of(_validate_basic(palette, _spec(docker_registry, password="wrong-password-xyz")), 400)
    assert "401 unauthorized" in error["message"] and docker_registry.username in error["message"]
    assert "wrong-password-xyz" not in error["message"]


def test_no_credentials_for_a_private_registry(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    error = error_of(_validate_basic(palette, _spec(docker_registry, username="")), 400)
    assert "401 unauthorized" in error["message"] and "anonymous" in error["message"]


def test_unreachable(palette: httpx.Client) -> None:
    spec = basic_registry("v", f"http://127.0.0.1:{free_port()}", username="u", password="p")["spec"]
    message = error_of(_validate_basic(palette, spec), 400)["message"]
    assert "unreachable" in message
    # Issue 24: the emulator's own refusal says how to turn its contact check off.
    assert message.endswith("start it with --validate accept to accept registries without contacting them)")


def test_https_against_plain_http(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    error = error_of(_validate_basic(palette, _spec(docker_registry, endpoint=docker_registry.host)), 400)
    assert "TLS" in error["message"]


def test_not_a_registry(palette: httpx.Client, clean_emulator: Emulator) -> None:
    # The emulator itself answers 404 on /v2/: reachable, but not an OCI distribution registry.
    spec = basic_registry("v", clean_emulator.url)["spec"]
    assert "not an OCI distribution registry" in error_of(_validate_basic(palette, spec), 400)["message"]


def test_validation_errors_name_the_field(palette: httpx.Client) -> None:
    error = error_of(_validate_basic(palette, {"auth": {"type": "noAuth"}}), 400)
    assert "endpoint: is required" in error["message"]


def test_bearer_token_flow(palette: httpx.Client, docker_registry_token: DockerRegistry) -> None:
    assert docker_registry_token.token_server is not None
    issued = docker_registry_token.token_server.issued
    assert _validate_basic(palette, _spec(docker_registry_token)).status_code == 204
    assert docker_registry_token.token_server.issued == issued + 1
    error = error_of(_validate_basic(palette, _spec(docker_registry_token, password="not-the-password")), 400)
    assert "401 unauthorized" in error["message"]


# Basic registries over TLS


def test_tls_untrusted_ca(palette: httpx.Client, docker_registry_tls: DockerRegistry) -> None:
    error = error_of(_validate_basic(palette, _spec(docker_registry_tls)), 400)
    assert "TLS certificate not trusted" in error["message"]


def test_tls_with_ca(palette: httpx.Client, docker_registry_tls: DockerRegistry) -> None:
    assert docker_registry_tls.ca_pem
    spec = _spec(docker_registry_tls, ca_pem=docker_registry_tls.ca_pem)
    assert _validate_basic(palette, spec).status_code == 204
    # An endpoint without a scheme means https://.
    spec = _spec(docker_registry_tls, endpoint=docker_registry_tls.host, ca_pem=docker_registry_tls.ca_pem)
    assert _validate_basic(palette, spec).status_code == 204


def test_tls_insecure_skip_verify(palette: httpx.Client, docker_registry_tls: DockerRegistry) -> None:
    spec = _spec(docker_registry_tls, insecure_skip_verify=True)
    assert _validate_basic(palette, spec).status_code == 204


def test_tls_with_a_ca_that_is_not_pem(palette: httpx.Client, docker_registry_tls: DockerRegistry) -> None:
    spec = _spec(docker_registry_tls, ca_pem="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    assert "spec.auth.tls.ca" in error_of(_validate_basic(palette, spec), 400)["message"]


def test_tls_wrong_password(palette: httpx.Client, docker_registry_tls: DockerRegistry) -> None:
    spec = _spec(docker_registry_tls, ca_pem=docker_registry_tls.ca_pem, password="nope-nope-nope")
    assert "401" in error_of(_validate_basic(palette, spec), 400)["message"]


# ECR through moto


def _validate_ecr(client: httpx.Client, body: dict[str, object]) -> httpx.Response:
    return client.post("/v1/registries/oci/ecr/validate", json=body["spec"])


def test_ecr_good_keys(palette: httpx.Client, moto_server: MotoServer) -> None:
    keys = moto_server.create_user_with_keys(f"ecr-{secrets.token_hex(4)}")
    body = ecr_registry("e", access_key=keys.access_key_id, secret_key=keys.secret_access_key)
    assert _validate_ecr(palette, body).status_code == 204


def test_ecr_unknown_keys(palette: httpx.Client, moto_server: MotoServer) -> None:
    body = ecr_registry("e", access_key="AKIAUNKNOWNKEY000000", secret_key="unknown-secret-value")
    error = error_of(_validate_ecr(palette, body), 400)
    assert "InvalidClientTokenId" in error["message"] and "unknown-secret-value" not in error["message"]


def test_ecr_wrong_secret(palette: httpx.Client, moto_server: MotoServer) -> None:
    keys = moto_server.create_user_with_keys(f"ecr-{secrets.token_hex(4)}")
    body = ecr_registry("e", access_key=keys.access_key_id, secret_key="definitely-the-wrong-secret")
    error = error_of(_validate_ecr(palette, body), 400)
    assert "SignatureDoesNotMatch" in error["message"] and "definitely-the-wrong-secret" not in error["message"]


def test_ecr_sts_with_the_right_external_id(palette: httpx.Client, moto_server: MotoServer) -> None:
    role = moto_server.create_role(f"palette-{secrets.token_hex(4)}", external_id="tenant-1")
    assert _validate_ecr(palette, ecr_registry("e", role_arn=role, external_id="tenant-1")).status_code == 204


def test_ecr_sts_with_a_wrong_external_id(palette: httpx.Client, moto_server: MotoServer) -> None:
    role = moto_server.create_role(f"palette-{secrets.token_hex(4)}", external_id="tenant-1")
    error = error_of(_validate_ecr(palette, ecr_registry("e", role_arn=role, external_id="tenant-2")), 400)
    assert "AccessDenied" in error["message"] and "AssumeRole" in error["message"]


def test_ecr_region_comes_from_the_endpoint_or_default_region(palette: httpx.Client) -> None:
    assert ecr_region({"endpoint": "123456789012.dkr.ecr.eu-west-3.amazonaws.com"}) == "eu-west-3"
    assert ecr_region({"endpoint": "https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/"}) == "cn-north-1"
    assert ecr_region({"endpoint": "registry.example.com", "defaultRegion": "us-west-2"}) == "us-west-2"
    with pytest.raises(ContactFailed, match="region"):
        ecr_region({"endpoint": "registry.example.com"})
    body = ecr_registry("e", endpoint="registry.example.com", access_key="AKIA", secret_key="s")
    assert "region" in error_of(_validate_ecr(palette, body), 400)["message"]


def test_ecr_sync_against_moto(palette: httpx.Client, moto_server: MotoServer) -> None:
    keys = moto_server.create_user_with_keys(f"ecr-{secrets.token_hex(4)}")
    body = ecr_registry(
        "synced",
        access_key=keys.access_key_id,
        secret_key=keys.secret_access_key,
        base_content_path="charts",
        sync=True,
    )
    assert wait_for_sync(palette, "ecr", create(palette, "ecr", body))["status"] == "Completed"
    body = ecr_registry(
        "bad-sync", access_key="AKIAUNKNOWNKEY000000", secret_key="x" * 20, base_content_path="charts", sync=True
    )
    status = wait_for_sync(palette, "ecr", create(palette, "ecr", body))
    assert status["status"] == "Failed" and "InvalidClientTokenId" in status["message"]


def test_accept_mode_never_contacts(accept_emulator: Emulator) -> None:
    with accept_emulator.client() as palette:
        spec = basic_registry("v", f"http://127.0.0.1:{free_port()}", username="u", password="p")["spec"]
        assert _validate_basic(palette, spec).status_code == 204
        ecr = ecr_registry("e", access_key="AKIAUNKNOWN", secret_key="unknown")
        assert _validate_ecr(palette, ecr).status_code == 204


def test_the_variant_refusing_unvalidated_bodies(
    palette: httpx.Client, clean_emulator: Emulator, docker_registry: DockerRegistry
) -> None:
    """Variant validate-refuses-noauth-zarf: a no-auth or Zarf body is refused as a request (InvalidRequest), not
    judged (RegistryValidationFailed); a registry with credentials is still checked."""
    no_auth = _spec(docker_registry, username="", password="")
    zarf = _spec(docker_registry, provider_type="zarf")
    # The default: judged (this registry wants credentials, so anonymous access is refused).
    assert error_of(_validate_basic(palette, no_auth), 400)["code"] == "RegistryValidationFailed"
    clean_emulator.set_variants(["validate-refuses-noauth-zarf"])
    try:
        for spec, field in ((no_auth, "spec.auth.type"), (zarf, "spec.providerType")):
            error = error_of(_validate_basic(palette, spec), 400)
            assert error["code"] == "InvalidRequest" and error["message"].startswith(field), error
        assert _validate_basic(palette, _spec(docker_registry)).status_code == 204
    finally:
        clean_emulator.set_variants([])


def test_the_ca_field_and_its_variant(
    palette: httpx.Client, clean_emulator: Emulator, docker_registry_tls: DockerRegistry
) -> None:
    """By default the trust anchor is tls.ca (#978's description); variant ca-in-certificate reads it from
    tls.certificate without a key (where Spectro's OCI resource sends it) and keeps no tls.ca."""
    ca = docker_registry_tls.ca_pem
    in_ca = _spec(docker_registry_tls, ca_pem=ca)
    in_certificate = _spec(docker_registry_tls)
    in_certificate["auth"]["tls"]["certificate"] = ca  # type: ignore[index]
    assert _validate_basic(palette, in_ca).status_code == 204
    assert "not trusted" in error_of(_validate_basic(palette, in_certificate), 400)["message"]
    clean_emulator.set_variants(["ca-in-certificate"])
    try:
        assert "not trusted" in error_of(_validate_basic(palette, in_ca), 400)["message"]
        assert _validate_basic(palette, in_certificate).status_code == 204
        body = basic_registry("tls", docker_registry_tls.url, ca_pem=ca)
        body["spec"]["auth"]["tls"]["certificate"] = ca
        uid = create(palette, "basic", body)
        answered = palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["auth"]["tls"]
        assert "ca" not in answered and answered["certificate"] == ca
    finally:
        clean_emulator.set_variants([])
