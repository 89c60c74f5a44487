"""The action `oci_registry_sync` as pure parts: its configuration checks, its cautions, the progress lines
of a wait, the outcome of each way a sync can end (over a stand-in client), and the servicer's stream of
events. Through real Terraform: tests/acceptance/test_sync_action.py."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.actions import SyncAction, SyncProgress, Target, caution, config_problems, refused, timeout_seconds
from provider.palette.errors import (
    ServerError,
    SyncFailedError,
    SyncInterruptedError,
    SyncTimeoutError,
)
from provider.palette.models import RegistrySyncStatus
from provider.tfx.actions import ActionContext, streamed

UID = "5f3b2c1d9e8a7b6c5d4e3f2a"


def problems(config: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    return [(p.path, p.summary) for p in config_problems(config)]


# ---------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"uid": UID}, []),
        ({"uid": UID, "timeout": "1h30m", "wait": True}, []),
        ({"uid": Unknown, "timeout": Unknown}, []),  # known at apply: checked then
        ({"uid": ""}, [(("uid",), "Empty registry uid")]),
        ({"uid": "  "}, [(("uid",), "Empty registry uid")]),
        ({"uid": "charts/../other"}, [(("uid",), "Invalid registry uid")]),
        ({"uid": "my charts"}, [(("uid",), "Invalid registry uid")]),
        ({"uid": UID, "timeout": "soon"}, [(("timeout",), "Invalid timeout")]),
        ({"uid": UID, "timeout": "10"}, [(("timeout",), "Invalid timeout")]),  # no unit: as the resources' timeouts
        ({"uid": UID, "timeout": "0s"}, [(("timeout",), "timeout must be longer than zero")]),
        ({"uid": UID, "timeout": "-5m"}, [(("timeout",), "timeout must be longer than zero")]),
    ],
)
def test_configuration_problems_name_the_attribute(config: dict[str, Any], expected: list[Any]) -> None:
    assert problems(config) == expected


def test_problem_details_say_where_a_uid_comes_from_and_how_to_write_a_duration() -> None:
    (uid,) = config_problems({"uid": "charts/x"})
    assert "oci_registry_helm.charts.id" in uid.detail and "oci_registry data source" in uid.detail
    (timeout,) = config_problems({"uid": UID, "timeout": "soon"})
    assert '"10m"' in timeout.detail


def test_timeout_defaults_to_the_resources_ten_minutes() -> None:
    assert timeout_seconds({"uid": UID}) == 600.0
    assert timeout_seconds({"uid": UID, "timeout": "1h30m"}) == 5400.0
    assert timeout_seconds({"uid": UID, "timeout": "90s"}) == 90.0


def test_timeout_without_wait_is_a_warning_at_timeout() -> None:
    diags = Diagnostics()
    SyncAction(None).validate(ActionContext(diags, "oci_registry_sync"), {"uid": UID, "wait": False, "timeout": "5m"})
    (warning,) = diags.diagnostics
    assert warning.summary == "timeout has no effect without wait" and not diags.has_errors()


# ---------------------------------------------------------------------------- cautions, not refusals


def target(kind: str = "helm", syncing: bool = True) -> Target:
    return Target(UID, "charts", "basic", kind, syncing)


def test_a_registry_without_automatic_sync_is_a_caution_not_a_refusal() -> None:
    """The docs describe a manual sync of a registry whose automatic sync is off; the product page rules out only
    automatic sync for Zarf: the plan warns, and Palette's answer decides."""
    for kind, words in (("helm", "Turn auto_sync on"), ("zarf", "for a Zarf registry")):
        reason = caution(target(kind, syncing=False))
        assert reason is not None
        summary, detail = reason
        assert summary == "Registry does not synchronize automatically"
        assert f'registry "charts" ({UID})' in detail and "Palette may refuse it" in detail
        assert words.lower() in detail.lower()


def test_syncing_registries_get_no_caution() -> None:
    assert caution(target("helm")) is None and caution(target("pack")) is None and caution(target("zarf")) is None


def test_palettes_refusal_is_quoted_with_the_fix() -> None:
    summary, detail = refused(target("helm", syncing=False), "Palette answered 400 Bad Request: not enabled")
    assert summary == "Palette refused to synchronize the registry"
    assert "Palette answered 400 Bad Request: not enabled" in detail and "auto_sync" in detail


# ---------------------------------------------------------------------------- progress lines


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def status(word: str | None, message: str | None = None) -> RegistrySyncStatus:
    return RegistrySyncStatus(status=word, message=message)


def test_progress_shows_each_change_and_a_heartbeat_while_nothing_changes() -> None:
    lines: list[str] = []
    clock = Clock()
    show = SyncProgress(lines.append, heartbeat=30.0, clock=clock)
    show(status(""))
    clock.now = 2.0
    show(status("InProgress"))
    for clock.now in (5.0, 20.0):
        show(status("InProgress"))  # nothing new, and the last line is recent: nothing shown
    clock.now = 35.0
    show(status("InProgress"))
    clock.now = 40.0
    show(status("InProgress"))
    clock.now = 95.0
    show(status("Failed", "no such repository"))
    assert lines == [
        "sync status: no status yet",
        "sync status: InProgress",
        "sync status: InProgress, 35s since the sync was requested",
        "sync status: Failed (no such repository)",
    ]


