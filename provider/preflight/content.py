"""Checks 4 and 5: `base_content_path` holds repositories, and they hold the promised kind.

Both only warn: Palette stores a registry whatever it holds, and content may be pushed later.
A few repositories are sampled (sorted, the first SAMPLE), one tag each: bounded work on any
registry size.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from provider.kinds import KINDS
from provider.preflight import media
from provider.preflight.findings import BASE_CONTENT_PATH, ENDPOINT, Skipped, warning
from provider.preflight.registry import RegistryClient, json_body
from provider.problems import Path, Problem
from provider.words import Kind

log = logging.getLogger("provider.preflight")

SAMPLE = 3
CATALOG_PAGE = 1000
CATALOG_PAGES = 5
# By an artifact's kind: media.HELM, ZARF and PACK are the kinds; IMAGE and OTHER have no resource type.
RESOURCE_TYPES: dict[str, str] = {kind: info.resource_type for kind, info in KINDS.items()}


def catalog(registry: RegistryClient) -> list[str] | None:
    """Repository names from `/v2/_catalog`, or None when the registry does not list them to us."""
    names: list[str] = []
    params = {"n": str(CATALOG_PAGE)}
    for _ in range(CATALOG_PAGES):
        response = registry.get("/v2/_catalog", params=params)
        body = json_body(response) if response.status_code == 200 else None
        page = body.get("repositories") if isinstance(body, dict) else None
        if not isinstance(page, list):
            log.debug("preflight: no catalog (HTTP %s)", response.status_code)
            return names or None
        names.extend(name for name in page if isinstance(name, str))
        following = response.links.get("next", {}).get("url")
        if not following or not page:
            break
        params = {"n": str(CATALOG_PAGE), "last": page[-1]}
    return names


def in_scope(names: list[str], base_content_path: str, kind: Kind) -> list[str]:
    """The repositories Palette would look at; a warning (which ends the run) when there are none."""
    prefix = media.content_prefix(base_content_path, kind)
    found = sorted(name for name in names if media.in_scope(name, prefix, kind))
    if found:
        return found
    raise Skipped(empty_path(names, base_content_path, kind))


def empty_path(names: list[str], base_content_path: str, kind: Kind) -> Problem:
    base = base_content_path.strip().strip("/")
    prefix = media.content_prefix(base, kind)
    where = f'under "{prefix}/"' if prefix else "in the registry"
    detail = f"The registry lists {len(names)} repositories, none {where}: Palette would find nothing to synchronize."
    if kind == media.PACK:
        detail += " " + _packs_hint(names, base)
    elif names:
        detail += (
            f" Existing repositories start with: {_namespaces(names)}. base_content_path is case-sensitive, "
            "without a leading slash."
        )
    return warning(_path(base), "No content under base_content_path", detail)


def _packs_hint(names: list[str], base: str) -> str:
    hint = (
        f"Palette looks for packs in {media.content_prefix(base, 'pack')}/<pack>, pushed with "
        f"`oras push <registry>/{media.content_prefix(base, 'pack')}/<pack>:<version> <pack>-<version>.tar.gz`."
    )
    for suffix in (media.PACKS_NAMESPACE, "spectro-packs"):
        if base == suffix or base.endswith("/" + suffix):
            parent = base[: -len(suffix)].rstrip("/")
            hint += f' base_content_path is the part before spectro-packs/archive: base_content_path = "{parent}".'
            break
    if names:
        hint += f" Existing repositories start with: {_namespaces(names)}."
    return hint


def _namespaces(names: list[str], limit: int = 5) -> str:
    tops = sorted({name.split("/")[0] for name in names})
    shown = ", ".join(f'"{top}"' for top in tops[:limit])
    return shown + (f" and {len(tops) - limit} more" if len(tops) > limit else "")


def _path(base: str) -> Path:
    return BASE_CONTENT_PATH if base else ENDPOINT


# ---------------------------------------------------------------------------- kind


def check_kind(registry: RegistryClient, repositories: list[str], base: str, kind: Kind) -> Problem | None:
    """A warning when the sampled content is not of the kind the resource promises."""
    samples = list(_samples(registry, repositories[:SAMPLE], kind))
    if any(artifact.kind == kind for _, artifact in samples):
        return None
    if not samples:
        return _untagged(repositories[:SAMPLE], base)
    found = "; ".join(f"{reference} is {artifact.describe()}" for reference, artifact in samples)
    others = sorted({RESOURCE_TYPES[a.kind] for _, a in samples if a.kind in RESOURCE_TYPES})
    fix = f" or declare it as {' / '.join(others)}" if others else ""
    return warning(
        _path(base.strip().strip("/")),
        "Content of another kind",
        f"{RESOURCE_TYPES[kind]} expects {media.EXPECTED[kind]}, but {found}. Palette would "
        f"not find what it expects. Point base_content_path at the right content{fix}.",
    )


def _untagged(repositories: list[str], base: str) -> Problem:
    return warning(
        _path(base.strip().strip("/")),
        "No tagged content under base_content_path",
        f"The repositories {', '.join(repositories)} hold no tag with a readable manifest: nothing has been "
        "pushed there yet, or the push did not finish.",
    )


def _samples(registry: RegistryClient, repositories: list[str], kind: Kind) -> Iterator[tuple[str, media.Artifact]]:
    """(repository:tag, artifact) for the sampled repositories, stopping at the first of the right kind."""
    for repository in repositories:
        tag = _a_tag(registry, repository)
        artifact = _artifact(registry, repository, tag) if tag else None
        if artifact is None:
            continue
        yield f"{repository}:{tag}", artifact
        if artifact.kind == kind:
            return


def _a_tag(registry: RegistryClient, repository: str) -> str | None:
    response = registry.get(f"/v2/{repository}/tags/list", params={"n": "100"})
    body = json_body(response) if response.status_code == 200 else None
    tags = [tag for tag in (body.get("tags") or [] if isinstance(body, dict) else []) if isinstance(tag, str)]
    return tags[-1] if tags else None


def _artifact(registry: RegistryClient, repository: str, reference: str) -> media.Artifact | None:
    manifest = _manifest(registry, repository, reference)
    if manifest is not None and media.is_index(manifest):
        child = media.first_child(manifest)
        manifest = _manifest(registry, repository, child) if child else None
    return media.classify(manifest) if manifest is not None else None


def _manifest(registry: RegistryClient, repository: str, reference: str) -> dict[str, object] | None:
    response = registry.get(f"/v2/{repository}/manifests/{reference}", accept=media.MANIFEST_ACCEPT)
    body = json_body(response) if response.status_code == 200 else None
    if not isinstance(body, dict):
        log.debug("preflight: no manifest for %s (HTTP %s)", repository, response.status_code)
        return None
    return body
