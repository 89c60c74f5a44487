"""`probe --write`: one scratch registry, created, changed, synchronised and deleted.

The scratch registry is a basic Helm registry named `terraform-provider-oci-probe-<8 hex>` with an
annotation saying it is safe to delete, pointing at `https://terraform-provider-oci-probe.invalid`:
`.invalid` never resolves (RFC 2606), so no registry anywhere is contacted by Palette on our behalf
and every sync fails. Two more creates try what Palette should refuse (the same name again, a Zarf
registry with sync on); what they create is deleted too. Everything this run created is deleted
at the end, also after a failure, Ctrl-C or SIGTERM: by uid, then by this run's name in the summary
(a create interrupted before its answer). A uid that could not be deleted is returned, to be printed.
"""

from __future__ import annotations

import secrets
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from provider.palette.client import PaletteClient
from provider.palette.errors import NotFoundError, PaletteError, UnexplainedNotFoundError
from provider.palette.models import (
    BasicOciRegistry,
    BasicOciRegistrySpec,
    ObjectMeta,
    RegistryAuth,
    RegistrySyncStatus,
    TlsConfiguration,
)
from provider.palette.sync import SyncState, classify_sync
from provider.probe import shapes
from provider.probe.reads import answer_shape, read_registry
from provider.probe.shapes import Observations, word
from provider.words import Kind

SCRATCH_PREFIX = "terraform-provider-oci-probe-"
SCRATCH_ENDPOINT = "https://terraform-provider-oci-probe.invalid"
PROBE_ANNOTATION = "terraform-provider-oci/probe"
# A self-signed certificate whose key was thrown away at once: the scratch registry's CA, public by nature,
# so the probe sees where Palette keeps a CA (tls.ca, or tls.certificate as Spectro's OCI resource sends it).
SCRATCH_CA = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBzzCCAXWgAwIBAgIUBR0Lf0Vwx1edglfAdymHwfxDrjgwCgYIKoZIzj0EAwIw\n"
    "PDE6MDgGA1UEAwwxdGVycmFmb3JtLXByb3ZpZGVyLW9jaSBwcm9iZSAobm90IGEg\n"
    "dHJ1c3QgYW5jaG9yKTAgFw0yNjEyMDYwMDUyNDlaGA8yMTI2MTExMjAwNTI0OVow\n"
    "PDE6MDgGA1UEAwwxdGVycmFmb3JtLXByb3ZpZGVyLW9jaSBwcm9iZSAobm90IGEg\n"
    "dHJ1c3QgYW5jaG9yKTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDD5kLD7hE9w\n"
    "++/8PJg5Pk1myKxsb3vVsCfToNzWjCA/9J1KHniCF3e6F2jDRZpOuNCW8j/YmeTf\n"
    "qjmCNdj3puSjUzBRMB0GA1UdDgQWBBRBQzrebSn40JurkQ5u+drJCgYFwDAfBgNV\n"
    "HSMEGDAWgBRBQzrebSn40JurkQ5u+drJCgYFwDAPBgNVHRMBAf8EBTADAQH/MAoG\n"
    "CCqGSM49BAMCA0gAMEUCIDjIt5Z7mnVBLgM3guul8mKdMdF1nHD8ZvVZm6oHi5yz\n"
    "AiEAxQtn3bqsvV0h0WgCYobz41GZBrOM09b4FLFqC/dHVQE=\n"
    "-----END CERTIFICATE-----\n"
)

SAFE_TO_DELETE = "scratch registry of terraform-provider-oci probe; safe to delete"


def refused(obs: Observations, exc: PaletteError, *, code: bool = False) -> str:
    """A refusal as a shape ("refused 400", with the code when asked); a path Palette does not know
    (405, or a 404 without ResourceNotFound) is noted for row 1 too."""
    if isinstance(exc, UnexplainedNotFoundError) or exc.status == 405:
        obs.note(shapes.PATHS_UNKNOWN, f"{exc.method} {shapes.path_template(exc.path or '')}")
    if exc.status is None:
        return "no answer"
    return f"refused {exc.status}" + (f" {word(exc.code)}" if code and exc.code else "")


