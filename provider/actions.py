"""The action `oci_registry_sync` (Terraform 1.14+): Palette synchronizes a registry now.

What the UI's sync button does, from a pipeline that has just pushed charts or packs:
`terraform apply -invoke=action.oci_registry_sync.<name>`, or from a resource's
`lifecycle { action_trigger { ... } }`. Palette's `POST /v1/registries/oci/{uid}/{basic|ecr}/sync?forceSync=true`,
then (with `wait`, the default) the sync status until the sync ends, each change shown as Terraform runs.

- The registry is named by its uid alone. Which API path it lives under (basic or ECR) and its kind are
  Palette's to tell: `GET /v1/registries/oci/{uid}` answers both, so the configuration cannot contradict them.
- A registry whose automatic sync is off (or a Zarf registry, which never syncs automatically) is not refused:
  Palette's docs describe a manual sync of such a registry, and the product page rules out only *automatic*
  sync for Zarf. The plan warns; invoke sends the sync and reports Palette's answer (a refusal is an error
  with Palette's words and the fix). Its sync status does not follow such a run, so the action does not wait.
- A sync that fails or outlasts `timeout` is an error. The resources' `wait_for_sync` warns instead, since
  an error on create would taint the registry; an action has no state to taint, and a pipeline that asks for
  a sync must be able to fail on it. Ctrl-C (StopProvider) ends the wait with a warning: Palette goes on.

The pure parts (`config_problems`, `caution`, `refused`, `SyncProgress`) are tested on their own; Palette's client loads
only when the action runs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from tf.schema import Attribute, Schema
from tf.types import Bool, String, Unknown

from provider.durations import DEFAULT_WAIT, DEFAULT_WAIT_SECONDS, parse_duration, wait_problem
from provider.kinds import KINDS
from provider.palette.errors import truncate  # stdlib only
from provider.problems import Problem, add_problems
from provider.redaction import redact_credentials
from provider.registries.values import known
from provider.words import Family

if TYPE_CHECKING:
    from provider.palette.client import PaletteClient
    from provider.session import Session
    from provider.tfx.actions import ActionContext

HEARTBEAT_SECONDS = 30.0  # a line at least this often while the status stays the same
_UID_CHARACTERS = re.compile(r"^[A-Za-z0-9._-]+$")  # one path segment (the client refuses anything else)
_WHERE_UIDS_COME_FROM = (
    "Use the id of an oci_registry_helm or oci_registry_packs resource (uid = oci_registry_helm.charts.id), "
    "or of the oci_registry data source, which finds a registry by name."
)


# ---------------------------------------------------------------------------- pure parts


def config_problems(config: dict[str, Any]) -> list[Problem]:
    """What is wrong with a configuration, as far as it is known: errors at `uid` and `timeout`."""
    problems: list[Problem] = []
    uid = config.get("uid")
    if known(uid) and not uid.strip():
        detail = f"uid names the registry to sync. {_WHERE_UIDS_COME_FROM}"
        problems.append(Problem(("uid",), "Empty registry uid", detail))
    elif known(uid) and not _UID_CHARACTERS.match(uid):
        problems.append(
            Problem(
                ("uid",),
                "Invalid registry uid",
                f'"{uid}" is not a Palette uid: uids are letters and digits, such as "5f3b2c1d9e8a7b6c5d4e3f2a". '
                + _WHERE_UIDS_COME_FROM,
            )
        )
    timeout = config.get("timeout")
    problem = wait_problem(timeout) if known(timeout) else None
    if problem is not None and problem[0] == "invalid":
        problems.append(Problem(("timeout",), "Invalid timeout", problem[1]))
    elif problem is not None:
        problems.append(
            Problem(
                ("timeout",),
                "timeout must be longer than zero",
                f'{problem[1]} Write a positive duration such as "10m", or set wait = false to request the sync '
                "without waiting.",
            )
        )
    return problems


def timeout_seconds(config: dict[str, Any]) -> float:
    """How long to wait: `timeout`, or the default (a configuration `config_problems` accepted)."""
    timeout = config.get("timeout")
    return (parse_duration(timeout) if known(timeout) else None) or DEFAULT_WAIT_SECONDS


def waits(config: dict[str, Any]) -> bool:
    return config.get("wait") is not False


@dataclass(frozen=True)
class Target:
    """The registry an action syncs, as Palette describes it."""

    uid: str
    name: str
    family: Family
    kind: str  # a Kind, or the word Palette sent for one this provider does not know
    syncing: bool  # Palette reports that it synchronizes

    @property
    def words(self) -> str:
        title = KINDS[self.kind].title if self.kind in KINDS else self.kind or "OCI"
        return f'{title} registry "{self.name}" ({self.uid})'


def caution(target: Target) -> tuple[str, str] | None:
    """Why Palette may refuse to sync `target`, as (summary, detail with the fix); None when nothing says so.

    Not a refusal: the docs describe a manual sync of a registry whose automatic sync is off, and the
    product page rules out only *automatic* sync for Zarf registries. So the action sends the sync and
    reports Palette's answer (`refused`); this is the plan's warning."""
    if target.syncing:
        return None
    if target.kind == "zarf":
        why = f"{target.words}: Palette does not synchronize Zarf registries automatically."
    else:
        why = (
            f"Palette reports that {target.words} does not synchronize automatically "
            "(status.syncStatus.isSyncSupported is false)."
        )
    return (
        "Registry does not synchronize automatically",
        f"{why} Palette's docs describe a manual sync of such a registry, so the action asks for one, but Palette "
        "may refuse it. " + _SYNC_FIX[target.kind == "zarf"],
    )


def refused(target: Target, palette_said: str) -> tuple[str, str]:
    """Palette refused the sync of `target`: (summary, detail with Palette's words and the fix)."""
    fix = _SYNC_FIX[target.kind == "zarf"] if not target.syncing else _FIX_WHAT_PALETTE_NAMES
    return (
        "Palette refused to synchronize the registry",
        f"Palette refused to sync {target.words}: {palette_said}.\n\n{fix}",
    )


_FIX_WHAT_PALETTE_NAMES = (
    "Fix what Palette's message names (the registry's endpoint, credentials, TLS settings or base_content_path), "
    "then run the action again."
)
_SYNC_FIX = {
    False: f"To have Palette synchronize it, turn auto_sync on in its {KINDS['helm'].resource_type} resource and apply "
    "first; a registry created before Palette 4.5.0 syncs only once re-registered "
    f"(`terraform taint {KINDS['helm'].resource_type}.<name>`, then `terraform apply`).",
    True: "Palette synchronizes Helm and Packs registries; for a Zarf registry, remove this action or point uid at a "
    "Helm or Packs registry.",
}


class SyncProgress:
    """The lines a wait shows: each new status as Palette reports it, and while it stays the same, a line
    every `heartbeat` seconds so that a long sync is visibly alive."""

    def __init__(
        self,
        progress: Callable[[str], None],
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._progress = progress
        self._heartbeat = heartbeat
        self._clock = clock
        self._started = clock()
        self._last: str | None = None
        self._last_line_at = self._started

    def __call__(self, status: Any) -> None:
        """`status`: Palette's v1RegistrySyncStatus (its `status` and `message`)."""
        word = (status.status or "").strip() or "no status yet"
        now = self._clock()
        if word != self._last:
            message = truncate(redact_credentials((status.message or "").strip()))  # as the client's errors do
            self._progress(f"sync status: {word}" + (f" ({message})" if message else ""))
        elif now - self._last_line_at >= self._heartbeat:
            self._progress(f"sync status: {word}, {_duration(now - self._started)} since the sync was requested")
        else:
            return
        self._last, self._last_line_at = word, now


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


# ---------------------------------------------------------------------------- the action


class SyncAction:
    """`oci_registry_sync` (`provider.tfx.actions` says what an action implements)."""

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "registry_sync"

    @classmethod
    @cache
    def get_schema(cls) -> Schema:
        return Schema(
            description="Asks Palette to synchronize a registry now (the UI's sync button: a forced sync) and, by "
            "default, waits for the sync to end, showing each status as Palette reports it. Needs Terraform 1.14 or "
            "later. A registry whose automatic sync is off (or a Zarf registry) gets a warning at plan and a manual "
            "sync, as Palette's docs describe; Palette's refusal, a sync that fails or one that outlasts `timeout` "
            "fails the action.",
            attributes=[
                Attribute(
                    "uid",
                    String(),
                    required=True,
                    description="Palette uid of the registry to sync, e.g. `oci_registry_helm.charts.id` (or the "
                    "`id` of the `oci_registry` data source, which finds a registry by name). Palette tells whether "
                    "it is a basic or an ECR registry and of which kind.",
                ),
                Attribute(
                    "wait",
                    Bool(),
                    optional=True,
                    description="Wait until the sync has ended, showing its status as it changes. With `false` the "
                    "action ends once Palette has accepted the sync. Default `true`.",
                ),
                Attribute(
                    "timeout",
                    String(),
                    optional=True,
                    description=f'How long to wait for the sync, a duration such as `"10m"` or `"1h30m"` (as the '
                    f'resources\' `timeouts`). Default `"{DEFAULT_WAIT}"`.',
                ),
            ],
        )

    # ------------------------------------------------------------------------ validate and plan

    def validate(self, ctx: ActionContext, config: dict[str, Any]) -> None:
        self._check(ctx, config)
        if config.get("wait") is False and config.get("timeout") is not None:
            ctx.diagnostics.add_warning(
                "timeout has no effect without wait",
                "wait = false ends the action once Palette has accepted the sync, so nothing waits for timeout. "
                "Remove timeout, or set wait = true.",
                path=["timeout"],
            )

    def _check(self, ctx: ActionContext, config: dict[str, Any]) -> None:
        """The configuration's errors. Plan and invoke check again what validate may have seen unknown (its
        warning is validate's alone: Terraform would show it once per call)."""
        add_problems(ctx.diagnostics, config_problems(config))

    def plan(self, ctx: ActionContext, config: dict[str, Any]) -> None:
        """Checked before Terraform asks for approval: the registry exists. One that does not synchronize
        automatically (sync off, or Zarf) is a warning: Palette may accept a manual sync, and the same apply may
        turn auto_sync on before the action runs."""
        self._check(ctx, config)
        uid = config.get("uid")
        if ctx.diagnostics.has_errors() or uid is Unknown or self.provider.settings is None:
            return  # an unknown uid (a registry this apply creates) or provider configuration: checked at invoke
        client = self.provider.proven_palette(ctx.diagnostics)  # "not found" only for a key Palette knows
        target = self._target(ctx, client, str(uid)) if client is not None else None
        reason = caution(target) if target is not None else None
        if reason is not None:
            ctx.diagnostics.add_warning(*reason, path=["uid"])

    # ------------------------------------------------------------------------ invoke

    def invoke(self, ctx: ActionContext, config: dict[str, Any]) -> None:
        diags = ctx.diagnostics
        self._check(ctx, config)
        if diags.has_errors():
            return
        client = self.provider.proven_palette(diags)  # "not found" only for a key Palette knows
        if client is None:
            return
        target = self._target(ctx, client, str(config["uid"]))
        if target is None:
            return
        from provider.palette.errors import (
            PaletteError,
            SyncFailedError,
            SyncInterruptedError,
            SyncTimeoutError,
            ValidationFailedError,
        )

        try:
            client.sync(target.uid, target.family, force=True)
        except ValidationFailedError as exc:  # Palette's answer, with its own words
            diags.add_error(*refused(target, str(exc)), path=["uid"])
            return
        except PaletteError as exc:
            from provider.diagnose import report

            report(diags, exc, f"sync {target.words}")
            return
        try:
            ctx.progress(f"Palette accepted a forced sync of {target.words}")
            if not target.syncing:
                # Palette reports the registry's automatic sync as off: its sync status says nothing of this run.
                ctx.progress(
                    "its automatic sync is off, so Palette's sync status cannot tell when this sync ends: not waiting "
                    "(check the registry in Palette)"
                )
                return
            if not waits(config):
                ctx.progress("not waiting for the sync to end (wait = false); Palette goes on synchronizing")
                return
            final = client.wait_for_sync(
                target.uid,
                target.family,
                timeout=timeout_seconds(config),
                stop=self.provider.stopping,
                on_status=SyncProgress(ctx.progress),
            )
        except SyncFailedError as exc:
            diags.add_error(
                "Registry synchronization failed",
                f"{exc}.\n\nFix what Palette's message names (the registry's endpoint, credentials, TLS settings or "
                "base_content_path), then run the action again.",
                path=["uid"],
            )
            return
        except SyncTimeoutError as exc:
            timeout = config.get("timeout") or DEFAULT_WAIT  # as the resources' timeouts
            diags.add_error(
                "Registry synchronization did not finish in time",
                f'{exc}.\n\nPalette goes on synchronizing the registry; the action stopped waiting after timeout = "'
                f'{timeout}". Raise timeout to wait longer, or set wait = false to request the sync without waiting.',
                path=["timeout"],
            )
            return
        except SyncInterruptedError as exc:
            diags.add_warning(
                "Stopped waiting for the registry to synchronize",
                f"Terraform was interrupted: {exc}. Palette accepted the sync and goes on with it.",
            )
            return
        except PaletteError as exc:
            from provider.diagnose import report

            report(diags, exc, f"sync {target.words}")
            return
        if final.is_sync_supported is False:  # turned off while it ran: Palette's word that nothing is left to do
            ctx.progress("Palette now reports that the registry does not synchronize")
        elif final.last_synced_time:
            ctx.progress(f"synchronized; last synced at {final.last_synced_time}")

    def _target(self, ctx: ActionContext, client: PaletteClient, uid: str) -> Target | None:
        """The registry behind `uid` as Palette describes it; None (with a diagnostic at uid) if there is none."""
        from provider.palette.errors import NotFoundError, PaletteError
        from provider.registries import mapping

        try:
            entity = client.get_oci(uid)
            if entity.family is None:
                ctx.diagnostics.add_error(
                    "Registry of an unknown type",
                    f'Palette reports registry {uid} as of type "{entity.type}": this provider syncs basic and ECR '
                    "OCI registries.",
                    path=["uid"],
                )
                return None
            registry = client.get(entity.family, uid)
        except NotFoundError:
            ctx.diagnostics.add_error(
                "Registry not found",
                f'No OCI registry with the uid "{uid}" is visible to this API key. {_WHERE_UIDS_COME_FROM} Check too '
                "that the provider's host is the Palette tenant that holds it.",
                path=["uid"],
            )
            return None
        except PaletteError as exc:
            from provider.diagnose import report

            report(ctx.diagnostics, exc, f"read registry {uid} to sync it")
            return None
        from provider.redaction import remember_masked

        remember_masked(mapping.masked_secrets(registry))  # Palette's sync messages may echo them
        kind = registry.spec.provider_type or entity.provider_type or ""
        name = registry.metadata.name or uid
        return Target(uid, name, entity.family, kind, mapping.sync_enabled(registry))
