"""What the registry endpoints do, shared by the Palette API and the admin API; no HTTP here.

Handlers parse and answer; this module applies the swagger, Palette's rules, scopes and sync.
Failures are ApiErrors (the app turns them into v1Error answers).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any

from . import views
from .api_error import bad_request, conflict, not_found
from .auth import Caller
from .config import EmulatorConfig
from .constraints import (
    BODY_DEFINITIONS,
    FAMILY_LABELS,
    SPEC_DEFINITIONS,
    check_connection_fields,
    checked,
    registry_name,
    registry_spec,
    sync_capable,
)
from .contact import ContactFailed, check
from .store import Family, NameTaken, Registry, Scope, Store, SyncRun, new_uid
from .sync import SyncRunner, sync_status, sync_word

log = logging.getLogger("palette_emulator")


def _other_family_path(reg: Registry) -> str:
    return f"/v1/registries/oci/{reg.uid}/{reg.family}"


class Registries:
    def __init__(self, store: Store, config: EmulatorConfig) -> None:
        self.store = store
        self.config = config
        self.sync = SyncRunner(store, config)
        self.variants: frozenset[str] = config.variants  # variants.py; the admin API may change them
        # Seconds the clock that stamps records (creationTimestamp, lastModifiedTimestamp) runs behind
        # the one that writes the Date header: one server behind a load balancer stored the record and
        # another answers (`PUT /emulator/clock`, a test aid like the faults).
        self.clock_behind = 0.0
        # uid -> (what the JSON depends on, the JSON of its summary item)
        self._summary_cache: dict[str, tuple[tuple[Any, ...], bytes]] = {}
        # Body fields the swagger does not declare, as Palette's server would drop them: "METHOD path: field".
        self._unknown_fields: list[str] = []
        self._unknown_lock = threading.Lock()

    def close(self) -> None:
        self.sync.close()

    def stamp(self) -> float:
        """Now, by the clock that stamps records (see `clock_behind`)."""
        return time.time() - self.clock_behind

    # Looking up

    def find(self, caller: Caller, uid: str, family: Family | None = None) -> Registry:
        """The registry `uid` as `caller` sees it (404 when absent, hidden, or of the other family)."""
        reg = self.store.get(uid)
        if reg is None or not caller.can_see(reg):
            raise not_found(f"registry '{uid}' not found")
        if family is not None and reg.family != family:
            raise not_found(
                f"registry '{uid}' is {FAMILY_LABELS[reg.family]} registry, not {FAMILY_LABELS[family]} one;"
                f" use {_other_family_path(reg)}"
            )
        return reg

    def find_changeable(self, caller: Caller, uid: str, family: Family | None = None) -> Registry:
        reg = self.find(caller, uid, family)
        caller.check_can_change(reg)
        return reg

    def visible(self, caller: Caller) -> list[Registry]:
        return [reg for reg in self.store.all() if caller.can_see(reg)]

    def status(self, reg: Registry) -> dict[str, Any]:
        return sync_status(reg, self.config.sync_delay, variants=self.variants)

    def unknown_fields(self) -> list[str]:
        with self._unknown_lock:
            return list(self._unknown_fields)

    def forget_unknown_fields(self) -> None:
        with self._unknown_lock:
            self._unknown_fields.clear()

    def _checked(self, definition: str, body: Any, where: str) -> dict[str, Any]:
        unknown: list[str] = []
        newer = views.NEWER_FIELD_NAMES if "extra-fields" in self.variants else frozenset()
        kept = checked(definition, body, unknown, newer)
        if unknown:
            log.warning("%s: ignored unknown field(s) %s", where, ", ".join(unknown))
            with self._unknown_lock:
                self._unknown_fields.extend(f"{where}: {field}" for field in unknown)
        return kept

    def summary_json(self, caller: Caller) -> bytes:
        """GET /v1/registries/oci/summary as JSON bytes: v1OciRegistries of what `caller` sees.

        Each item's JSON is cached until its registry or its sync phase changes, so listing
        1,000 registries mostly joins cached bytes (see bench/emulator_scale.py)."""
        now = time.time()
        visible = self.visible(caller)
        variants = self.variants
        fragments = []
        for reg in visible:
            phase = sync_word(reg, self.config.sync_delay, now, variants)
            version = (reg.modified, reg.sync.generation, reg.sync.result, phase, variants)
            cached = self._summary_cache.get(reg.uid)
            if cached is None or cached[0] != version:
                item = views.summary_item(reg, sync_status(reg, self.config.sync_delay, now, variants), variants)
                cached = (version, views.to_json(item))
                self._summary_cache[reg.uid] = cached
            fragments.append(cached[1])
        if len(self._summary_cache) > 2 * len(visible) + 1000:
            self._summary_cache.clear()  # forget registries deleted since
        return b'{"items":[' + b",".join(fragments) + b"]}"

    # Changing

    def create(self, family: Family, body: Any, scope: Scope, legacy: bool = False) -> Registry:
        body = self._checked(BODY_DEFINITIONS[family], body, f"POST /v1/registries/oci/{family}")
        name = registry_name(body, None)
        capable = sync_capable(family, body.get("spec") or {}, legacy)
        spec = self._kept_tls(family, registry_spec(family, body, name, None))
        if "extra-fields" in self.variants:
            spec = views.with_newer_fields(family, spec)
        now = self.stamp()
        reg = Registry(
            uid=new_uid(),
            name=name,
            family=family,
            scope=scope,
            spec=spec,
            sync_capable=capable,
            annotations=_annotations(body) or {},
            created=now,
            modified=now,
        )
        if reg.syncing:
            self.sync.start(reg)
        try:
            self.store.insert(reg, unique="names-not-unique" not in self.variants)
        except NameTaken:
            raise conflict(f"a registry named '{name}' already exists in {scope} scope") from None
        self.sync.launch(reg, self._contact_spec(reg.family, reg.spec))
        return reg

    def update(self, reg: Registry, body: Any) -> None:
        body = self._checked(BODY_DEFINITIONS[reg.family], body, f"PUT /v1/registries/oci/{{uid}}/{reg.family}")
        if "put-merges" in self.variants:
            body = {**body, "spec": _merge(reg.spec, body.get("spec") or {})}
        body = {**body, "spec": views.unmasked(reg, body.get("spec"), self.variants)}
        name = registry_name(body, reg)
        reg.spec = self._kept_tls(reg.family, registry_spec(reg.family, body, name, reg))
        annotations = _annotations(body)
        if annotations is not None:  # absent: kept, as Kubernetes-style metadata is
            reg.annotations = annotations
        reg.modified = self.stamp()
        if reg.syncing:
            self.sync.start(reg)
        self._save(reg)
        self.sync.launch(reg, self._contact_spec(reg.family, reg.spec))

    def patch_out_of_band(self, reg: Registry, partial_spec: dict[str, Any]) -> None:
        """Drift: merge a partial spec without any rule, as if someone changed it in the UI."""
        reg.spec = _merge(reg.spec, partial_spec)
        reg.modified = self.stamp()
        self._save(reg)

    def change_family_out_of_band(self, reg: Registry, family: Family, spec: dict[str, Any]) -> None:
        """Drift: the registry is now of `family` with `spec`, same uid, as no API allows (a test-only move)."""
        reg.family = family
        reg.spec = copy.deepcopy(spec)
        reg.modified = self.stamp()
        self._save(reg)

    def end_sync_out_of_band(self, reg: Registry, status: str, message: str) -> None:
        """A new sync run that has already ended with `status` and `message` (a newer generation, so a
        check still running for an older one cannot overwrite it). Shown for registries that sync."""
        now = time.time()
        started = now - self.config.sync_delay
        reg.sync = SyncRun(reg.sync.generation + 1, started=started, result=status, message=message, finished=now)
        self._save(reg)

    def resync(self, reg: Registry) -> None:
        """POST .../sync. On a registry whose automatic sync is off, Palette's docs describe a manual sync
        ("you must manually synchronize"): accepted, and nothing shows in its sync status, which reports sync
        off (FIDELITY.md, row 34: an assumption; the variant "manual-sync-refused" answers 400 instead)."""
        if not reg.syncing:
            if "manual-sync-refused" in self.variants:
                raise bad_request(
                    f"synchronization is not enabled on registry '{reg.name}'; enable it with spec.isSyncSupported=true"
                )
            return
        self.sync.start(reg)
        self._save(reg)
        self.sync.launch(reg, self._contact_spec(reg.family, reg.spec))

    def delete(self, reg: Registry) -> None:
        if not self.store.delete(reg.uid):
            raise not_found(f"registry '{reg.uid}' not found")

    def _save(self, reg: Registry) -> None:
        if not self.store.save(reg):
            raise not_found(f"registry '{reg.uid}' not found")

    # The CA field (FIDELITY.md, "CA field"): by default the trust anchor is tls.ca, as the description of
    # Spectro's pull request #978 says; the variant "ca-in-certificate" reads it from tls.certificate (without a
    # key), where Spectro's OCI resource sends it and reads it back, and keeps no tls.ca.

    def _kept_tls(self, family: Family, spec: dict[str, Any]) -> dict[str, Any]:
        if "ca-in-certificate" in self.variants:
            tls = views.tls_block(family, spec)
            if tls is not None:
                tls.pop("ca", None)
        return spec

    def _contact_spec(self, family: Family, spec: dict[str, Any]) -> dict[str, Any]:
        if "ca-in-certificate" not in self.variants:
            return spec
        spec = copy.deepcopy(spec)
        tls = views.tls_block(family, spec)
        if tls is not None:
            tls["ca"] = "" if tls.get("key") else tls.get("certificate") or ""
        return spec

    # Validating

    def validate(self, family: Family, body: Any) -> None:
        """Check a spec's fields, then (in contact mode) that the registry accepts it."""
        spec = self._checked(SPEC_DEFINITIONS[family], body, f"POST /v1/registries/oci/{family}/validate")
        check_connection_fields(family, spec)
        if "validate-refuses-noauth-zarf" in self.variants:
            _refuse_unvalidated(family, spec)
        if self.config.validate == "accept":
            return
        try:
            check(family, self._contact_spec(family, spec), self.config.contact_timeout)
        except ContactFailed as failure:
            raise bad_request(f"{failure}{VALIDATE_ACCEPT_NOTE}", code="RegistryValidationFailed") from None


