"""A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) with htpasswd auth.

    registry = DockerRegistry(tmp_dir).start()                 # plain HTTP
    registry = DockerRegistry(tmp_dir, ca=ca).start()          # HTTPS, certificate issued by `ca`
    registry.url          "http://127.0.0.1:PORT" (or https://)
    registry.host         "127.0.0.1:PORT"
    registry.username / registry.password / registry.ca_pem (None for plain HTTP)
    registry.client()     httpx.Client: base_url, basic auth and the CA already set
    registry.push_helm_chart("charts/nginx", "nginx", "1.2.3")
    registry.stop()

Pushing without Docker goes through the distribution API with httpx (`push_artifact`): upload
each blob, then PUT an OCI image manifest whose config has the given media type (Helm, Zarf, ...).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import secrets
import shutil
import ssl
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .certs import CertificateAuthority
from .processes import ManagedProcess, free_port
from .token_server import TokenServer

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
ZARF_CONFIG = "application/vnd.zarf.config.v1+json"
ZARF_LAYER = "application/vnd.zarf.layer.v1.blob"
OCTET_STREAM = "application/octet-stream"

INSTALL_HINT = "install it with: apt-get install -y docker-registry apache2-utils (scripts/test does this as root)"


def _htpasswd_line(username: str, password: str) -> str:
    import bcrypt

    # Cost 4 (the minimum): the registry checks the hash on every request; tests need speed, not strength.
    return f"{username}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"


@dataclass(frozen=True)
class Layer:
    media_type: str
    data: bytes
    title: str | None = None


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def upload_blob(client: httpx.Client, repository: str, data: bytes) -> str:
    """Upload one blob (POST then PUT ?digest=); returns its digest."""
    digest = digest_of(data)
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    started.raise_for_status()
    location = started.headers["location"]
    # Append the digest by hand: httpx `params=` would drop the registry's own `_state` query.
    separator = "&" if "?" in location else "?"
    done = client.put(f"{location}{separator}digest={digest}", content=data, headers={"Content-Type": OCTET_STREAM})
    done.raise_for_status()
    return digest


def push_artifact(
    client: httpx.Client,
    repository: str,
    reference: str,
    *,
    config_media_type: str,
    config: bytes = b"{}",
    layers: Sequence[Layer] = (),
    annotations: dict[str, str] | None = None,
) -> str:
    """Push an OCI artifact (config + layers + manifest) to `repository:reference`; returns the manifest digest.

    `client` talks to the registry: its base_url, auth and TLS settings are used as they are."""
    descriptors = []
    for layer in layers:
        digest = upload_blob(client, repository, layer.data)
        descriptor: dict[str, Any] = {"mediaType": layer.media_type, "digest": digest, "size": len(layer.data)}
        if layer.title:
            descriptor["annotations"] = {"org.opencontainers.image.title": layer.title}
        descriptors.append(descriptor)
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": config_media_type,
            "digest": upload_blob(client, repository, config),
            "size": len(config),
        },
        "layers": descriptors,
    }
    if annotations:
        manifest["annotations"] = annotations
    body = json.dumps(manifest).encode()
    answer = client.put(f"/v2/{repository}/manifests/{reference}", content=body, headers={"Content-Type": OCI_MANIFEST})
    answer.raise_for_status()
    return answer.headers.get("docker-content-digest") or digest_of(body)


def helm_chart_archive(name: str, version: str) -> bytes:
    """A minimal packaged Helm chart (`<name>-<version>.tgz` content): just Chart.yaml."""
    chart_yaml = f"apiVersion: v2\nname: {name}\nversion: {version}\ndescription: test chart\ntype: application\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"{name}/Chart.yaml")
        info.size = len(chart_yaml)
        tar.addfile(info, io.BytesIO(chart_yaml.encode()))
    return buffer.getvalue()


def push_helm_chart(client: httpx.Client, repository: str, name: str, version: str) -> str:
    """Push a Helm chart as `helm push` lays it out: tag = chart version, Helm config and layer media types."""
    config = json.dumps({"name": name, "version": version, "apiVersion": "v2"}).encode()
    layer = Layer(HELM_CHART_LAYER, helm_chart_archive(name, version), f"{name}-{version}.tgz")
    return push_artifact(client, repository, version, config_media_type=HELM_CONFIG, config=config, layers=[layer])


def push_zarf_package(client: httpx.Client, repository: str, tag: str) -> str:
    """Push a Zarf-style artifact (Zarf config media type, one opaque layer)."""
    config = json.dumps({"kind": "ZarfPackageConfig", "metadata": {"name": repository.rsplit("/", 1)[-1]}}).encode()
    layer = Layer(ZARF_LAYER, b"zarf.yaml test content", "zarf.yaml")
    return push_artifact(client, repository, tag, config_media_type=ZARF_CONFIG, config=config, layers=[layer])


class BearerTokenAuth(httpx.Auth):
    """httpx auth for registries that answer 401 with a Bearer challenge: fetch a token, retry.

    The token request carries the challenge's realm/service/scope and HTTP basic credentials."""

    requires_response_body = True

    def __init__(self, username: str, password: str) -> None:
        self.basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def auth_flow(self, request: httpx.Request) -> Any:
        response = yield request
        challenge = response.headers.get("www-authenticate", "")
        if response.status_code != 401 or not challenge.lower().startswith("bearer "):
            return
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        realm = params.pop("realm")
        token_response = yield httpx.Request("GET", realm, params=params, headers={"Authorization": self.basic})
        token = token_response.json().get("token", "")
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class DockerRegistry:
    def __init__(
        self,
        workdir: Path,
        *,
        ca: CertificateAuthority | None = None,
        username: str = "palette-ci",
        password: str | None = None,
        auth: bool = True,
        extra_htpasswd: Sequence[tuple[str, str]] = (),
        token_auth: bool = False,
    ) -> None:
        """`ca` given: serve HTTPS with a certificate it issues. `auth=False`: anonymous registry.
        `extra_htpasswd`: more (username, password) pairs, e.g. ("AWS", token) to stand in for ECR.
        `token_auth`: demand the Bearer token flow (a TokenServer holding the same users) instead of Basic."""
        self.workdir = Path(workdir)
        self.ca = ca
        self.username = username
        self.password = password if password is not None else "pw-" + secrets.token_hex(12)
        self.auth = auth
        self.extra_htpasswd = tuple(extra_htpasswd)
        self.token_server: TokenServer | None = None
        if token_auth:
            self.token_server = TokenServer({self.username: self.password, **dict(self.extra_htpasswd)})
        self.port = 0
        self.process: ManagedProcess | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.ca else "http"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def ca_pem(self) -> str | None:
        return self.ca.cert_pem if self.ca else None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client needs to trust this registry."""
        return ssl.create_default_context(cadata=self.ca.cert_pem) if self.ca else True

    def _write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        http: dict[str, Any] = {"addr": self.host, "secret": secrets.token_hex(16)}
        if self.ca:
            cert_file, key_file = self.ca.write_server_cert(self.workdir)
            http["tls"] = {"certificate": str(cert_file), "key": str(key_file)}
        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(self.workdir / "data")}, "delete": {"enabled": True}},
            "http": http,
        }
        if self.token_server is not None:
            roots = self.token_server.write_cert(self.workdir / "token-signer.crt")
            config["auth"] = {
                "token": {
                    "realm": self.token_server.realm,
                    "service": self.token_server.service,
                    "issuer": self.token_server.issuer,
                    "rootcertbundle": str(roots),
                }
            }
        elif self.auth:
            htpasswd = self.workdir / "htpasswd"
            users = [(self.username, self.password), *self.extra_htpasswd]
            htpasswd.write_text("".join(_htpasswd_line(user, password) for user, password in users))
            config["auth"] = {"htpasswd": {"realm": "palette-test", "path": str(htpasswd)}}
        path = self.workdir / "config.yml"
        path.write_text(json.dumps(config))  # JSON is YAML
        return path

    def start(self, timeout: float = 15.0) -> DockerRegistry:
        binary = shutil.which("docker-registry")
        if binary is None:
            raise RuntimeError(f"docker-registry is not installed; {INSTALL_HINT}")
        self.port = free_port()
        if self.token_server is not None:
            self.token_server.start()
        config = self._write_config()
        self.process = ManagedProcess.start([binary, "serve", config], name="docker-registry")
        self.process.wait_for_http(f"{self.url}/v2/", timeout, verify=self.verify)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        if self.token_server is not None:
            self.token_server.stop()

    def __enter__(self) -> DockerRegistry:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for this registry, authenticated as `username` unless `auth=` says otherwise
        (with `token_auth`, through the Bearer token flow)."""
        if self.token_server is not None:
            kwargs.setdefault("auth", BearerTokenAuth(self.username, self.password))
        kwargs.setdefault("auth", (self.username, self.password) if self.auth else None)
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.url, **kwargs)

    def push_helm_chart(self, repository: str, name: str, version: str) -> str:
        with self.client() as client:
            return push_helm_chart(client, repository, name, version)

    def push_zarf_package(self, repository: str, tag: str) -> str:
        with self.client() as client:
            return push_zarf_package(client, repository, tag)