class Scratch:
    """What this run created, so that all of it is deleted whatever happens."""

    def __init__(self, client: PaletteClient) -> None:
        self.client = client
        self.name = SCRATCH_PREFIX + secrets.token_hex(4)
        self.uids: list[str] = []

    def model(self, password: str, *, name: str | None = None, kind: Kind = "helm") -> BasicOciRegistry:
        zarf = kind == "zarf"
        spec = BasicOciRegistrySpec(
            endpoint=SCRATCH_ENDPOINT,
            provider_type=kind,
            base_path="probe",
            base_content_path="probe" if zarf else "",
            is_sync_supported=zarf,  # Zarf: the sync Palette should refuse
            auth=RegistryAuth(type="noAuth")
            if zarf
            else RegistryAuth(type="basic", username="probe", password=password),
        )
        # The CA in both fields, as the provider sends it (mapping.expand_tls).
        spec.auth.tls = TlsConfiguration(enabled=True, ca=SCRATCH_CA, certificate=SCRATCH_CA)
        meta = ObjectMeta(name=name or self.name, annotations={PROBE_ANNOTATION: SAFE_TO_DELETE})
        return BasicOciRegistry(metadata=meta, spec=spec)

    def create(self, registry: BasicOciRegistry) -> str:
        uid = self.client.create(registry)
        self.uids.append(uid)
        return uid

    def delete_all(self) -> list[str]:
        """Delete everything this run created; the uids that could not be deleted."""
        left: list[str] = []
        try:
            named = [
                item.metadata.uid
                for item in self.client.list_oci()
                if (item.metadata.name or "").startswith(self.name) and item.metadata.uid
            ]
        except PaletteError:
            named = []
        for uid in dict.fromkeys([*self.uids, *(u for u in named if u)]):
            try:
                self.client.delete("basic", uid)
            except NotFoundError:
                pass
            except PaletteError:
                left.append(uid)
        self.uids = []
        return left


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while the scratch registries are deleted."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(client: PaletteClient, obs: Observations, *, sync_timeout: float, left: list[str]) -> None:
    """The write steps; `left` receives the uids that could not be deleted (also when Ctrl-C or an
    unexpected error ends the steps early, which then propagates)."""
    scratch = Scratch(client)
    try:
        _steps(client, obs, scratch, sync_timeout)
    except PaletteError as exc:
        obs.note("write: stopped early", f"{exc.method} {shapes.path_template(exc.path or '')}: {refused(obs, exc)}")
    finally:
        with uninterrupted():
            left.extend(scratch.delete_all())


def _steps(client: PaletteClient, obs: Observations, scratch: Scratch, sync_timeout: float) -> None:
    password = secrets.token_urlsafe(18)  # 24 characters: Palette's partial mask shows 6 of them
    uid = scratch.create(scratch.model(password))
    created = read_registry(client, obs, "basic", uid)
    auth = created.get("spec", {}).get("auth", {})
    obs.note(shapes.MASK_KNOWN, shapes.mask_form(str(auth.get("password") or "")))
    obs.note(
        "write: basePath after create", "answered" if created.get("spec", {}).get("basePath") == "probe" else "absent"
    )
    kept_on_create = _annotation(created) == SAFE_TO_DELETE
    obs.note("write: CA field after create", _ca_field(created))

    _try_create(obs, scratch, scratch.model(password), "write: second create of one name")
    zarf = scratch.model(password, name=scratch.name + "-zarf", kind="zarf")
    _try_create(obs, scratch, zarf, "write: Zarf registry with sync")
    _validate(client, obs, scratch.model(password).spec, "write: validate of an unreachable registry")
    no_auth = scratch.model(password).spec.model_copy(update={"auth": RegistryAuth(type="noAuth")})
    _validate(client, obs, no_auth, "write: validate, no auth, sync off")
    _sync(client, obs, uid, "write: sync of a registry that does not sync")
    obs.note("write: isSyncSupported in sync/status", _flag(client, uid, on=False))

    # A PUT carrying what GET answered, the secret masked, and a changed annotation.
    current = _get(client, uid)
    masked = current.spec.auth.password
    current.metadata.annotations = {
        **(current.metadata.annotations or {}),
        PROBE_ANNOTATION: SAFE_TO_DELETE + " (updated)",
    }
    client.update(uid, current)
    updated = read_registry(client, obs, "basic", uid)
    obs.note(
        "write: mask after a PUT carrying it",
        "unchanged" if updated["spec"]["auth"].get("password") == masked else "changed",
    )
    kept_on_update = _annotation(updated) == SAFE_TO_DELETE + " (updated)"
    obs.note("write: annotations", _annotations_shape(kept_on_create, kept_on_update))

    # A PUT omitting basePath.
    current = _get(client, uid)
    current.spec.base_path = None
    client.update(uid, current)
    after = read_registry(client, obs, "basic", uid)
    obs.note("write: basePath after a PUT omitting it", "kept" if after.get("spec", {}).get("basePath") else "zeroed")

    _put_sync(client, obs, uid, True, "", "write: sync on without baseContentPath")
    _put_sync(client, obs, uid, True, "probe", "write: sync on")
    first = _status(client, obs, uid)
    obs.note("write: sync after update", "a run started" if first.status or first.last_run_time else "no run")
    obs.note("write: isSyncSupported in sync/status", _flag(client, uid, on=True))
    ended = _wait(client, obs, uid, sync_timeout)
    try:
        client.sync(uid, "basic", force=True)
    except PaletteError as exc:
        obs.note("write: forced sync of a syncing registry", refused(obs, exc))
    else:
        again = _status(client, obs, uid)
        new_run = again.last_run_time != ended.last_run_time or classify_sync(again.status) is SyncState.IN_PROGRESS
        obs.note("write: forced sync of a syncing registry", "202, a new run" if new_run else "202, no new run")
        _wait(client, obs, uid, sync_timeout)
    _put_sync(client, obs, uid, False, "probe", "write: sync off after on")

    client.delete("basic", uid)
    scratch.uids.remove(uid)
    obs.note(shapes.NOT_FOUND, f"deleted: {answer_shape(client.answer(f'/v1/registries/oci/{uid}/basic'))}")


