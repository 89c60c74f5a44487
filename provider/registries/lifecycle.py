"""One lifecycle for every registry kind: plan, create, read, update, delete, import.

Terraform's operations map onto Palette's registries API (palette_emulator/FIDELITY.md says
what each step relies on): create = validate -> POST -> GET; read = GET (404 removes the resource
from state); update = GET -> validate (when connection settings change) -> PUT of Palette's
registry with the managed attributes laid over it -> GET; delete = DELETE (404 is success). Only a
validate verdict on the registry stops a write (`is_verdict`); an answer saying validate does not
apply to the body is a warning. A
kind (helm.py, zarf.py, packs.py) only declares its provider type, its rules and its defaults.

Once Palette has answered a create with a uid, nothing that goes wrong afterwards (a failed read,
a failed or slow sync) is an error: an error on create would taint the registry, and the next
apply would delete it and register a new uid that cluster profiles do not reference. Those are
warnings, and the state records the uid.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from tf.schema import Schema
from tf.types import Unknown

from provider.durations import DEFAULT_WAIT_SECONDS, parse_duration
from provider.kinds import KINDS, resource_type_for

# stdlib-only module: cheap at start-up
from provider.palette.errors import (
    NotFoundError,
    PaletteError,
    SyncFailedError,
    SyncInterruptedError,
    SyncTimeoutError,
)
from provider.problems import add_problems
from provider.redaction import remember
from provider.registries import mapping, moved
from provider.registries.auth import auth_type, basic_auth_type, managed_family, planned_auth_type
from provider.registries.rules import Rule, check
from provider.registries.schema import VOLATILE, registry_schema
from provider.registries.values import RegistryValues, by_name
from provider.registries.writeonly import configured_secrets, plain_secrets, with_write_only
from provider.words import Family, Kind, family_of

if TYPE_CHECKING:
    from tf.iface import CreateContext, DeleteContext, ImportContext, ReadContext, UpdateContext, UpgradeContext
    from tf.utils import Diagnostics

    from provider.palette.client import PaletteClient
    from provider.palette.models import (
        BasicOciRegistry,
        BasicOciRegistrySpec,
        EcrRegistry,
        EcrRegistrySpec,
    )
    from provider.session import Session
    from provider.tfx import PlanContext
    from provider.tfx.moves import MoveContext, MoveSource


# Attributes Palette stores: a change to any of them is a PUT (or a replacement).
STORED = ("name", "endpoint", "base_content_path", "base_path", "auto_sync", "basic_auth", "ecr", "tls")
# A change to these may break the connection: Palette's validate endpoint checks them first.
CONNECTION = ("endpoint", "basic_auth", "ecr", "tls")
# Settings that live only in Terraform: never sent to Palette.
TERRAFORM_ONLY = ("wait_for_sync", "timeouts", "preflight")
# What preflight looks at: the connection and where the content lives.
PREFLIGHTED = (*CONNECTION, "base_content_path", "base_path")
Operation = Literal["create", "update"]  # the writes that may wait for a sync, as `timeouts` names them


class RegistryResource:
    """The shared lifecycle; subclasses set the class attributes below and nothing else.

    Terraform's values enter here: `tf` (through provider.tfx) calls the resource methods with plain
    dicts decoded against `get_schema()`, so they are declared as the `RegistryValues` that schema
    describes (tf is untyped: nothing converts them); `ctx.config` is cast once, in `plan`."""

    kind: ClassVar[Kind]  # Palette's providerType: the row of provider.kinds
    rules: ClassVar[tuple[Rule, ...]]
    default_auto_sync: ClassVar[bool] = False
    syncs: ClassVar[bool] = True  # False: Palette never syncs this kind, so its sync attributes stay as they are
    description: ClassVar[str]
    auto_sync_description: ClassVar[str]
    ecr_description: ClassVar[str] = "Switching between `basic_auth` and `ecr` replaces the registry."
    # Resource identity (Terraform 1.12+; provider.tfx.servicer): (name, state attribute, required, description).
    identity: ClassVar[tuple[tuple[str, str, bool, str], ...]] = (
        ("name", "name", True, "Registry name, unique in its scope."),
        ("uid", "id", False, "Palette uid of the registry."),
    )

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return KINDS[cls.kind].resource_type.removeprefix("oci_")

    @classmethod
    def get_schema(cls) -> Schema:
        return _schema(cls.description, cls.auto_sync_description, cls.ecr_description)

    # ------------------------------------------------------------------------ plan

    def validate(self, diags: Diagnostics, type_name: str, config: RegistryValues) -> None:
        self._check_rules(diags, config)

    def plan(self, ctx: PlanContext, prior: RegistryValues | None, planned: RegistryValues) -> RegistryValues:
        # Terraform's configuration, decoded against this resource's schema: its registry values.
        config = cast(RegistryValues, ctx.config or {})
        remember(configured_secrets(config))
        if config.get("auto_sync") is None and prior is None:
            # The kind's default for a new registry; an existing one keeps its setting, so that leaving
            # auto_sync out of an imported registry's configuration never plans a replacement.
            planned["auto_sync"] = self.default_auto_sync
        planned["provider_type"] = self.kind
        planned["auth_type"] = planned_auth_type(planned)
        if prior is None or _changed(prior, planned, PREFLIGHTED):
            self._preflight(ctx.diagnostics, with_write_only(planned, config), "plan")
        if prior is None:
            if not self.syncs:
                planned["sync_status"] = ""  # a kind that never syncs: Palette reports no sync status
            if not ctx.diagnostics.has_errors():
                self.provider.check_access(ctx.diagnostics)  # a wrong key or host fails the plan, not the apply
            return planned
        if not self._same_provider_type(ctx.diagnostics, prior):
            return planned
        self._plan_replacements(ctx, prior, planned)
        if self.syncs and not ctx.requires_replace and planned.get("auto_sync") is True and sync_refused(prior):
            # The apply that turned sync on failed at auto_sync: stop here, so the pull request fails, not the merge.
            self._must_reregister(ctx.diagnostics, prior)
            return planned
        if not ctx.requires_replace and _stored_changes(prior, planned):
            if self.syncs:
                by_name(planned).update({name: Unknown for name in VOLATILE})  # an update restarts the sync
            if prior.get("auto_sync") != planned["auto_sync"]:
                planned["sync_supported"] = Unknown  # what Palette reports after the update
        return planned

    def _same_provider_type(self, diags: Diagnostics, prior: RegistryValues) -> bool:
        """A registry whose providerType changed outside Terraform (say an admin made a Helm registry a
        Zarf one) cannot be planned: no update changes it back, and a silent replacement would delete
        what cluster profiles now use as the other kind. A plan-time error naming the type to use."""
        found = prior.get("provider_type")
        if not found or found == self.kind:
            return True
        resource_type = self.resource_type
        diags.add_error(
            "Registry changed kind outside Terraform",
            f'Palette now reports registry "{prior.get("name")}" ({prior.get("id")}) as a {found} registry, but this '
            f"configuration manages it as {resource_type} ({self.kind}). Terraform cannot change the kind "
            f"of a registry and will not replace it on its own. Either set it back to {self.kind} in "
            f"Palette, or manage it as {resource_type_for(found)}: `terraform state rm <address>`, change the "
            f"resource type in the configuration, then `terraform import {resource_type_for(found)}.<name> "
            f"{prior.get('id')}`. To register a new {self.kind} registry instead, delete this one in "
            "Palette first: the next plan then creates it.",
            path=["provider_type"],
        )
        return False

    def _plan_replacements(self, ctx: PlanContext, prior: RegistryValues, planned: RegistryValues) -> None:
        if planned["auth_type"] is Unknown and by_name(planned).get("ecr") is Unknown:
            # Whether the registry moves between Palette's basic and ECR APIs (a replacement) must be known
            # now: Terraform refuses an apply whose plan turns from an update into a replacement.
            ctx.diagnostics.add_error(
                "Whether the registry uses ECR is not known until apply",
                f'The ecr block of registry "{prior.get("name")}" depends on a value known only after apply '
                "(a dynamic block whose for_each is unknown at plan). Adding or removing the ecr block replaces "
                "the registry, and Terraform must know at plan whether it will. Make the for_each known at plan "
                "(a variable or a local), or apply what it depends on first with `terraform apply -target=...`.",
                path=["ecr"],
            )
            return
        auths = {prior.get("auth_type"), planned["auth_type"]}
        if "ecr" in auths and len(auths) > 1:
            ctx.requires_replace.append(["ecr"])  # Palette keeps basic and ECR registries apart
        if prior.get("auto_sync") is True and planned["auto_sync"] is Unknown:
            # false at apply would replace the registry, which Terraform must know at plan (as for ecr above).
            ctx.diagnostics.add_error(
                "Whether synchronization stays on is not known until apply",
                f'auto_sync of registry "{prior.get("name")}", which synchronizes, depends on a value known only '
                "after apply. Turning it off replaces the registry (Palette cannot disable synchronization), and "
                "Terraform must know at plan whether it will. Make the value known at plan (a variable or a "
                "local), or apply what it depends on first with `terraform apply -target=...`.",
                path=["auto_sync"],
            )
        if prior.get("auto_sync") is True and planned["auto_sync"] is False:
            ctx.requires_replace.append(["auto_sync"])  # Palette cannot disable synchronization
        if prior.get("auth_type") == "token":  # no configuration expresses it: any plan would change it
            ctx.diagnostics.add_error(
                "Token authentication is not managed by this provider",
                f'Registry "{prior.get("name")}" uses token authentication (set in Palette), which this resource '
                "cannot express: applying this plan would replace the token. Change the registry in Palette, or "
                "switch it to basic authentication there and add a basic_auth block here; or stop managing it "
                "with `terraform state rm`.",
            )

    # ------------------------------------------------------------------------ apply

    def create(self, ctx: CreateContext, planned: RegistryValues) -> RegistryValues | None:
        diags = ctx.diagnostics
        client = self._client(diags)
        values = with_write_only(planned, getattr(ctx, "config", None))  # write-only secrets
        if client is None or not self._check_rules(diags, values):
            return None
        if not self._preflight(diags, values, "apply"):
            return None
        registry = mapping.expand(values, self.kind)
        action = f'create {ctx.type_name} "{planned["name"]}"'
        try:
            self._validate(client, diags, registry.spec)
            uid = client.create(registry)
        except PaletteError as exc:
            self._report(diags, exc, action, name=planned.get("name") or "")
            return None
        # From here on Palette holds the registry: every outcome records its uid in the state, and
        # nothing is an error (an error would taint it; see the module doc).
        state: RegistryValues = {**planned, "id": uid}
        return _known(self._read_back(client, diags, registry.family, state, planned, "create", action))

    def read(self, ctx: ReadContext, current: RegistryValues) -> RegistryValues | None:
        remember(configured_secrets(current))  # the state's secrets: Palette's messages may echo them
        client = self._proven_client(ctx.diagnostics)  # a refresh may conclude "gone": only for a known key
        if client is None:
            return current
        try:
            registry = self._get(client, current)
        except PaletteError as exc:
            self._report(ctx.diagnostics, exc, f'read {ctx.type_name} "{current.get("name")}"')
            return current
        return None if registry is None else keep_refused_sync(mapping.flatten(registry, current), current, registry)

    def update(self, ctx: UpdateContext, prior: RegistryValues, planned: RegistryValues) -> RegistryValues:
        diags = ctx.diagnostics
        if not _stored_changes(prior, planned):  # only Terraform-side settings changed: nothing to tell Palette
            kept = prior.copy()
            by_name(kept).update({name: planned.get(name) for name in TERRAFORM_ONLY})
            return _known(kept)
        client = self._client(diags)
        values = with_write_only(planned, getattr(ctx, "config", None))  # write-only secrets
        if client is None or not self._check_rules(diags, values):
            return prior
        if _changed(prior, planned, PREFLIGHTED) and not self._preflight(diags, values, "apply"):
            return prior
        family = family_of(auth_type(planned))
        action = f'update {ctx.type_name} "{planned["name"]}"'
        try:
            # Read-modify-write: a PUT stores exactly what it carries, so start from what Palette holds.
            current = client.get(family, _uid(prior))
            registry = mapping.expand(values, self.kind, current)
            if _changed(prior, planned, CONNECTION):
                self._validate(client, diags, registry.spec)
            client.update(_uid(prior), registry)
        except PaletteError as exc:
            self._report(diags, exc, action)
            return prior
        state = self._read_back(client, diags, family, {**planned, "id": _uid(prior)}, planned, "update", action)
        if planned.get("auto_sync") is True and state.get("auto_sync") is False:
            # Palette took auto_sync = true but does not synchronize the registry: record what it accepted (see
            # `sync_refused`), so that the next plan stops at auto_sync instead of planning this update again.
            state["auto_sync"] = True
            self._must_reregister(diags, state)
        return _known(state)

    def delete(self, ctx: DeleteContext, prior: RegistryValues) -> RegistryValues | None:
        client = self._client(ctx.diagnostics)
        if client is None:
            return prior
        try:
            client.delete(managed_family(prior), _uid(prior))
        except NotFoundError:
            return None  # already gone: the goal of a delete
        except PaletteError as exc:
            self._report(ctx.diagnostics, exc, f'delete {ctx.type_name} "{prior.get("name")}"')
            return prior
        return None

    def import_(self, ctx: ImportContext, id: str) -> RegistryValues | None:
        diags = ctx.diagnostics
        client = self._proven_client(diags)  # "not found" is an answer only for a key Palette knows
        if client is None:
            return None
        from provider.registries.lookup import locate, not_found_hint

        try:
            found = locate(client, id)
            if found is None:
                diags.add_error(
                    "Registry not found",
                    f'No OCI registry with the uid or name "{id}" is visible to this API key.'
                    f"{not_found_hint(client, id)} Check the name (names are case-sensitive), the uid, and that the "
                    "host is the Palette tenant that holds it.",
                )
                return None
            uid, family, kind = found
            if kind != self.kind:
                diags.add_error(
                    "Registry of another kind",
                    f'Registry "{id}" is a {kind} registry; import it as {resource_type_for(kind)} '
                    f"instead of {ctx.type_name}.",
                )
                return None
            return self.imported(client, family, uid)
        except UnmanagedCredentialsError as exc:
            diags.add_error(exc.summary, exc.detail)
            return None
        except PaletteError as exc:
            self._report(diags, exc, f'import {ctx.type_name} "{id}"')
            return None

    def imported(self, client: PaletteClient, family: Family, uid: str) -> RegistryValues:
        """A registry as an import records it (import blocks, `terraform import`, `terraform query`): what
        Palette holds, no prior values, so the secrets Palette masks are null. UnmanagedCredentialsError for an
        ECR registry whose credential type no configuration can express."""
        registry = client.get(family, uid)
        credential_type = mapping.unmanaged_credential_type(registry)
        if credential_type is not None:
            raise UnmanagedCredentialsError(registry.metadata.name or uid, uid, credential_type)
        return mapping.flatten(registry, None)

    # `moved` from Spectro Cloud's spectrocloud_registry_oci (Terraform 1.8+): provider.registries.moved.
    moves_from: ClassVar[tuple[tuple[str, str], ...]] = moved.SOURCES

    def move_state(self, ctx: MoveContext, source: MoveSource) -> RegistryValues | None:
        values, problems = moved.move(source, self.kind)
        remember(configured_secrets(values or {}))  # the source state's secrets: never in a message
        return values if add_problems(ctx.diagnostics, problems) else None

    def upgrade(self, ctx: UpgradeContext, version: int, old: RegistryValues) -> RegistryValues:
        # Version 0 never shipped; later versions add attributes here (null until the next refresh).
        return old

    # ------------------------------------------------------------------------ helpers

    def _check_rules(self, diags: Diagnostics, values: RegistryValues) -> bool:
        remember(configured_secrets(values))  # every call that sees a configuration checks its rules first
        return add_problems(diags, check(self.rules, values))

    def _preflight(self, diags: Diagnostics, values: RegistryValues, stage: str) -> bool:
        """Check the registry from this machine when the mode asks for it at `stage`; False on an error.

        Mode "plan" checks during plan when every value involved is known, and again at apply;
        mode "apply" only at apply.
        """
        settings = self.provider.settings
        mode = values.get("preflight") or (settings.preflight if settings else "apply")
        if mode == "off" or (stage == "plan" and (mode != "plan" or not _all_known(values, PREFLIGHTED))):
            return True
        from provider.preflight import run_preflight  # httpx and boto3 load only when a check runs
        from provider.preflight.findings import name_where_preflight_is_set

        problems = run_preflight(plain_secrets(values), self.kind)
        problems = name_where_preflight_is_set(problems, mode, _preflight_source(values, self.provider))
        return add_problems(diags, problems, prefix="Preflight: ")

    def _validate(
        self, client: PaletteClient, diags: Diagnostics, spec: BasicOciRegistrySpec | EcrRegistrySpec
    ) -> None:
        """Palette's validate before a write. Only a verdict on the registry stops the write (raised); an answer
        that says validate does not apply to this body is a warning, and the write goes on (`is_verdict`)."""
        try:
            client.validate(spec)
        except PaletteError as exc:
            if is_verdict(exc, spec):
                raise
            diags.add_warning(
                "Palette did not validate the registry",
                f"{exc}. Palette's validate endpoint does not apply to this registry (Spectro Cloud's own provider "
                "validates only registries that synchronize), so the registry was written without that check. "
                'Palette checks it when it synchronizes; preflight = "plan" or "apply" checks it from this machine.',
            )

    def _client(self, diags: Diagnostics) -> PaletteClient | None:
        return self.provider.palette(diags)

    def _proven_client(self, diags: Diagnostics) -> PaletteClient | None:
        """The client once Palette has accepted its key in this process (`Session.proven_palette`)."""
        return self.provider.proven_palette(diags)

    @property
    def resource_type(self) -> str:
        return KINDS[self.kind].resource_type

    def _get(self, client: PaletteClient, current: RegistryValues) -> BasicOciRegistry | EcrRegistry | None:
        """The registry behind `current`, or None when Palette no longer has it."""
        try:
            return client.get(managed_family(current), _uid(current))
        except NotFoundError:
            return None

    def _read_back(
        self,
        client: PaletteClient,
        diags: Diagnostics,
        family: Family,
        state: RegistryValues,
        planned: RegistryValues,
        operation: Operation,
        action: str,
    ) -> RegistryValues:
        """The state after a write Palette accepted: what it answers now, after the sync wait the
        configuration asks for. Failures here are warnings: the write itself succeeded."""
        uid = _uid(state)
        try:
            state = mapping.flatten(client.get(family, uid), planned)
            if planned.get("wait_for_sync") and state.get("auto_sync"):
                try:
                    self._wait_for_sync(client, family, uid, planned, operation)
                except (SyncFailedError, SyncTimeoutError) as exc:
                    self._report(diags, exc, action, warning=True)
                except SyncInterruptedError as exc:
                    # Ctrl-C: Terraform waits for this answer; the registry stays in state with the sync status now.
                    diags.add_warning(
                        "Stopped waiting for the registry to synchronize",
                        f"Terraform was interrupted: {exc}. The registry is registered and recorded in the state; "
                        "sync_status shows how far its sync got (the next refresh updates it).",
                        path=["wait_for_sync"],
                    )
                state = mapping.flatten(client.get(family, uid), planned)  # with the sync's status and message
        except PaletteError as exc:
            self._report(diags, exc, action, warning=True)
        except Exception as exc:  # the uid must reach the state whatever went wrong
            diags.add_warning(
                "Registry stored, but not read back",
                f"Palette holds the registry (uid {uid}) and the state records it, but reading it back "
                f"failed ({type(exc).__name__}). The next `terraform plan` or `terraform apply -refresh-only` "
                "reads it again.",
            )
        return state

    def _wait_for_sync(
        self, client: PaletteClient, family: Family, uid: str, planned: RegistryValues, operation: Operation
    ) -> None:
        timeouts = planned.get("timeouts") or {}
        timeout = parse_duration(timeouts.get(operation) or "") or DEFAULT_WAIT_SECONDS
        client.wait_for_sync(uid, family, timeout=timeout, stop=self.provider.stopping)

    def _must_reregister(self, diags: Diagnostics, values: RegistryValues) -> None:
        """The error at auto_sync for a registry that Palette was asked to synchronize and does not: one
        created before Palette 4.5.0, which only a new registration can make sync (the product's support
        matrix). Terraform never tells a provider a resource's address: the message points at the `with`
        line Terraform prints above it. The command is `terraform taint` and not `terraform apply -replace`:
        with -replace, Terraform still asks the provider to plan the registry in place first, and that plan
        stops here (a tainted resource is planned as a new one)."""
        name, uid = values.get("name"), values.get("id")
        diags.add_error(
            "Registry must be re-registered to synchronize",
            f'Palette accepted auto_sync = true for registry "{name}" (uid {uid}) but reports that it does not '
            "synchronize: it was created before Palette 4.5.0, and only a new registration can sync. Re-register "
            f"it with `terraform taint <address>`, then `terraform apply`, where <address> is the {self.resource_type} "
            'address in the "with" line above. (`terraform apply -replace=<address>` stops at this same check: '
            "Terraform asks for the in-place plan before it replaces.) The new registry gets a new uid: update what "
            f"refers to {uid}. Until then every plan of this registry with auto_sync = true stops here.",
            path=["auto_sync"],
        )

    def _report(
        self, diags: Diagnostics, exc: PaletteError, action: str, *, name: str = "", warning: bool = False
    ) -> None:
        from provider.diagnose import report

        report(diags, exc, action, resource_type=self.resource_type, name=name or None, warning=warning)


class UnmanagedCredentialsError(Exception):
    """An ECR registry whose credentials only Palette's UI manages (pod identity, or a type newer than this
    provider): read as it was, it would show no credentials, and the `ecr {}` an import implies is refused at
    plan ("Missing ECR credentials"). Like token authentication, it is Palette's to manage."""

    def __init__(self, name: str, uid: str, credential_type: str) -> None:
        self.credential_type = credential_type
        self.summary = "ECR credentials managed in Palette"
        self.reason = f'it authenticates to AWS with credential type "{credential_type}" (set in Palette)'
        self.detail = (
            f'Registry "{name}" ({uid}) authenticates to AWS with credential type "{credential_type}" '
            f"({'EKS pod identity, ' if credential_type == 'pod-identity' else ''}set in Palette), which "
            "an ecr block cannot express: it takes access_key_id + secret_access_key or role_arn, and applying either "
            "would replace Palette's credentials. Keep managing this registry in Palette; or switch it there to "
            "access keys or an IAM role and import it again."
        )
        super().__init__(self.detail)


