"""palette-emulator: serve the Palette registries API locally (see palette_emulator/README.md).

Installed with the `emulator` extra: pip install 'terraform-provider-oci[emulator]'.

Every option can also come from an environment variable PALETTE_EMULATOR_<OPTION>; repeatable
options take a comma-separated list there (PALETTE_EMULATOR_API_KEYS, ..._SYSTEM_API_KEYS,
..._VARIANTS). Once the server accepts connections it prints exactly one line to stdout:
    palette-emulator listening on http://127.0.0.1:<port>
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence

from .config import DEFAULT_API_KEY, EmulatorConfig
from .variants import VARIANTS
from .variants import parse as parse_variants

ENV_PREFIX = "PALETTE_EMULATOR_"
# The server's own dependencies, which only the `emulator` extra installs (moto does the same with
# `moto[server]`): a plain `pip install terraform-provider-oci` leaves them out.
EXTRA = "emulator"
EXTRA_MODULES = ("starlette", "uvicorn", "jsonschema", "rfc3339_validator")
INSTALL_HINT = f"pip install 'terraform-provider-oci[{EXTRA}]'"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in (_env(name) or "").split(",") if item.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="palette-emulator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--host", default=_env("HOST", "127.0.0.1"), help="address to listen on (default %(default)s)")
    add(
        "--port",
        type=int,
        default=int(_env("PORT", "8080") or 8080),
        help="port; 0 picks a free one (default %(default)s)",
    )
    add("--db", default=_env("DB"), help="SQLite file that persists across restarts (default: in memory)")
    add(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"a tenant API key (repeatable; env {ENV_PREFIX}API_KEYS; default {DEFAULT_API_KEY!r})",
    )
    add(
        "--system-api-key",
        action="append",
        dest="system_api_keys",
        metavar="KEY",
        help=f"a system administrator's API key: its registries have system scope (env {ENV_PREFIX}SYSTEM_API_KEYS)",
    )
    add(
        "--variant",
        action="append",
        dest="variants",
        metavar="NAME[,NAME]",
        help=f"answer as Palette may where the evidence is silent (repeatable; env {ENV_PREFIX}VARIANTS): "
        + ", ".join(VARIANTS),
    )
    add(
        "--sync-delay",
        type=float,
        default=float(_env("SYNC_DELAY", "1.0") or 1.0),
        metavar="SECONDS",
        help="how long a registry sync stays InProgress (default %(default)s)",
    )
    add(
        "--validate",
        choices=("contact", "accept"),
        default=_env("VALIDATE", "contact"),
        help="contact: validate and sync really contact the registry (default); accept: always succeed",
    )
    add("--tls-cert", default=_env("TLS_CERT"), metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    add("--tls-key", default=_env("TLS_KEY"), metavar="FILE", help="the private key of --tls-cert (PEM)")
    add(
        "--log-level",
        default=_env("LOG_LEVEL", "warning"),
        choices=("critical", "error", "warning", "info", "debug"),
        help="(default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.api_keys = args.api_keys or _env_list("API_KEYS")
    args.system_api_keys = args.system_api_keys or _env_list("SYSTEM_API_KEYS")
    try:
        args.variants = parse_variants(args.variants or _env_list("VARIANTS"))
    except ValueError as exc:
        parser.error(f"--variant: {exc}")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.sync_delay < 0:
        parser.error("--sync-delay must be >= 0")
    return args


def missing_modules() -> list[str]:
    """The server's dependencies that are not installed (without the `emulator` extra: all of them)."""
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def main(argv: Sequence[str] | None = None) -> int:
    missing = missing_modules()
    if missing:
        print(
            f"palette-emulator: the emulator's server is not installed (missing: {', '.join(missing)}).\n"
            f"Install the provider with its {EXTRA} extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="palette-emulator: %(levelname)s %(name)s: %(message)s")
    if not args.api_keys:
        print(f"palette-emulator: no --api-key given; tenant API key is {DEFAULT_API_KEY!r}", file=sys.stderr)
    config = EmulatorConfig(
        api_keys=tuple(args.api_keys or (DEFAULT_API_KEY,)),
        system_api_keys=tuple(args.system_api_keys),
        variants=args.variants,
        db=args.db,
        sync_delay=args.sync_delay,
        validate=args.validate,
    )
    from .server import serve

    serve(config, args.host, args.port, tls_cert=args.tls_cert, tls_key=args.tls_key, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