def test_palettes_message_is_shown_without_credentials_and_cut_short() -> None:
    lines: list[str] = []
    show = SyncProgress(lines.append, clock=Clock())
    show(status("Failed", "cannot pull https://robot:Sup3r-Secret@harbor.example.com/v2/: " + "x" * 2000))
    (line,) = lines
    assert "Sup3r-Secret" not in line and "harbor.example.com" in line and len(line) < 600


def test_a_long_wait_says_minutes() -> None:
    lines: list[str] = []
    clock = Clock()
    show = SyncProgress(lines.append, heartbeat=30.0, clock=clock)
    show(status("Running"))
    clock.now = 125.0
    show(status("Running"))
    assert lines[-1] == "sync status: Running, 2m05s since the sync was requested"


# ---------------------------------------------------------------------------- invoke over a stand-in client


class StandInClient:
    """What the action asks of PaletteClient: a syncing Helm registry, and a wait that ends as told."""

    def __init__(self, outcome: Exception | None = None, *, provider_type: str = "helm") -> None:
        self.outcome = outcome
        self.provider_type = provider_type
        self.forced: list[tuple[str, str, bool]] = []

    def get_oci(self, uid: str) -> Any:
        return SimpleNamespace(family="basic", type="basic", provider_type=self.provider_type)

    def get(self, kind: str, uid: str) -> Any:
        sync = SimpleNamespace(is_sync_supported=self.provider_type != "zarf")
        return SimpleNamespace(
            metadata=SimpleNamespace(name="charts"),
            spec=SimpleNamespace(provider_type=self.provider_type, is_sync_supported=sync.is_sync_supported),
            status=SimpleNamespace(sync_status=sync),
        )

    def sync(self, uid: str, kind: str, *, force: bool = False) -> None:
        self.forced.append((uid, kind, force))

    def wait_for_sync(self, uid: str, kind: str, timeout: float, **kwargs: Any) -> RegistrySyncStatus:
        kwargs["on_status"](status("InProgress"))
        if self.outcome is not None:
            raise self.outcome
        kwargs["on_status"](status("Success"))
        return RegistrySyncStatus(status="Success", is_sync_supported=True, last_synced_time="2026-12-01T00:00:00Z")


class StandInProvider:
    def __init__(self, client: StandInClient) -> None:
        self.client = client
        self.settings = object()
        self.stopping = threading.Event()

    def palette(self, diags: Diagnostics) -> StandInClient:
        return self.client

    def proven_palette(self, diags: Diagnostics) -> StandInClient:
        return self.client  # its key counts as proven: these tests are about the sync


def invoke(client: StandInClient, config: dict[str, Any] | None = None) -> tuple[list[str], Diagnostics]:
    lines: list[str] = []
    diags = Diagnostics()
    SyncAction(StandInProvider(client)).invoke(
        ActionContext(diags, "oci_registry_sync", lines.append), config or {"uid": UID}
    )
    return lines, diags


def test_a_sync_that_succeeds_is_forced_and_shows_its_way() -> None:
    client = StandInClient()
    lines, diags = invoke(client)
    assert client.forced == [(UID, "basic", True)]
    assert lines == [
        f'Palette accepted a forced sync of Helm registry "charts" ({UID})',
        "sync status: InProgress",
        "sync status: Success",
        "synchronized; last synced at 2026-12-01T00:00:00Z",
    ]
    assert not diags.diagnostics


@pytest.mark.parametrize(
    ("outcome", "severity", "summary", "path"),
    [
        (
            SyncFailedError("the sync of registry x failed (Failed): 401"),
            "error",
            "Registry synchronization failed",
            "uid",
        ),
        (
            SyncTimeoutError("did not finish within 600s"),
            "error",
            "Registry synchronization did not finish in time",
            "timeout",
        ),
        (SyncInterruptedError("stopped waiting"), "warning", "Stopped waiting for the registry to synchronize", None),
        (ServerError("boom", status=503), "error", "Palette failed to answer", None),
    ],
    ids=["failed", "timeout", "interrupted", "palette-error"],
)
def test_each_way_a_wait_ends_is_one_diagnostic(
    outcome: Exception, severity: str, summary: str, path: str | None
) -> None:
    _, diags = invoke(StandInClient(outcome))
    (diagnostic,) = diags.diagnostics
    assert (diagnostic.severity, diagnostic.summary) == (severity, summary)
    assert (diagnostic.path[0] if diagnostic.path else None) == path
    assert "Traceback" not in (diagnostic.detail or "")