# Answers of a validate endpoint that say it does not serve a request, not that the registry is wrong.
VALIDATE_NOT_SERVED = frozenset({404, 405})


def is_verdict(exc: PaletteError, spec: BasicOciRegistrySpec | EcrRegistrySpec) -> bool:
    """Whether Palette's refusal of a validate judges the registry (the write must stop) rather than saying
    validate does not apply. A verdict: code RegistryValidationFailed, or any refusal of a body Spectro Cloud's
    own provider validates too (sync on, credentials, not Zarf: it validates nothing else). Not one: 404 or 405
    (the endpoint is not served), and a 400/422 about the request for a body Spectro never validates (no
    authentication, Zarf, sync off), whose validation no evidence shows Palette supports."""
    if exc.code == "RegistryValidationFailed":
        return True
    if exc.status in VALIDATE_NOT_SERVED:
        return False
    if exc.status in (400, 422):
        return spectro_validates(spec)
    return True


def spectro_validates(spec: BasicOciRegistrySpec | EcrRegistrySpec) -> bool:
    """Whether Spectro Cloud's own provider would validate this body: sync on, with credentials, not Zarf."""
    from provider.palette.models import EcrRegistrySpec

    if not spec.is_sync_supported or spec.provider_type == "zarf":
        return False
    if isinstance(spec, EcrRegistrySpec):
        return spec.is_private
    return basic_auth_type(spec.auth) != "none"


