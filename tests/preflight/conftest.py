"""Real registries holding real content, for the preflight tests. Built on the shared harness.

  plain_registry     the shared `docker_registry` (plain HTTP) holding a Helm chart
  content_registry   the shared `docker_registry_tls` (htpasswd + TLS from `test_ca`) holding, under
                     "preflight/": a Helm chart, a Zarf package (index -> manifest, as zarf publishes),
                     a pack (ORAS layout under spectro-packs/archive) and an empty-handed repository
  bearer_registry    docker-registry in `auth: token` mode with a token service (tokens.py)
  ecr                moto (shared `moto_server`) for STS/ECR, and a docker-registry standing in for the
                     ECR registry API: htpasswd user `AWS` with the password moto's token carries, a
                     certificate for the ECR host name, reached through preflight's `resolve` override
Only what the shared harness does not offer is here.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import secrets
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness.certs import CertificateAuthority
from tests.harness.moto import AwsKeys, MotoServer
from tests.harness.registry import (
    OCI_MANIFEST,
    DockerRegistry,
    Layer,
    digest_of,
    push_artifact,
    push_helm_chart,
    push_zarf_package,
)
from tests.preflight.tokens import TokenAuthRegistry, TokenService

ORAS_CONFIG = "application/vnd.unknown.config.v1+json"  # what `oras push` (1.0) writes as config
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ECR_HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
EMPTY_ECR_REPOSITORY = "preflight-ecr/empty/thing"


def values(registry: DockerRegistry, **overrides: Any) -> dict[str, Any]:
    """Resource values (as in Terraform state) for `registry`, its credentials and its CA."""
    result: dict[str, Any] = {
        "name": "preflight-test",
        "endpoint": registry.host,
        "base_content_path": "preflight/charts",
        "auto_sync": False,
        "basic_auth": {"username": registry.username, "password": registry.password},
        "ecr": None,
        "tls": {"ca_certificate": registry.ca_pem, "insecure_skip_verify": False} if registry.ca_pem else None,
    }
    result.update(overrides)
    return result


def pack_archive(name: str, version: str) -> bytes:
    """`<name>-<version>.tar.gz` as Spectro Cloud's guides build it: the pack directory with pack.json."""
    pack_json = json.dumps({"name": name, "version": version, "layer": "addon", "addonType": "app"}).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"{name}/pack.json")
        info.size = len(pack_json)
        tar.addfile(info, io.BytesIO(pack_json))
    return buffer.getvalue()


def push_pack(client: httpx.Client, base: str, name: str, version: str) -> str:
    """A pack as `oras push <registry>/<base>/spectro-packs/archive/<name>:<version> <name>-<version>.tar.gz`."""
    layer = Layer(OCI_LAYER, pack_archive(name, version), f"{name}-{version}.tar.gz")
    return push_artifact(
        client, f"{base}/spectro-packs/archive/{name}", version, config_media_type=ORAS_CONFIG, layers=[layer]
    )


def push_zarf_index(client: httpx.Client, repository: str, version: str) -> None:
    """A Zarf package as `zarf package publish` leaves it: the tag names an index of per-arch manifests."""
    # Push the per-arch manifest under the tag, then move the tag to the index: the manifest stays,
    # reachable by digest only, as zarf leaves it.
    manifest = push_zarf_package(client, repository, version)
    size = len(client.get(f"/v2/{repository}/manifests/{manifest}", headers={"Accept": OCI_MANIFEST}).content)
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": manifest,
                "size": size,
                "platform": {"os": "multi", "architecture": "amd64"},
            }
        ],
    }
    body = json.dumps(index).encode()
    answer = client.put(f"/v2/{repository}/manifests/{version}", content=body, headers={"Content-Type": OCI_INDEX})
    answer.raise_for_status()
    assert answer.headers["docker-content-digest"] == digest_of(body)


@pytest.fixture(scope="session")
def content_registry(docker_registry_tls: DockerRegistry) -> DockerRegistry:
    with docker_registry_tls.client() as client:
        push_helm_chart(client, "preflight/charts/nginx", "nginx", "1.2.3")
        push_zarf_index(client, "preflight/zarf/podinfo", "0.1.0")
        push_pack(client, "preflight/packs", "hello-universe", "1.0.0")
        push_helm_chart(client, "preflight/mixed/spectro-packs/archive/nginx", "nginx", "1.2.3")
    return docker_registry_tls