# A refusal from the emulator's own contact check says how to turn the check off: a user trying the
# provider against palette-emulator with illustrative endpoints would otherwise take it for Palette's.
VALIDATE_ACCEPT_NOTE = (
    " (palette-emulator contacted the registry from its own machine; start it with --validate accept "
    "to accept registries without contacting them)"
)


def _refuse_unvalidated(family: Family, spec: dict[str, Any]) -> None:
    """The variant "validate-refuses-noauth-zarf": validate answers 400 about the request for what Spectro's own
    provider never validates (it validates only registries that sync, FIDELITY.md row 29): a basic registry
    without authentication, and a Zarf one."""
    if spec.get("providerType") == "zarf":
        raise bad_request("spec.providerType: zarf registries cannot be validated", code="InvalidRequest")
    auth_type = (spec.get("auth") or {}).get("type") or "noAuth"
    if family == "basic" and auth_type == "noAuth":
        raise bad_request("spec.auth.type: noAuth registries cannot be validated", code="InvalidRequest")


def _annotations(body: dict[str, Any]) -> dict[str, str] | None:
    """metadata.annotations of a (swagger-checked) body; None when absent."""
    annotations = (body.get("metadata") or {}).get("annotations")
    return dict(annotations) if isinstance(annotations, dict) else None


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Deep merge; a null in `change` removes the key."""
    merged = dict(base)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
