"""The framework core: what happens around a provider's resources, data sources, list resources and actions,
on plain decoded values (dicts, `Unknown`, None) and tf's `Diagnostics`.

plugin-framework splits its proto6server (protobuf in and out) from fwserver (the framework's logic); so do
we: `provider.tfx.servicer` decodes each request with `provider.tfx.wire`, calls one method here and encodes
the answer; everything Terraform's contract asks of a provider happens here, once, for every type:

- configuration of a read-only (computed-only) attribute is refused at validate, with its reason
  (`provider.tfx.contract`);
- every planned object is checked as Terraform core will check it (`objchange.AssertPlanValid`) before it is
  answered; at apply the plan is checked again before the resource's create or update runs (nothing reaches
  Palette on a violation), and the applied object after it (`AssertObjectCompatible`, identity kept);
- states are completed with nulls and hold no write-only value; `plan()` runs for creates and updates alike
  with a `PlanContext` (package docstring, items 3-5).

Imports only tf's schema, types and interface classes and our stdlib-only modules: the plugin imports it
when it serves, on every one of Terraform's 3-5 starts per command.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tf.iface import (
    DeleteContext,
    ImportContext,
    ReadContext,
    ReadDataContext,
    UpgradeContext,
    is_importable,
)
from tf.schema import Attribute, NestedBlock
from tf.utils import Diagnostic, Diagnostics

from provider.tfx import contract, moves
from provider.tfx.actions import ActionContext, streamed
from provider.tfx.schema import (
    AttributePath,
    CreateContext,
    ListContext,
    Listed,
    PlanContext,
    SingleNestedBlock,
    UpdateContext,
    WriteOnlyPath,
    complete_state,
    values_equal,
    without_write_only,
    write_only_paths,
    write_only_value,
)

log = logging.getLogger("provider.tfx")

Values = dict[str, Any]  # an object through its schema's decoders: blocks as dicts, `Unknown` where unknown
Maps = tuple[dict[str, Attribute], dict[str, NestedBlock]]

UNEXPECTED = "Unexpected failure in terraform-provider-oci"


def unexpected_failure(handler: str, exc: Exception) -> Diagnostics:
    """The last line of defence, for a failure no check foresaw. Every foreseen one has its own diagnostic
    at the attribute with the fix; this one says what stopped and how to get it looked at."""
    log.exception("unexpected error in %s", handler)
    return Diagnostics().add_error(
        UNEXPECTED,
        f"{handler} stopped at {type(exc).__name__}: {exc}. Run the command again; if it fails the same way, "
        "report it with the output of TF_LOG=debug (the provider redacts credentials from its log).",
    )


@dataclass
class Planned:
    """A resource's plan: the object (None: destroy), the paths whose change replaces it, whether the prior
    identity still holds."""

    diagnostics: Diagnostics
    state: Values | None = None
    requires_replace: list[AttributePath] = field(default_factory=list)
    keeps_identity: bool = False


@dataclass
class Applied:
    diagnostics: Diagnostics
    state: Values | None = None
    written: bool = True  # False: refused before the resource's code ran; Terraform keeps the prior state


class Core:
    """The framework around one provider object (`provider.plugin.OciProvider`, or any `tf.iface.Provider`)."""

    def __init__(self, app: Any):
        self.app = app
        self.prefix: str = app.get_model_prefix()
        self._resources: dict[str, Any] | None = None
        self._data_sources: dict[str, Any] | None = None
        self._list_resources: dict[str, Any] | None = None
        self._actions: dict[str, Any] | None = None
        self._schemas: dict[str, Maps] = {}
        # A resource's write-only paths, from its schema (which never changes while the provider serves):
        # every plan and apply asks for them.
        self._write_only_paths: dict[str, list[WriteOnlyPath]] = {}

    # ------------------------------------------------------------------------ what the provider offers

    def resources(self) -> dict[str, Any]:
        if self._resources is None:
            self._resources = {self.prefix + r.get_name(): r for r in self.app.get_resources()}
        return self._resources

    def data_sources(self) -> dict[str, Any]:
        if self._data_sources is None:
            self._data_sources = {self.prefix + d.get_name(): d for d in self.app.get_data_sources()}
        return self._data_sources

    def list_resources(self) -> dict[str, Any]:
        """List resources (Terraform 1.14+), from the provider's optional `get_list_resources()`: each is
        named as the managed resource type whose objects it lists."""
        if self._list_resources is None:
            listed: list[Any] = getattr(self.app, "get_list_resources", list)()
            self._list_resources = {self.prefix + k.get_name(): k for k in listed}
        return self._list_resources

    def actions(self) -> dict[str, Any]:
        """Terraform 1.14+ actions (`provider.tfx.actions`), from the provider's `get_actions()` if it has one."""
        if self._actions is None:
            listed: list[Any] = getattr(self.app, "get_actions", list)()
            self._actions = {self.prefix + a.get_name(): a for a in listed}
        return self._actions

    def _maps(self, klass: Any, key: str) -> Maps:
        if key not in self._schemas:
            schema = klass.get_schema()
            self._schemas[key] = (
                {a.name: a for a in schema.attributes},
                {b.type_name: b for b in schema.block_types},
            )
        return self._schemas[key]

    def resource_maps(self, type_name: str) -> Maps:
        return self._maps(self.resources()[type_name], type_name)

    def data_source_maps(self, type_name: str) -> Maps:
        return self._maps(self.data_sources()[type_name], "data." + type_name)

    def list_maps(self, type_name: str) -> Maps:
        return self._maps(self.list_resources()[type_name], "list." + type_name)

    def action_maps(self, type_name: str) -> Maps:
        return self._maps(self.actions()[type_name], "action." + type_name)

    def single_blocks(self, type_name: str) -> set[str]:
        """A resource's single blocks: a diagnostic into one needs the element index (`wire.diagnostics`)."""
        _, blocks = self.resource_maps(type_name)
        return {name for name, block in blocks.items() if isinstance(block, SingleNestedBlock)}

    def _write_only(self, type_name: str) -> list[WriteOnlyPath]:
        if type_name not in self._write_only_paths:
            self._write_only_paths[type_name] = write_only_paths(*self.resource_maps(type_name))
        return self._write_only_paths[type_name]

    def complete(self, type_name: str, state: Values | None) -> Values | None:
        """A state to answer: every attribute present, write-only ones null (Terraform keeps none of them)."""
        attrs, blocks = self.resource_maps(type_name)
        return without_write_only(complete_state(attrs, blocks, state), self._write_only(type_name))

    def _resource(self, type_name: str) -> Any:
        return self.app.new_resource(self.resources()[type_name])

    # ------------------------------------------------------------------------ provider

    def provider_schema(self, diags: Diagnostics) -> Any:
        return self.app.get_provider_schema(diags)

    def validate_provider(self, config: Values) -> Diagnostics:
        diags = Diagnostics()
        self.app.validate_config(diags, config)
        return diags

    def configure_provider(self, config: Values) -> Diagnostics:
        diags = Diagnostics()
        self.app.configure_provider(diags, config)
        return diags

    def stop(self) -> None:
        """Terraform's Ctrl-C: operations in flight should end soon. We keep serving (their answers carry the
        state); a provider with `stop()` cuts its long waits short."""
        stop = getattr(self.app, "stop", None)
        if callable(stop):
            stop()

    # ------------------------------------------------------------------------ resource identity (Terraform 1.12+)
    # A resource class declares `identity`: (identity attribute, state attribute, required for import,
    # description) tuples.

    def identity_schemas(self) -> dict[str, tuple[tuple[str, str, bool, str], ...]]:
        return {t: k.identity for t, k in self.resources().items() if getattr(k, "identity", None)}

    def identity(self, type_name: str, state: Values | None, prior: Values | None = None) -> Values | None:
        """The identity of `state` (None without one): the prior identity while it names the same object,
        so that it stays stable across refreshes."""
        identity = getattr(self.resources()[type_name], "identity", None)
        if not identity or state is None:
            return None
        fresh = {name: state.get(attribute) for name, attribute, _, _ in identity}
        if any(fresh[name] is None for name, _, required, _ in identity if required) or not state.get("id"):
            return None
        if isinstance(prior, dict) and all(prior.get(k) in (None, v) for k, v in fresh.items()):
            fresh = {**fresh, **{k: v for k, v in prior.items() if v is not None}}
        return fresh

    # ------------------------------------------------------------------------ resources

    def validate_resource(self, type_name: str, config: Values | None, write_only_allowed: bool) -> Diagnostics:
        diags = Diagnostics()
        attrs, blocks = self.resource_maps(type_name)
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        if not write_only_allowed:
            refuse_write_only(diags, config, self._write_only(type_name))
        if not diags.has_errors():
            self._resource(type_name).validate(diags, type_name, config or {})
        return diags

    def upgrade_resource(self, diags: Diagnostics, type_name: str, version: int, state: Values | None) -> Any:
        """A stored state (raw JSON values) as today's schema writes it, still raw: the adapter decodes it."""
        klass = self.resources()[type_name]
        if state is not None and version < (klass.get_schema().version or 0):
            state = self._resource(type_name).upgrade(UpgradeContext(diags, type_name), version, state)
        return state

    def read_resource(self, diags: Diagnostics, type_name: str, current: Values) -> Values | None:
        return self.complete(type_name, self._resource(type_name).read(ReadContext(diags, type_name), current))

    def plan_resource(
        self, diags: Diagnostics, type_name: str, prior: Values | None, proposed: Values, config: Values | None
    ) -> Planned:
        """The resource's `plan()` over Terraform's proposed object, then Terraform core's own check of it."""
        attrs, blocks = self.resource_maps(type_name)
        schema_items: dict[str, Attribute | NestedBlock] = {**attrs, **blocks}
        hidden = self._write_only(type_name)
        prior, proposed_open = without_write_only(prior, hidden), without_write_only(proposed, hidden) or {}
        if prior is None:
            changed = {k for k, v in proposed_open.items() if v is not None}
            replace: list[AttributePath] = []
            planned = {k: _unknown_if_unset(attrs.get(k), v) for k, v in proposed_open.items()}
        else:
            planned = {**copy_values(proposed_open), **_blocks_from_config(blocks, config or {})}
            planned = without_write_only(planned, hidden) or {}
            changed = {k for k, item in schema_items.items() if not values_equal(item, prior.get(k), planned.get(k))}
            replace = [[k] for k in sorted(changed) if k in attrs and attrs[k].requires_replace]
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        if diags.has_errors():
            return Planned(diags, planned)
        ctx = PlanContext(diags, type_name, changed_fields=changed, config=config, requires_replace=replace)
        result = self.complete(type_name, self._resource(type_name).plan(ctx, copy_values(prior), planned))
        if not diags.has_errors():
            contract.stop_plan(diags, contract.plan_findings(attrs, blocks, prior, config, result))
        return Planned(
            diags, result, ctx.requires_replace, keeps_identity=prior is not None and not ctx.requires_replace
        )

    def apply_resource(
        self, type_name: str, prior: Values | None, planned: Values | None, config: Values | None
    ) -> Applied:
        """Create, update or delete. Before a create or an update, the plan is checked as Terraform checks it (a
        violation stops the apply before anything is written); after it, the new object against the plan."""
        diags = Diagnostics()
        attrs, blocks = self.resource_maps(type_name)
        resource = self._resource(type_name)
        if planned is None:
            gone = resource.delete(DeleteContext(diags, type_name), prior) if prior is not None else None
            return Applied(diags, self.complete(type_name, gone))
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        hidden = self._write_only(type_name)
        contract.stop_apply(
            diags, contract.plan_findings(attrs, blocks, without_write_only(prior, hidden), config, planned)
        )
        if diags.has_errors():
            return Applied(diags, prior, written=False)
        if prior is None:
            new_state = resource.create(CreateContext(diags, type_name, config=config), planned)
        else:
            new_state = resource.update(UpdateContext(diags, type_name, config=config), prior, planned)
        new_state = self.complete(type_name, new_state)
        if not diags.has_errors():  # as Terraform: an error explains any difference better than this check
            contract.report_applied(
                diags,
                contract.apply_findings(attrs, blocks, planned, new_state),
                created=prior is None,
                uid=(new_state or {}).get("id"),
            )
        return Applied(diags, new_state)

    def applied_identity(
        self, diags: Diagnostics, type_name: str, state: Values | None, planned_identity: Values | None
    ) -> Values | None:
        """The identity of an applied object; one that differs from the planned identity is an error."""
        identity = self.identity(type_name, state, planned_identity)
        if not diags.has_errors():
            for finding in contract.identity_findings(planned_identity, identity):
                diags.add_error(
                    "Applied identity differs from the plan",
                    f"{finding.what}. Terraform keeps a resource's identity for its whole life; the change was "
                    "made and the state records the object as it now is. Report this to terraform-provider-oci "
                    "with this message.",
                )
        return identity

    def import_resource(self, diags: Diagnostics, type_name: str, given: str) -> Values | None:
        klass = self.resources()[type_name]
        if not is_importable(klass):
            diags.add_error(f"{type_name} cannot be imported")
            return None
        state = self.app.new_resource(klass).import_(ImportContext(diags, type_name), given)
        if state is None or diags.has_errors():
            return None
        return self.complete(type_name, state)

    def move_resource(self, diags: Diagnostics, type_name: str, source: moves.MoveSource) -> Values | None:
        """The state a `moved` block from another resource type brings into `type_name`, complete; None after
        an error (`provider.tfx.moves`)."""
        state = moves.move(self._resource(type_name), moves.MoveContext(diags, type_name), source)
        if state is None or diags.has_errors():
            return None
        return self.complete(type_name, state)

    # ------------------------------------------------------------------------ data sources

    def validate_data_source(self, type_name: str, config: Values | None) -> Diagnostics:
        diags = Diagnostics()
        attrs, blocks = self.data_source_maps(type_name)
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        if not diags.has_errors():
            self.app.new_data_source(self.data_sources()[type_name]).validate(diags, type_name, config or {})
        return diags

    def read_data_source(self, diags: Diagnostics, type_name: str, config: Values | None) -> Values | None:
        attrs, blocks = self.data_source_maps(type_name)
        klass = self.data_sources()[type_name]
        state = self.app.new_data_source(klass).read(ReadDataContext(diags, type_name), config)
        if state is None:  # on error, echo the configuration: Terraform needs an object
            state = config
        return complete_state(attrs, blocks, state)

    # ------------------------------------------------------------------------ list resources (Terraform 1.14+)

    def validate_list_resource(self, type_name: str, config: Values | None) -> Diagnostics:
        """Diagnostics with their paths in the list block's `config` block, where Terraform finds them."""
        diags = Diagnostics()
        attrs, blocks = self.list_maps(type_name)
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        if not diags.has_errors():
            self.app.new_list_resource(self.list_resources()[type_name]).validate(diags, type_name, config or {})
        return in_config_block(diags)

    def list(self, ctx: ListContext, config: Values | None) -> Iterator[Listed]:
        klass = self.list_resources()[ctx.type_name]
        listed: Iterator[Listed] = iter(self.app.new_list_resource(klass).list(ctx, config or {}))
        return listed

    # ------------------------------------------------------------------------ actions (Terraform 1.14+)

    def _action(self, type_name: str) -> Any:
        return self.app.new_action(self.actions()[type_name])

    def validate_action(self, type_name: str, config: Values | None) -> Diagnostics:
        diags = Diagnostics()
        attrs, blocks = self.action_maps(type_name)
        contract.refuse_read_only(diags, contract.read_only_findings(attrs, blocks, config))
        if not diags.has_errors():
            self._action(type_name).validate(ActionContext(diags, type_name), config or {})
        return diags

    def plan_action(self, diags: Diagnostics, type_name: str, config: Values | None) -> None:
        self._action(type_name).plan(ActionContext(diags, type_name), config or {})

    def invoke_action(self, diags: Diagnostics, type_name: str, config: Values | None) -> Iterator[str]:
        """The lines the action sends to `ctx.progress()`, as it sends them (it runs on a thread of its own)."""
        action = self._action(type_name)

        def run(progress: Any) -> None:
            action.invoke(ActionContext(diags, type_name, progress), config or {})

        return streamed(run)