@pytest.fixture(scope="session")
def plain_registry(docker_registry: DockerRegistry) -> DockerRegistry:
    """The shared plain-HTTP `docker_registry`, holding a Helm chart under "preflight/charts"."""
    docker_registry.push_helm_chart("preflight/charts/nginx", "nginx", "1.2.3")
    return docker_registry


# ---------------------------------------------------------------------------- Bearer


@dataclass
class BearerSetup:
    registry: TokenAuthRegistry
    service: TokenService


@pytest.fixture(scope="session")
def bearer(tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority) -> Iterator[BearerSetup]:
    service = TokenService(test_ca, "token-user", "tk-" + secrets.token_hex(8)).start()
    registry = TokenAuthRegistry(tmp_path_factory.mktemp("bearer-registry"), ca=test_ca, token_service=service)
    try:
        registry.start()
        token = service.issue(service.username, ["repository:preflight/charts/nginx:pull,push"])
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=registry.url, verify=registry.verify, headers=headers) as client:
            push_helm_chart(client, "preflight/charts/nginx", "nginx", "1.2.3")
        yield BearerSetup(registry, service)
    finally:
        registry.stop()
        service.stop()


# ---------------------------------------------------------------------------- ECR


class NamedRegistry(DockerRegistry):
    """A DockerRegistry whose certificate also carries `names`, so it can answer for them via `resolve`."""

    def __init__(self, workdir: Path, *, names: tuple[str, ...], **kwargs: Any):
        super().__init__(workdir, **kwargs)
        self.names = names

    def _write_config(self) -> Path:
        path = super()._write_config()
        assert self.ca is not None
        self.ca.write_server_cert(self.workdir, hosts=("127.0.0.1", "localhost", *self.names))
        return path


@dataclass
class EcrSetup:
    moto: MotoServer
    registry: DockerRegistry
    keys: AwsKeys  # an IAM user allowed everything
    role_arn: str  # trusts `keys`' user, only with external_id
    external_id: str

    @property
    def resolve(self) -> dict[str, str]:
        return {f"{ECR_HOST}:443": self.registry.host}

    def values(self, ecr: dict[str, Any], base_content_path: str = "preflight-ecr/charts") -> dict[str, Any]:
        full = {"access_key_id": None, "secret_access_key": None, "role_arn": None, "external_id": None, **ecr}
        return values(self.registry, endpoint=ECR_HOST, basic_auth=None, ecr=full, base_content_path=base_content_path)


def ecr_password(moto: MotoServer) -> str:
    """The registry password inside the authorization token moto issues (base64 of "AWS:<password>")."""
    token = moto.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    username, _, password = base64.b64decode(token).decode().partition(":")
    assert username == "AWS"
    return password


@pytest.fixture(scope="session")
def ecr(
    tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority, moto_server: MotoServer
) -> Iterator[EcrSetup]:
    suffix = secrets.token_hex(4)
    keys = moto_server.create_user_with_keys(f"preflight-{suffix}")
    external_id = f"tenant-{suffix}"
    role_arn = moto_server.create_role(f"preflight-ecr-{suffix}", external_id=external_id, trusted_arn=keys.arn)
    repository = "preflight-ecr/charts/nginx"
    moto_ecr = moto_server.client("ecr")
    for name in (repository, EMPTY_ECR_REPOSITORY):  # the second only in ECR: nothing pushed
        with contextlib.suppress(moto_ecr.exceptions.RepositoryAlreadyExistsException):
            moto_ecr.create_repository(repositoryName=name)
    registry = NamedRegistry(
        tmp_path_factory.mktemp("ecr-registry"),
        names=(ECR_HOST,),
        ca=test_ca,
        extra_htpasswd=[("AWS", ecr_password(moto_server))],
    )
    with registry:
        registry.push_helm_chart(repository, "nginx", "1.2.3")
        yield EcrSetup(moto_server, registry, keys, role_arn, external_id)


@pytest.fixture
def aws_env(ecr: EcrSetup, monkeypatch: pytest.MonkeyPatch) -> EcrSetup:
    """This machine's AWS environment: moto, with the IAM user's keys as the ambient credentials."""
    for name, value in ecr.moto.env(ecr.keys).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return ecr
