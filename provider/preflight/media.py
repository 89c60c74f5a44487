"""What an OCI manifest holds, told from its media types: the kinds Palette registers, and the rest.

Helm charts (Helm >= 3.8 `helm push`): an OCI image manifest whose config is
`application/vnd.cncf.helm.config.v1+json`, with a `application/vnd.cncf.helm.chart.content.v1.tar+gzip`
layer.

Zarf packages (`zarf package publish`): an OCI image manifest whose config is
`application/vnd.zarf.config.v1+json`, with `application/vnd.zarf.layer.v1.blob` layers titled by
`org.opencontainers.image.title` after the files of the package (`zarf.yaml`, `checksums.txt`,
`components/<name>.tar`, `images/...`). The tag usually names an OCI image index with one such
manifest per architecture (platform os `multi`), so an index is followed to its first manifest.

Packs (Palette's OCI pack registries, per Spectro Cloud's guides): `oras push
<registry>/<base_content_path>/spectro-packs/archive/<pack>:<version> <pack>-<version>.tar.gz`, i.e.
a manifest whose config is ORAS's placeholder (`application/vnd.unknown.config.v1+json` from ORAS
1.0, the empty descriptor `application/vnd.oci.empty.v1+json` from later versions) and one layer
titled `<pack>-<version>.tar.gz` holding the pack directory (pack.json, values.yaml, charts/).
A manifest counts as a pack when a layer is titled `*.tar.gz`/`*.tgz` and its config is not a
Helm chart's, a Zarf package's or a container image's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provider.words import Kind

HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
ZARF_CONFIG = "application/vnd.zarf.config.v1+json"
ZARF_LAYER = "application/vnd.zarf.layer.v1.blob"
IMAGE_CONFIGS = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST))
TITLE = "org.opencontainers.image.title"

# Palette's namespace for packs under base_content_path.
PACKS_NAMESPACE = "spectro-packs/archive"

HELM, ZARF, PACK, IMAGE, OTHER = "helm", "zarf", "pack", "image", "other"

# What each resource kind promises, in the words a warning uses.
EXPECTED = {
    HELM: f"Helm charts (config media type {HELM_CONFIG})",
    ZARF: f"Zarf packages (config media type {ZARF_CONFIG})",
    PACK: f"packs (a <pack>-<version>.tar.gz layer pushed with ORAS under {PACKS_NAMESPACE}/<pack>)",
}
_NAMES = {HELM: "a Helm chart", ZARF: "a Zarf package", PACK: "a pack archive", IMAGE: "a container image"}


@dataclass(frozen=True)
class Artifact:
    kind: str  # HELM | ZARF | PACK | IMAGE | OTHER
    config_media_type: str

    def describe(self) -> str:
        name = _NAMES.get(self.kind, "an artifact of another kind")
        return f"{name} (config media type {self.config_media_type or 'none'})"


def is_index(manifest: Mapping[str, Any], content_type: str = "") -> bool:
    media_type = manifest.get("mediaType") or content_type.split(";")[0].strip()
    return media_type in INDEX_TYPES or ("manifests" in manifest and "layers" not in manifest)


def first_child(index: Mapping[str, Any]) -> str | None:
    """The digest of the index's first manifest that is not an attestation (buildx adds those)."""
    for entry in index.get("manifests") or []:
        annotations = entry.get("annotations") or {}
        if annotations.get("vnd.docker.reference.type") == "attestation-manifest":
            continue
        digest = entry.get("digest")
        if isinstance(digest, str):
            return digest
    return None


def classify(manifest: Mapping[str, Any]) -> Artifact:
    """The kind of the artifact an image manifest describes (not an index: follow it first)."""
    config = manifest.get("config") or {}
    config_type = str(config.get("mediaType") or "")
    layers = [layer for layer in manifest.get("layers") or [] if isinstance(layer, Mapping)]
    titles = [str((layer.get("annotations") or {}).get(TITLE, "")) for layer in layers]
    if config_type == HELM_CONFIG or any(layer.get("mediaType") == HELM_CHART_LAYER for layer in layers):
        return Artifact(HELM, config_type)
    if config_type == ZARF_CONFIG or "zarf.yaml" in titles:
        return Artifact(ZARF, config_type)
    if config_type in IMAGE_CONFIGS:
        return Artifact(IMAGE, config_type)
    if any(title.endswith((".tar.gz", ".tgz")) for title in titles):
        return Artifact(PACK, config_type)
    return Artifact(OTHER, config_type)


def content_prefix(base_content_path: str, kind: Kind) -> str:
    """The repository prefix under which Palette looks for this kind's content ("" = everywhere)."""
    base = base_content_path.strip().strip("/")
    if kind != PACK:
        return base
    return f"{base}/{PACKS_NAMESPACE}" if base else PACKS_NAMESPACE


def under(repository: str, prefix: str) -> bool:
    return not prefix or repository.startswith(prefix + "/")


def in_scope(repository: str, prefix: str, kind: Kind) -> bool:
    """Whether Palette would look at `repository`: under the prefix; for packs, a repository per pack."""
    if kind == PACK:
        return under(repository, prefix)
    return repository == prefix or under(repository, prefix)
