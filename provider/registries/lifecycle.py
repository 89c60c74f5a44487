"""One lifecycle for every registry kind: plan, create, read, update, delete, import.

Terraform's operations map onto Palette's registries API (see shared/palette-api):
create = validate -> POST -> GET; read = GET (404 removes the resource from state);
update = validate (when connection settings change) -> PUT -> GET; delete = DELETE (404 is
success). A kind (helm.py, zarf.py, packs.py) only declares its provider type, its rules and its
defaults.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from tf.schema import Schema
from tf.types import Unknown

from provider.palette.errors import (  # stdlib-only module: cheap at start-up
    NotFoundError,
    PaletteError,
    SyncInterruptedError,
)
from provider.registries import mapping
from provider.registries.rules import Rule, check, parse_duration
from provider.registries.schema import VOLATILE, registry_schema

if TYPE_CHECKING:
    from tf.iface import CreateContext, DeleteContext, ImportContext, ReadContext, UpdateContext, UpgradeContext
    from tf.utils import Diagnostics

    from provider.palette.client import PaletteClient
    from provider.tfx import PlanContext

State = dict[str, Any]

# Attributes Palette stores: a change to any of them is a PUT (or a replacement).
STORED = ("name", "endpoint", "base_content_path", "auto_sync", "basic_auth", "ecr", "tls")
# A change to these may break the connection: Palette's validate endpoint checks them first.
CONNECTION = ("endpoint", "basic_auth", "ecr", "tls")
# Settings that live only in Terraform: never sent to Palette.
TERRAFORM_ONLY = ("wait_for_sync", "timeouts", "preflight")
# What preflight looks at: the connection and where the content lives.
PREFLIGHTED = (*CONNECTION, "base_content_path")
DEFAULT_SYNC_TIMEOUT = 600.0


class RegistryResource:
    """The shared lifecycle; subclasses set the class attributes below and nothing else."""

    provider_type: ClassVar[str]  # Palette's providerType: helm | zarf | pack
    type_suffix: ClassVar[str]  # the resource type without the provider prefix "oci_"
    rules: ClassVar[tuple[Rule, ...]]
    default_auto_sync: ClassVar[bool] = False
    description: ClassVar[str]
    auto_sync_description: ClassVar[str]
    ecr_description: ClassVar[str] = "Switching between `basic_auth` and `ecr` replaces the registry."

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_suffix

    @classmethod
    def get_schema(cls) -> Schema:
        return _schema(cls.description, cls.auto_sync_description, cls.ecr_description)

    # ------------------------------------------------------------------------ plan

    def validate(self, diags: Diagnostics, type_name: str, config: State) -> None:
        self._check_rules(diags, config)

    def plan(self, ctx: PlanContext, prior: State | None, planned: State) -> State:
        config = ctx.config or {}
        if config.get("auto_sync") is None and prior is None:
            # The kind's default for a new registry; an existing one keeps its setting, so that leaving
            # auto_sync out of an imported registry's configuration never plans a replacement.
            planned["auto_sync"] = self.default_auto_sync
        planned["provider_type"] = self.provider_type
        planned["auth_type"] = mapping.auth_type(planned)
        if prior is None or _changed(prior, planned, PREFLIGHTED):
            self._preflight(ctx.diagnostics, planned, "plan")
        if prior is None:
            return planned
        self._plan_replacements(ctx, prior, planned)
        if not ctx.requires_replace and _stored_changes(prior, planned):
            planned.update({name: Unknown for name in VOLATILE})
        return planned

    def _plan_replacements(self, ctx: PlanContext, prior: State, planned: State) -> None:
        auths = {prior.get("auth_type"), planned["auth_type"]}
        if mapping.AUTH_ECR in auths and len(auths) > 1:
            ctx.requires_replace.append(["ecr"])  # Palette keeps basic and ECR registries apart
        if prior.get("auto_sync") is True and planned["auto_sync"] is False:
            ctx.requires_replace.append(["auto_sync"])  # Palette cannot disable synchronization
        elif self._needs_reregistration(prior, planned):
            ctx.requires_replace.append(["auto_sync"])
            ctx.diagnostics.add_warning(
                "Registry will be re-registered to enable synchronization",
                f'Palette reports that registry "{prior.get("name")}" cannot synchronize: it was created before '
                "Palette 4.5.0. Terraform will delete it and register it again with auto_sync = true.",
                path=["auto_sync"],
            )

    def _needs_reregistration(self, prior: State, planned: State) -> bool:
        return (
            self.provider_type == "helm"
            and prior.get("sync_supported") is False
            and planned["auto_sync"] is True
            and prior.get("auto_sync") is not True
        )

    # ------------------------------------------------------------------------ apply

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        diags = ctx.diagnostics
        client = self._client(diags)
        if client is None or not self._check_rules(diags, planned):
            return None
        if not self._preflight(diags, planned, "apply"):
            return None
        kind, registry = self._expand(planned)
        action = f'create {ctx.type_name} "{planned["name"]}"'
        try:
            client.validate(kind, registry.spec)
            uid = client.create(kind, registry)
        except PaletteError as exc:
            self._report(diags, exc, action)
            return None
        # From here on Palette holds the registry: every outcome records its uid in the state.
        state = {**planned, "id": uid}
        try:
            state = mapping.flatten(client.get(kind, uid), planned)
            state = self._wait_for_sync(client, kind, state, planned, "create", diags=diags)
        except PaletteError as exc:
            self._report(diags, exc, action)
        return _known(state)

    def read(self, ctx: ReadContext, current: State) -> State | None:
        client = self._client(ctx.diagnostics)
        if client is None:
            return current
        try:
            registry = self._get(client, current)
        except PaletteError as exc:
            self._report(ctx.diagnostics, exc, f'read {ctx.type_name} "{current.get("name")}"')
            return current
        return None if registry is None else mapping.flatten(registry, current)

    def update(self, ctx: UpdateContext, prior: State, planned: State) -> State:
        diags = ctx.diagnostics
        if not _stored_changes(prior, planned):  # only Terraform-side settings changed: nothing to tell Palette
            return _known({**prior, **{name: planned.get(name) for name in TERRAFORM_ONLY}})
        client = self._client(diags)
        if client is None or not self._check_rules(diags, planned):
            return prior
        if _changed(prior, planned, PREFLIGHTED) and not self._preflight(diags, planned, "apply"):
            return prior
        kind, registry = self._expand(planned)
        action = f'update {ctx.type_name} "{planned["name"]}"'
        try:
            if _changed(prior, planned, CONNECTION):
                client.validate(kind, registry.spec)
            client.update(kind, prior["id"], registry)
        except PaletteError as exc:
            self._report(diags, exc, action)
            return prior
        state = {**planned, "id": prior["id"]}
        try:
            state = mapping.flatten(client.get(kind, prior["id"]), planned)
            state = self._wait_for_sync(client, kind, state, planned, "update", diags=diags)
        except PaletteError as exc:
            self._report(diags, exc, action)
        return _known(state)

    def delete(self, ctx: DeleteContext, prior: State) -> State | None:
        client = self._client(ctx.diagnostics)
        if client is None:
            return prior
        try:
            client.delete(mapping.api_kind(prior.get("auth_type") or ""), prior["id"])
        except NotFoundError:
            return None  # already gone: the goal of a delete
        except PaletteError as exc:
            self._report(ctx.diagnostics, exc, f'delete {ctx.type_name} "{prior.get("name")}"')
            return prior
        return None

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        diags = ctx.diagnostics
        client = self._client(diags)
        if client is None:
            return None
        from provider.registries.lookup import locate

        try:
            found = locate(client, id)
            if found is None:
                diags.add_error(
                    "Registry not found",
                    f'No OCI registry with the uid or name "{id}" is visible to this API key in the provider\'s '
                    "scope. Check the name, the uid, and the provider's project setting.",
                )
                return None
            uid, kind, provider_type = found
            if provider_type != self.provider_type:
                diags.add_error(
                    "Registry of another kind",
                    f'Registry "{id}" is a {provider_type} registry; import it as {_resource_type_for(provider_type)} '
                    f"instead of {ctx.type_name}.",
                )
                return None
            return mapping.flatten(client.get(kind, uid), None)
        except PaletteError as exc:
            self._report(diags, exc, f'import {ctx.type_name} "{id}"')
            return None

    def upgrade(self, ctx: UpgradeContext, version: int, old: State) -> State:
        # Version 0 never shipped; later versions add attributes here (null until the next refresh).
        return old

    # ------------------------------------------------------------------------ helpers

    def _check_rules(self, diags: Diagnostics, values: State) -> bool:
        problems = check(self.rules, values)
        for problem in problems:
            diags.add_error(problem.summary, problem.detail, path=list(problem.path))
        return not problems

    def _preflight(self, diags: Diagnostics, values: State, stage: str) -> bool:
        """Check the registry from this machine when the mode asks for it at `stage`; False on an error.

        Mode "plan" checks during plan when every value involved is known, and again at apply;
        mode "apply" only at apply.
        """
        settings = getattr(self.provider, "settings", None)
        mode = values.get("preflight") or (settings.preflight if settings else "apply")
        if mode == "off" or (stage == "plan" and (mode != "plan" or not _all_known(values, PREFLIGHTED))):
            return True
        from provider.preflight import run_preflight  # httpx and boto3 load only when a check runs

        findings = run_preflight(values, self.provider_type)
        for finding in findings:
            add = diags.add_error if finding.severity == "error" else diags.add_warning
            add(f"Preflight: {finding.summary}", finding.detail, path=list(finding.path))
        return not any(f.severity == "error" for f in findings)

    def _client(self, diags: Diagnostics) -> PaletteClient | None:
        client: PaletteClient | None = self.provider.palette(diags)
        return client

    def _expand(self, values: State) -> tuple[str, Any]:
        return mapping.api_kind(mapping.auth_type(values)), mapping.expand(values, self.provider_type)

    def _get(self, client: PaletteClient, current: State) -> Any:
        """The registry behind `current`, or None when Palette no longer has it."""
        try:
            return client.get(mapping.api_kind(current.get("auth_type") or ""), current["id"])
        except NotFoundError:
            return None

    def _wait_for_sync(
        self, client: PaletteClient, kind: str, state: State, planned: State, operation: str, *, diags: Diagnostics
    ) -> State:
        if not (planned.get("wait_for_sync") and state.get("auto_sync")):
            return state
        timeouts = planned.get("timeouts") or {}
        timeout = parse_duration(timeouts.get(operation) or "") or DEFAULT_SYNC_TIMEOUT
        try:
            client.wait_for_sync(state["id"], kind, timeout=timeout, stop=getattr(self.provider, "stopping", None))
        except SyncInterruptedError as exc:
            # Ctrl-C: Terraform waits for this answer; the registry stays in state with the sync status now.
            diags.add_warning(
                "Stopped waiting for the registry to synchronize",
                f"Terraform was interrupted: {exc}. The registry is registered and recorded in the state; "
                "sync_status shows how far its sync got (the next refresh updates it).",
                path=["wait_for_sync"],
            )
        return mapping.flatten(client.get(kind, state["id"]), planned)

    def _report(self, diags: Diagnostics, exc: PaletteError, action: str) -> None:
        from provider.diagnose import report

        report(diags, exc, action)


@cache
def _schema(description: str, auto_sync: str, ecr: str) -> Schema:
    return registry_schema(description, auto_sync, ecr)


def _stored_changes(prior: State, planned: State) -> bool:
    return _changed(prior, planned, STORED)


def _changed(prior: State, planned: State, names: tuple[str, ...]) -> bool:
    return any(prior.get(name) != planned.get(name) for name in names)


def _all_known(values: Any, names: tuple[str, ...] | None = None) -> bool:
    """No unknown anywhere in `values` (or in its entries `names`), nested blocks included."""
    if names is not None:
        return all(_all_known(values.get(name)) for name in names)
    if isinstance(values, dict):
        return all(_all_known(v) for v in values.values())
    return values is not Unknown


def _known(state: State) -> State:
    """An applied state has no unknowns: what Palette did not tell us is null."""
    return {k: (None if v is Unknown else v) for k, v in state.items()}


def _resource_type_for(provider_type: str) -> str:
    return {"helm": "oci_registry_helm", "zarf": "oci_registry_zarf", "pack": "oci_registry_packs"}.get(
        provider_type, f"a resource for {provider_type} registries"
    )