def copy_values(value: Any) -> Any:
    """A copy of a decoded value whose dicts and lists are new (a resource's `plan()` may change what it
    is given) and whose leaves are shared: strings, numbers, booleans, None and `Unknown` are immutable,
    and `Unknown` must stay the one sentinel. What `copy.deepcopy` gives for these values, at a fraction
    of its cost: it was a quarter of a PlanResourceChange's CPU (bench/rpc_profile.py)."""
    if isinstance(value, dict):
        return {key: copy_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_values(item) for item in value]
    return value


def _blocks_from_config(blocks: Mapping[str, NestedBlock], config: Values) -> Values:
    """Blocks without computed attributes are planned as configured.

    Terraform 1.0's proposed new state keeps a single block the configuration removed, then rejects
    the plan that keeps it ("planned for existence but config wants absence").
    """
    return {
        name: copy_values(config.get(name))
        for name, block in blocks.items()
        if not any(a.computed for a in block.block.attributes)
    }


def _unknown_if_unset(attr: Attribute | None, value: Any) -> Any:
    """On create, a computed attribute the configuration leaves unset is unknown until apply."""
    if attr is not None and value is None and attr.computed:
        return attr.default
    return value


def refuse_write_only(diags: Diagnostics, config: Values | None, paths: list[WriteOnlyPath]) -> None:
    """A Terraform that does not say it supports write-only attributes (before 1.11) would keep their
    values in its plan and state: a plan-time error at each one set, naming the alternative."""
    for path in paths:
        if write_only_value(config, path) is None:
            continue
        name = ".".join(path)
        plain = path[-1].removesuffix("_wo")
        diags.add_error(
            f"{path[-1]} needs Terraform 1.11 or later",
            f"{name} is a write-only argument: Terraform 1.11 and later send it to the provider without keeping it "
            "in the plan or the state. This Terraform does not support write-only arguments and would store the "
            f"secret in its state. Use {plain} instead (sensitive, but kept in the state), or upgrade Terraform.",
            path=list(path),
        )


class Some:
    """Some of a `Diagnostics`' diagnostics, for `wire.diagnostics`."""

    def __init__(self, diagnostics: list[Any]):
        self.diagnostics = diagnostics


def in_config_block(diags: Diagnostics) -> Diagnostics:
    """Diagnostics of a list resource's configuration with their paths moved into the `config` block."""
    moved = Diagnostics()
    moved.diagnostics = [
        Diagnostic(d.severity, d.summary, d.detail, ["config", *d.path]) if d.path else d for d in diags.diagnostics
    ]
    return moved
