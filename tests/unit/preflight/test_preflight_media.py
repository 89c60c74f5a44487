"""What a manifest holds, told from its media types; where Palette looks for each kind."""

from __future__ import annotations

import pytest

from provider.preflight import media

LAYER = "application/vnd.oci.image.layer.v1.tar"
ORAS_CONFIG = "application/vnd.unknown.config.v1+json"
DOCKER_IMAGE = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
ZARF_LAYERS = ((media.ZARF_LAYER, "zarf.yaml"), (media.ZARF_LAYER, "components/a.tar"))


def manifest(config: str, *layers: tuple[str, str | None]) -> dict:
    return {
        "schemaVersion": 2,
        "mediaType": media.OCI_MANIFEST,
        "config": {"mediaType": config, "digest": "sha256:" + "0" * 64, "size": 2},
        "layers": [
            {"mediaType": kind, "digest": "sha256:" + "1" * 64, "size": 1}
            | ({"annotations": {media.TITLE: title}} if title else {})
            for kind, title in layers
        ],
    }


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        (manifest(media.HELM_CONFIG, (media.HELM_CHART_LAYER, "nginx-1.2.3.tgz")), media.HELM),
        (manifest(media.ZARF_CONFIG, *ZARF_LAYERS), media.ZARF),
        # Other zarf layouts: the config type differs, the zarf.yaml layer tells.
        (manifest(ORAS_CONFIG, (LAYER, "zarf.yaml")), media.ZARF),
        (manifest(ORAS_CONFIG, (LAYER, "hello-1.0.0.tar.gz")), media.PACK),
        (manifest("application/vnd.oci.empty.v1+json", (LAYER, "hello-1.0.0.tgz")), media.PACK),
        (manifest("application/vnd.oci.image.config.v1+json", (LAYER, "rootfs.tar.gz")), media.IMAGE),
        (manifest(DOCKER_IMAGE, (DOCKER_LAYER, None)), media.IMAGE),
        (manifest(ORAS_CONFIG, (LAYER, "notes.txt")), media.OTHER),
        ({"schemaVersion": 2}, media.OTHER),
    ],
)
def test_classify(document, kind):
    assert media.classify(document).kind == kind


def test_a_description_names_the_kind_and_the_config_media_type():
    artifact = media.classify(manifest(media.ZARF_CONFIG, (media.ZARF_LAYER, "zarf.yaml")))
    assert artifact.describe() == f"a Zarf package (config media type {media.ZARF_CONFIG})"
    assert media.Artifact(media.OTHER, "").describe() == "an artifact of another kind (config media type none)"


def test_an_index_is_followed_to_its_first_manifest_that_is_not_an_attestation():
    index = {
        "schemaVersion": 2,
        "mediaType": media.OCI_INDEX,
        "manifests": [
            {"digest": "sha256:att", "annotations": {"vnd.docker.reference.type": "attestation-manifest"}},
            {"digest": "sha256:amd64", "platform": {"os": "multi", "architecture": "amd64"}},
        ],
    }
    assert media.is_index(index)
    assert media.first_child(index) == "sha256:amd64"
    assert media.is_index({"schemaVersion": 2, "manifests": []})  # no mediaType field: the shape tells
    assert not media.is_index(manifest(media.HELM_CONFIG))
    assert media.first_child({"manifests": []}) is None


@pytest.mark.parametrize(
    ("base", "provider_type", "prefix"),
    [
        ("charts", "helm", "charts"),
        ("/charts/", "helm", "charts"),
        ("", "helm", ""),
        ("spectro-oci-registry", "pack", "spectro-oci-registry/spectro-packs/archive"),
        ("", "pack", "spectro-packs/archive"),
    ],
)
def test_content_prefix(base, provider_type, prefix):
    assert media.content_prefix(base, provider_type) == prefix


def test_in_scope():
    assert media.in_scope("charts", "charts", "helm")  # the base may itself be a repository
    assert media.in_scope("charts/nginx", "charts", "helm")
    assert not media.in_scope("charts-old/nginx", "charts", "helm")
    assert media.in_scope("anything", "", "helm")
    packs = "base/spectro-packs/archive"
    assert media.in_scope(f"{packs}/hello", packs, "pack")
    assert not media.in_scope(packs, packs, "pack")  # the namespace's own (empty) artifact is no pack
