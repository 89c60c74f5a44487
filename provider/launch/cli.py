"""The `terraform-provider-oci` executable.

Without arguments (as Terraform starts it) it serves the plugin protocol: handed over to a warm
server of this version and Python when one listens (`provider.launch.handover`, checked before anything
heavy is imported), else started here. For people:
  terraform-provider-oci install [--dir DIR] [--print-config]   write a filesystem mirror for `terraform init`
  terraform-provider-oci warm [--foreground | --stop | --status] [--idle-timeout 10m]   the warm server
  terraform-provider-oci probe [--host URL] [--api-key-env NAME] [--write] [--json FILE]   check a tenant
  terraform-provider-oci --version | --help
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs ~7 ms to import, at every launch; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

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
        from provider.launch.warm import main as warm

        return warm(args[1:])
    if args[:1] == ["probe"]:
        from provider.probe import main as probe

        return probe(args[1:])
    if args and not args[0].startswith("--"):  # serving takes --dev / --stable; nothing else
        print(f"terraform-provider-oci: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    return serve(args)


# go-plugin's handshake cookie for Terraform providers (terraform-plugin-go's tf6server, and tf): the
# plugin serves only when Terraform started it; anyone else gets go-plugin's own message and status 1.
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
NOT_STARTED_BY_TERRAFORM = (
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically\n"
)


def serve(
    args: list[str],
    watch: Callable[[Any, Callable[[], None] | None], None] | None = None,
    finish: Callable[[int], None] | None = None,
) -> int:
    """Serve Terraform. A launch forked by the warm server passes `watch` (what ends serving when
    its launcher is gone) and `finish` (reports the exit status to the launcher)."""
    debugging = {"--dev", "--stable"} & set(args)  # a person starts it, for a debugger
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE and not debugging:
        # Whatever stdin is (a stray CI step, </dev/null): serving would wait for a Terraform that never comes.
        sys.stderr.write(NOT_STARTED_BY_TERRAFORM)
        sys.stderr.write("(terraform-provider-oci --help lists what people run.)\n")
        return 1
    _configure_logging()
    _say_why_cold()
    try:
        import grpc  # noqa: F401 (tfx.serve imports it next; a broken install fails here, before the handshake)

        from provider.plugin import OciProvider
        from provider.tfx import serve as serve_plugin
    except ImportError as exc:
        # One line on stdout: what Terraform shows of a plugin that fails before its handshake.
        print(
            f"terraform-provider-oci: {sys.executable} cannot load what the provider needs ({exc}). "
            "Fix: reinstall terraform-provider-oci into that Python, then run 'terraform-provider-oci install'.",
            flush=True,
        )
        return 1

    if debugging:
        serve_plugin(OciProvider(), debug=True)
        return 0
    if watch is None and os.environ.get("PALETTE_OCI_WARM") == "1":
        from provider.launch.warm import start_on_first_use

        start_on_first_use()  # for the next launches; this one starts cold
    provider = OciProvider()
    serve_plugin(provider, watch=watch)
    provider.close()
    _exit_now(finish)
    return 0  # not reached


def _exit_now(finish: Callable[[int], None] | None = None) -> None:
    """Terraform has shut the plugin down and waits for the process to end: skip the interpreter's
    teardown (grpc's threads and modules, ~60 ms at each of the 3-5 starts per command). Nothing is
    left to save but buffered output."""
    import logging

    try:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # Terraform is gone (it was killed): nobody reads our output any more
    if finish is not None:
        finish(0)
    os._exit(0)


def _say_why_cold() -> None:
    """One debug line when a warm server declined this launch (what differed, by name only)."""
    from provider.launch import handover

    if handover.declined:
        import logging

        logging.getLogger("provider.warm").debug(
            "the warm server did not serve this launch: its execution context differs from the server's (%s); "
            "a launch is forked only into the context Terraform started it in. Starting cold",
            handover.declined,
        )


def _configure_logging() -> None:
    """Log lines go to stderr, which Terraform shows with TF_LOG (plain lines at DEBUG level)."""
    import logging

    wanted = (os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or "").upper()
    level = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO}.get(wanted, logging.WARNING)
    logging.basicConfig(stream=sys.stderr, level=level, format="[%(levelname)s] %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())