def _get(client: PaletteClient, uid: str) -> BasicOciRegistry:
    registry = client.get("basic", uid)
    assert isinstance(registry, BasicOciRegistry)  # the basic path answers the basic model
    return registry


def _ca_field(document: dict[str, Any]) -> str:
    """Where Palette answers the CA the scratch registry was created with (sent in tls.ca and tls.certificate)."""
    tls = ((document.get("spec") or {}).get("auth") or {}).get("tls") or {}
    in_ca = (tls.get("ca") or "").strip() == SCRATCH_CA.strip()
    in_certificate = (tls.get("certificate") or "").strip() == SCRATCH_CA.strip()
    if in_ca:
        return "tls.ca" + (" and tls.certificate" if in_certificate else "")
    return "tls.certificate only" if in_certificate else "neither"


def _annotation(document: dict[str, Any]) -> str | None:
    annotations = (document.get("metadata") or {}).get("annotations") or {}
    return annotations.get(PROBE_ANNOTATION) if isinstance(annotations, dict) else None


def _annotations_shape(on_create: bool, on_update: bool) -> str:
    if on_create and on_update:
        return "kept on create and update"
    return f"{'kept' if on_create else 'dropped'} on create, {'kept' if on_update else 'dropped'} on update"


def _try_create(obs: Observations, scratch: Scratch, registry: BasicOciRegistry, topic: str) -> None:
    """A create Palette should refuse; deleted at once when it does not."""
    try:
        uid = scratch.create(registry)
    except PaletteError as exc:
        obs.note(topic, refused(obs, exc))
        return
    obs.note(topic, "created")
    try:
        scratch.client.delete("basic", uid)
        scratch.uids.remove(uid)
    except PaletteError:
        pass  # delete_all tries again


def _validate(client: PaletteClient, obs: Observations, spec: BasicOciRegistrySpec, topic: str) -> None:
    try:
        client.validate(spec)
    except PaletteError as exc:
        obs.note(topic, refused(obs, exc, code=True))
    else:
        obs.note(topic, "accepted")


def _sync(client: PaletteClient, obs: Observations, uid: str, topic: str) -> None:
    try:
        client.sync(uid, "basic", force=True)
    except PaletteError as exc:
        obs.note(topic, refused(obs, exc))
    else:
        obs.note(topic, "accepted")


def _put_sync(client: PaletteClient, obs: Observations, uid: str, on: bool, base_content_path: str, topic: str) -> None:
    current = _get(client, uid)
    current.spec.is_sync_supported = on
    current.spec.base_content_path = base_content_path
    try:
        client.update(uid, current)
    except PaletteError as exc:
        obs.note(topic, refused(obs, exc))
    else:
        obs.note(topic, "accepted")


def _status(client: PaletteClient, obs: Observations, uid: str) -> RegistrySyncStatus:
    status = client.sync_status(uid, "basic")
    shapes.sync_status(obs, status.model_dump(by_alias=True))
    return status


def _flag(client: PaletteClient, uid: str, *, on: bool) -> str:
    flag = client.sync_status(uid, "basic").is_sync_supported
    expected = "true once sync is on" if on else "false while sync is off"
    if flag is on:
        return expected
    return f"{word(flag)} while sync is {'on' if on else 'off'}"


def _wait(client: PaletteClient, obs: Observations, uid: str, timeout: float) -> RegistrySyncStatus:
    """Poll the sync status until the sync ends (or `timeout`), noting every word it passes through."""
    deadline = time.monotonic() + timeout
    interval = 0.1
    while True:
        status = _status(client, obs, uid)
        state = classify_sync(status.status)
        if state is SyncState.SUCCEEDED:
            obs.note("write: sync ended", "succeeded")
            return status
        if state is SyncState.FAILED:
            try:
                client.get("basic", uid)
                kept = "registry kept"
            except PaletteError:
                kept = "registry gone"
            obs.note("write: sync ended", f"failed, {'with' if status.message else 'without'} a message, {kept}")
            return status
        if time.monotonic() >= deadline:
            obs.note("write: sync ended", f"still {word(status.status)} after {timeout:g} s")
            return status
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        interval = min(interval * 1.5, 5.0)