@cache
def _schema(description: str, auto_sync: str, ecr: str) -> Schema:
    return registry_schema(description, auto_sync, ecr)


def _stored_changes(prior: RegistryValues, planned: RegistryValues) -> bool:
    return _changed(prior, planned, STORED)


def _changed(prior: RegistryValues, planned: RegistryValues, names: tuple[str, ...]) -> bool:
    return any(prior.get(name) != planned.get(name) for name in names)


def _all_known(values: Any, names: tuple[str, ...] | None = None) -> bool:
    """No unknown anywhere in `values` (or in its entries `names`), nested blocks included."""
    if names is not None:
        return all(_all_known(values.get(name)) for name in names)
    if isinstance(values, dict):
        return all(_all_known(v) for v in values.values())
    return values is not Unknown


def _known(state: RegistryValues) -> RegistryValues:
    """An applied state has no unknowns: what Palette did not tell us is null."""
    known = state.copy()
    by_name(known).update({name: None for name, value in state.items() if value is Unknown})
    return known


def _uid(values: RegistryValues) -> str:
    """The uid of a registry Terraform manages: every state (and plan) of one holds it."""
    uid = values.get("id")
    assert isinstance(uid, str), "a managed registry's values hold its uid"
    return uid


def sync_refused(values: RegistryValues) -> bool:
    """Whether values record a registry Palette was asked to synchronize and does not: `auto_sync` true (what
    Palette accepted) with `sync_supported` false (what it reports). Only a failed enable writes this pair; a
    registry read from Palette otherwise has both equal."""
    return values.get("auto_sync") is True and values.get("sync_supported") is False


def keep_refused_sync(
    state: RegistryValues, prior: RegistryValues, registry: BasicOciRegistry | EcrRegistry
) -> RegistryValues:
    """A refreshed state keeps `sync_refused` while Palette still does not synchronize the registry and its spec
    does not say sync is off: `auto_sync` is read from the sync status, which alone would turn it back to false
    and plan the failed update again, forever."""
    if sync_refused(prior) and state.get("sync_supported") is False and registry.spec.is_sync_supported is not False:
        return {**state, "auto_sync": True}
    return state


def _preflight_source(values: RegistryValues, provider: Session) -> str:
    """Where this resource's preflight mode was set, for the advice that turns it off."""
    return "this resource" if values.get("preflight") else provider.setting_source("preflight")
