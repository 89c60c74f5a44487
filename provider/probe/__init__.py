"""`terraform-provider-oci probe`: check the provider's assumptions against a real Palette tenant.

    terraform-provider-oci probe [--host URL] [--api-key-env NAME] [--write] [--json FILE]

Host and key are read as the provider reads them (`provider.settings`: PALETTE_HOST or
SPECTROCLOUD_HOST, PALETTE_API_KEY or SPECTROCLOUD_APIKEY, PALETTE_CA_CERTIFICATE, ...); --host
overrides the host, --api-key-env names another variable holding the key. A key is never taken on
the command line (it would sit in the shell's history and in `ps`).

Read-only by default (`reads`); with --write, one scratch registry is created, changed and deleted
(`write`). What it meets is recorded as shapes (`shapes`) and judged row by row against
palette_emulator/FIDELITY.md (`report`). The provider never reads the report: it is evidence for
an issue, and a `--variant` line for palette-emulator in the user's own CI.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

TYPE_CHECKING = False  # typing is not needed at run time
if TYPE_CHECKING:
    from provider.probe.shapes import Observations
    from provider.settings import Settings

KEY_VARIABLES = ("PALETTE_API_KEY", "SPECTROCLOUD_APIKEY")
SYNC_TIMEOUT = 120.0  # seconds a sync of the scratch registry may take before the probe moves on

USAGE_EPILOG = """
Read-only by default: proves the key (GET /v1/dashboard/projects/metadata), sends one
deliberately wrong key, reads the registry summary and each registry. --write also creates a
scratch registry named terraform-provider-oci-probe-<hex> (endpoint
https://terraform-provider-oci-probe.invalid, never contacted), changes it, syncs it and deletes it,
also after a failure or Ctrl-C. The report names no host, registry, endpoint or secret.
See docs/guides/checking-your-tenant.md.
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="terraform-provider-oci probe",
        description="Check the provider's assumptions about Palette against your tenant.",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="Palette API host (default: PALETTE_HOST, as the provider reads it)")
    parser.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="the environment variable holding the API key (default: PALETTE_API_KEY, then SPECTROCLOUD_APIKEY)",
    )
    parser.add_argument("--write", action="store_true", help="also create, change and delete one scratch registry")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the report as JSON to FILE")
    return parser.parse_args(argv)


def environment(api_key_env: str | None, env: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The environment the settings are read from: with `api_key_env`, the key comes from that
    variable only. A problem (in words) when that variable is unset or empty."""
    if api_key_env is None:
        return dict(env), None
    value = env.get(api_key_env, "")
    if not value.strip():
        return dict(
            env
        ), f"--api-key-env {api_key_env}: that environment variable is unset or empty; export the key in it"
    chosen = {name: text for name, text in env.items() if name not in KEY_VARIABLES}
    chosen["PALETTE_API_KEY"] = value
    return chosen, None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    env, problem = environment(args.api_key_env, os.environ)
    if problem:
        return _fail(problem, status=2)

    from provider.settings import read_settings

    settings, problems = read_settings({"host": args.host} if args.host else {}, env)
    if settings is None:
        for found in problems:
            _say(f"{found.summary}: {found.detail}")
        return 2
    # Ctrl-C ends the run and deletes the scratch registry, also where the shell that started the probe left
    # SIGINT ignored (a command started in the background by a non-interactive shell inherits SIG_IGN, and
    # Python then installs no KeyboardInterrupt handler); SIGTERM (a CI job cancelled) does the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(settings, args)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # a bug: one line, no traceback, no value that could be a secret
        _say(f"stopped by an unexpected {type(exc).__name__}: a bug in the probe, please report this line")
        return 1


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from provider.palette.client import PaletteClient
    from provider.palette.errors import PaletteError
    from provider.probe import reads, report, write
    from provider.probe.shapes import Observations
    from provider.version import __version__

    def client(key: str) -> PaletteClient:
        return PaletteClient(
            settings.host,
            key,
            ca_pem=settings.ca_certificate,
            insecure=settings.insecure,
            timeout=settings.request_timeout,
            max_retries=settings.max_retries,
        )

    obs = Observations()
    left: list[str] = []
    try:
        with (
            client(settings.api_key) as palette,
            client("probe-wrong-key-" + secrets.token_hex(12)) as wrong,
            _answers_recorded(obs),
        ):
            reads.prove_key(palette, wrong, obs)
            _say("the API key works; reading the registries")
            count = reads.read_all(palette, obs)
            _say(f"read {min(count, reads.MAX_REGISTRIES)} of {count} registries")
            if args.write:
                _say("--write: creating a scratch registry (deleted at the end)")
                write.run(palette, obs, sync_timeout=SYNC_TIMEOUT, left=left)
    except reads.KeyRefused as failed:
        if not failed.refused:
            return _fail(
                f"the host does not answer as Palette's API ({failed.shape} on GET {reads.KEY_PROOF_PATH}). Check "
                "PALETTE_HOST (or --host): give the address Palette's API answers at."
            )
        return _fail(
            f"Palette refused the API key ({failed.shape} on GET {reads.KEY_PROOF_PATH}). Check PALETTE_API_KEY "
            "(or the variable --api-key-env names): the key may be wrong, revoked or expired, or meant for another "
            "Palette than the host."
        )
    except PaletteError as exc:
        return _fail(f"could not read from Palette: {exc}")
    finally:
        for uid in left:
            _say(
                f"the scratch registry {uid} could not be deleted: delete it in Palette (Tenant Settings > "
                f"Registries > OCI Registries) or with DELETE /v1/registries/oci/{uid}/basic"
            )
    made = report.build(obs, __version__, args.write)
    sys.stdout.write(made.text())
    if args.json is not None:
        try:
            args.json.write_text(made.json_text())
        except OSError as exc:
            return _fail(f"--json {args.json}: cannot write it ({exc.strerror or type(exc).__name__})")
    return 1 if left else 0


class _AnswerLog(logging.Handler):
    """The status of every answer the client receives, from the one DEBUG line it logs per attempt
    (`PaletteClient._log`: method, path, status, ms, attempt, attempts): the typed methods hide it,
    rows 1, 2 and 5 need it. Should that line change, those rows read "not observed" and
    tests/palette/test_probe.py fails."""

    def __init__(self, obs: Observations) -> None:
        super().__init__(logging.DEBUG)
        self.obs = obs

    def emit(self, record: logging.LogRecord) -> None:
        from provider.probe import shapes

        args = record.args
        if isinstance(args, tuple) and len(args) == 6 and isinstance(args[2], int):
            self.obs.note(shapes.ANSWERED, f"{args[0]} {shapes.path_template(str(args[1]))} {args[2]}")


class _answers_recorded:
    """`_AnswerLog` attached to the client's logger for the duration of a `with`."""

    def __init__(self, obs: Observations) -> None:
        self.handler = _AnswerLog(obs)
        self.logger = logging.getLogger("provider.palette")

    def __enter__(self) -> None:
        self.saved = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False  # the lines are for the tally, not the terminal
        self.logger.addHandler(self.handler)

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _say(text: str) -> None:
    print(f"terraform-provider-oci probe: {text}", file=sys.stderr, flush=True)


def _fail(text: str, status: int = 1) -> int:
    _say(text)
    return status