def test_wait_false_ends_once_palette_accepted_the_sync() -> None:
    client = StandInClient(SyncFailedError("never reached"))
    lines, diags = invoke(client, {"uid": UID, "wait": False})
    assert client.forced == [(UID, "basic", True)] and not diags.diagnostics
    assert lines[-1].startswith("not waiting for the sync to end (wait = false)")


def test_a_zarf_registry_is_sent_a_manual_sync_and_not_waited_for() -> None:
    client = StandInClient(provider_type="zarf")
    lines, diags = invoke(client)
    assert client.forced == [(UID, "basic", True)] and not diags.diagnostics
    assert lines[0] == f'Palette accepted a forced sync of Zarf registry "charts" ({UID})'
    assert lines[1].startswith("its automatic sync is off") and len(lines) == 2


def test_palette_refusing_a_manual_sync_is_an_error_with_its_words() -> None:
    from provider.palette.errors import ValidationFailedError

    class Refusing(StandInClient):
        def sync(self, uid: str, kind: str, *, force: bool = False) -> None:
            raise ValidationFailedError("synchronization is not enabled", status=400, code="BadRequest")

    lines, diags = invoke(Refusing(provider_type="zarf"))
    (error,) = diags.diagnostics
    assert (error.severity, error.summary, error.path) == (
        "error",
        "Palette refused to synchronize the registry",
        ["uid"],
    )
    assert "synchronization is not enabled" in error.detail and lines == []


# ---------------------------------------------------------------------------- the servicer's stream


def test_streamed_yields_lines_as_they_come_and_raises_what_the_work_raised() -> None:
    def work(progress: Any) -> None:
        progress("one")
        progress("two")
        raise RuntimeError("broken")

    seen: list[str] = []
    with pytest.raises(RuntimeError, match="broken"):
        for line in streamed(work):
            seen.append(line)
    assert seen == ["one", "two"]


class OneAction:
    """A provider with one action whose invoke does what `behaviour` says."""

    def __init__(self, behaviour: Any) -> None:
        self.behaviour = behaviour

    def get_model_prefix(self) -> str:
        return "x_"

    def get_actions(self) -> list[Any]:
        behaviour = self.behaviour

        class Act:
            def __init__(self, provider: Any) -> None:
                pass

            @classmethod
            def get_name(cls) -> str:
                return "act"

            @classmethod
            def get_schema(cls) -> Any:
                return SyncAction.get_schema()

            def invoke(self, ctx: ActionContext, config: dict[str, Any]) -> None:
                behaviour(ctx, config)

        return [Act]

    def new_action(self, klass: Any) -> Any:
        return klass(self)


def events(behaviour: Any, config: dict[str, Any]) -> list[Any]:
    from provider.tfx import wire
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    request = pb.InvokeAction.Request(action_type="x_act", config=wire.dynamic_value(config))
    return list(Servicer(OneAction(behaviour)).InvokeAction(request, None))


def test_invoke_streams_progress_then_completed_with_the_diagnostics() -> None:
    def behaviour(ctx: ActionContext, config: dict[str, Any]) -> None:
        ctx.progress(f"syncing {config['uid']} from https://robot:hunter2@harbor.example.com")
        ctx.diagnostics.add_warning("careful")

    answer = events(behaviour, {"uid": UID, "wait": None, "timeout": None})
    assert [e.WhichOneof("type") for e in answer] == ["progress", "completed"]
    assert answer[0].progress.message.startswith(f"syncing {UID} from https://")
    assert "hunter2" not in answer[0].progress.message  # the provider's redaction applies to progress too
    assert [d.summary for d in answer[1].completed.diagnostics] == ["careful"]


def test_an_exception_in_invoke_is_an_error_diagnostic_not_a_broken_stream() -> None:
    def behaviour(ctx: ActionContext, config: dict[str, Any]) -> None:
        ctx.progress("started")
        raise KeyError("oops")

    answer = events(behaviour, {"uid": UID, "wait": None, "timeout": None})
    assert [e.WhichOneof("type") for e in answer] == ["progress", "completed"]
    (error,) = answer[1].completed.diagnostics
    assert error.summary == "Unexpected failure in terraform-provider-oci" and "KeyError" in error.detail


def test_the_action_is_listed_in_metadata_and_schemas() -> None:
    from provider.plugin import OciProvider
    from provider.tfx.gen import tfplugin6_pb2 as pb
    from provider.tfx.servicer import Servicer

    servicer = Servicer(OciProvider())
    metadata = servicer.GetMetadata(pb.GetMetadata.Request(), None)
    assert [a.type_name for a in metadata.actions] == ["oci_registry_sync"]
    schema = servicer.GetProviderSchema(pb.GetProviderSchema.Request(), None).action_schemas["oci_registry_sync"]
    attributes = {a.name: (a.required, a.optional) for a in schema.schema.block.attributes}
    assert attributes == {"uid": (True, False), "wait": (False, True), "timeout": (False, True)}
