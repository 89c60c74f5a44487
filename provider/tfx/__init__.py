"""Our protocol layer: Terraform's plugin protocol 6 served over `tf`'s schema classes and types.

`tf` (pinned at tf==1.2.0) maps Terraform's plugin protocol, as Terraform 1.8 knew it, onto a small
Python interface. This package keeps tf's types, schema classes and resource interface, and owns the
rest, so that nothing in the project imports tf's private functions:

- `proto/tfplugin6.proto`: protocol 6.10 (Terraform 1.15), the messages of the RPCs we serve, written
  from Terraform's published field numbers; `gen/` is its Python code (`scripts/gen-proto`; a unit
  test fails when it is stale). Our package name keeps it apart from tf's copy in protobuf's pool.
- `schema.py` (cheap, imported by provider modules): schema extensions and the plan context.
- `wire.py`: values, paths, diagnostics and schemas to and from protocol messages.
- `servicer.py`: thin adapters, one per RPC (protobuf in, protobuf out, typed with the generated `.pyi`),
  imported only when serving, over `core.py`: the framework core, on plain decoded values, which runs
  the provider's code and the contract's checks around it (plugin-framework's proto6server / fwserver).
- `contract.py`: Terraform's contract with a provider as pure functions over the schema (item 11).
- `actions.py`: what an action implements (Terraform 1.14+), and its run as a stream of events.
- `serving.py`: go-plugin's handshake and services, the handlers under "tfplugin6.Provider".
- `certificate.py`: the plugin's TLS certificate.

What this adds to tf, where it falls short for a first-class provider:

1. No single nested blocks (``basic_auth { ... }``): `SingleNestedBlock`.
2. No object type for attributes (lists of objects in data sources): `Object`.
3. `plan()` is not called when a resource is created, nested-block changes are missing from
   `changed_fields`, and replacement can only be declared statically. `PlanResourceChange`
   calls `plan()` for creates and updates alike with a `PlanContext` that carries the
   configuration, every changed attribute or block, and a `requires_replace` list the resource
   may extend (Palette cannot turn sync off, so `auto_sync` true -> false replaces).
   Destroy plans (Terraform >= 1.3 sends them) are answered instead of refused.
4. Terraform rejects a returned state that lacks an attribute: every state we return is completed
   with nulls (`complete_state`).
5. The default `upgrade()` warns on every plan: `UpgradeResourceState` calls `upgrade()` only for
   states written by an older schema version, and our resources upgrade without a warning.
6. An exception in a handler reaches the user as "Plugin error" with a Python traceback: every RPC
   turns an unexpected exception into an error diagnostic (the traceback goes to the log only), and
   every diagnostic's text passes the provider's redaction of credential-shaped text.
7. Data source results are sent without passing through the schema's encoders: we encode them.
   Terraform >= 1.6 sends *refined* unknowns (msgpack extension 12, e.g. for `"reg-${count.index}"`):
   `wire.msgpack_ext_hook` decodes them as `Unknown`.
8. Serving: `serve()` replaces `tf.runner.run_provider` with the same go-plugin wire behaviour,
   minus work Terraform waits for at every one of the 3-5 starts per command:
   - tf reads its cached certificate back through `cryptography.x509` to check its expiry (an
     import that costs as much as grpc's) and makes an RSA key when the cache is cold; we cache
     the expiry beside the PEMs (`plugin_certificate()`, ~/.cache/terraform-provider-oci) and make
     a P-256 key when needed, so a start imports no cryptography at all.
   - tf polls for shutdown every 50 ms and stops its server before Shutdown is answered (Terraform
     sees a cancelled call); we answer Shutdown, finish the calls still running, then return, and
     the entry point ends the process without the interpreter's teardown of grpc (~60 ms).
   - tf ends the server on StopProvider and on Ctrl-C, losing the answers of operations in flight
     (a registry Palette created but the state never records); we answer StopProvider and keep
     serving, and ignore SIGINT as go-plugin servers do: Terraform decides when we stop.
     StopProvider calls the provider's `stop()` when it has one, so long waits (`wait_for_sync`)
     end early and return what they have.
   - gRPC's default 4 MiB message limit refuses a plan holding a few megabytes of CA bundle; we
     allow 256 MiB each way, as go-plugin does for Go providers.
   - A go-plugin server ends when Terraform does; tf's keeps running (~60 MB) after Terraform is
     killed. A daemon thread watches the parent process id and shuts the server down when it
     changes (the process was re-parented: Terraform is gone).
   - `serve(provider, debug=True)` (`--dev`) serves without TLS and prints TF_REATTACH_PROVIDERS.
9. List resources (Terraform 1.14+, `terraform query`), which tf does not know: a provider may offer
   `get_list_resources()`, classes named as the managed resource whose objects they list (it must have
   an identity), whose `list(ListContext, config)` yields `Listed` values. ListResource answers a stream
   of events (identity, display name, and the completed object when Terraform asks for it), stops at
   Terraform's limit, sends diagnostics on the events and an exception as an error event.
   Terraform before 1.14 skips the new schema field and never calls these RPCs.
10. tf knows no actions (protocol 6.10, Terraform 1.14+): a provider's `get_actions()` lists them
   (`actions.py` says what one implements); the servicer lists them in GetMetadata and, in the field
   older Terraform skips, GetProviderSchema's `action_schemas`, and answers ValidateActionConfig,
   PlanAction and InvokeAction. InvokeAction is a stream: the action runs on a thread of its own, and
   each line it passes to `ctx.progress()` reaches Terraform at once, before the Completed event.
11. Terraform's contract, which plugin-framework and Terraform core enforce, checked from the schema alone
   for every type (`contract.py`, run by `core.py`): a value for a computed-only attribute is refused by
   every Validate*Config RPC at its path ("Invalid Configuration for Read-Only Attribute"), with the reason
   the schema gives (`read_only(attribute, why)`), unknown values included. Before a plan is answered it
   is checked as `objchange.AssertPlanValid` will check it (configured values kept, nothing planned for an
   unset non-computed argument, write-only values null, blocks as configured); at apply the plan is checked
   again before the resource's create or update runs, and the new object after it as
   `AssertObjectCompatible` will (known planned values kept, nothing unknown, identity kept). A violation
   is an error at the attribute with both values ("(sensitive)" for sensitive ones), before Terraform's
   "Provider produced invalid plan" / "inconsistent result after apply"; an applied object stays in the
   state, with its id.
12. tf knows no MoveResourceState (protocol 6.5, Terraform 1.8+: `moved` across resource types and
   providers): `moves.py` says what a resource declares to accept one (`moves_from`, `move_state()`);
   the servicer tells the capability in GetMetadata and GetProviderSchema (where Terraform reads it)
   and refuses every other source with "does not support moving from ...".
"""

from provider.tfx.certificate import PluginCertificate, plugin_certificate
from provider.tfx.schema import (
    AttributePath,
    Object,
    PlanContext,
    SingleNestedBlock,
    complete_state,
    is_write_only,
    values_equal,
    write_only,
)
from provider.tfx.serving import serve

__all__ = [
    "AttributePath",
    "Object",
    "PlanContext",
    "PluginCertificate",
    "SingleNestedBlock",
    "complete_state",
    "is_write_only",
    "plugin_certificate",
    "serve",
    "values_equal",
    "write_only",
]
