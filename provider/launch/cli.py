"""The `terraform-provider-oci` command line (`provider/__main__.py` is its entry).

Without arguments (as Terraform starts it) it serves the plugin protocol: handed over to a warm
server of this version and Python when one listens (`provider.launch.handover`, checked before anything
heavy is imported), else served here (`provider.launch.serve`). For people:
  terraform-provider-oci install [--dir DIR] [--print-config]   write a filesystem mirror for `terraform init`
  terraform-provider-oci warm [--foreground | --stop | --status] [--idle-timeout 10m]   the warm server
  terraform-provider-oci probe [--host URL] [--api-key-env NAME] [--write] [--json FILE]   check a tenant
  terraform-provider-oci --version | --help
"""

from __future__ import annotations

import os
import sys

# handover: os and sys only, and what every launch Terraform makes runs first anyway
from provider.launch.handover import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE

USAGE = """usage: terraform-provider-oci [install [--dir DIR] [--print-config] | warm [...] | probe [...] | --version]

A Terraform provider (source "palette/oci") that registers OCI registries (Helm charts, Zarf
packages, Packs) with Spectro Cloud Palette. Terraform runs this program itself; people run:

  install        write a filesystem mirror (default ~/.terraform.d/plugins) so that a plain
                 `terraform init` installs this provider, and print the CLI config block that
                 takes it from there and never from the public registry (--print-config: the
                 block alone, on stdout)
  warm           start a warm server (detached; --foreground, --stop, --status,
                 --idle-timeout 10m) from which Terraform's launches of this provider
                 are forked; PALETTE_OCI_WARM=1 starts one on first use
  probe          check the provider's assumptions about Palette against your tenant
                 (read-only; --write adds one scratch registry, deleted after);
                 --help for its options
  --version      print the version
  --help         print this help
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args and os.environ.get(MAGIC_COOKIE_KEY) == MAGIC_COOKIE_VALUE:
        # Terraform starts us: a warm server of this version and Python serves the launch when one listens.
        from provider.launch.handover import handover
        from provider.version import __version__

        status = handover(__version__)
        if status is not None:
            return status
    if args[:1] in (["--version"], ["-v"], ["version"]):
        from provider.version import __version__

        print(f"terraform-provider-oci {__version__}")
        return 0
    if args[:1] in (["--help"], ["-h"], ["help"]):
        print(USAGE, end="")
        return 0
    if args[:1] == ["install"]:
        from provider.launch.install import main as install

        return install(args[1:])
    if args[:1] == ["warm"]:
        from provider.launch.warm_cli import main as warm

        return warm(args[1:])
    if args[:1] == ["probe"]:
        from provider.probe import main as probe

        return probe(args[1:])
    if args and not args[0].startswith("--"):  # serving takes --dev / --stable; nothing else
        print(f"terraform-provider-oci: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    from provider.launch.serve import serve  # not before: a launch a warm server serves never needs it

    warm_next = os.environ.get("PALETTE_OCI_WARM") == "1"
    return serve(args, before_serving=_start_warm_server if warm_next else None)


def _start_warm_server() -> None:
    """PALETTE_OCI_WARM=1 on a cold start: a warm server for the next launches (this one starts cold)."""
    from provider.launch.warm_cli import start_on_first_use

    start_on_first_use()
