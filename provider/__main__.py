"""The `terraform-provider-oci` executable.

Without arguments (as Terraform starts it) it serves the plugin protocol. For people:
  terraform-provider-oci install [--dir DIR] [--print-config]   write a filesystem mirror for `terraform init`
  terraform-provider-oci --version | --help
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: terraform-provider-oci [install [--dir DIR] [--print-config] | --version | --help]

A Terraform provider (source "palette/oci") that registers OCI registries (Helm charts, Zarf
packages, Packs) with Spectro Cloud Palette. Terraform runs this program itself; people run:

  install        write a filesystem mirror (default ~/.terraform.d/plugins) so that a plain
                 `terraform init` installs this provider; --print-config prints the CLI config
                 block for a custom provider_installation
  --version      print the version
  --help         print this help
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["--version"], ["-v"], ["version"]):
        from provider.version import __version__

        print(f"terraform-provider-oci {__version__}")
        return 0
    if args[:1] in (["--help"], ["-h"], ["help"]):
        print(USAGE, end="")
        return 0
    if args[:1] == ["install"]:
        from provider.install import main as install

        return install(args[1:])
    if args and not args[0].startswith("--"):  # tf's runner takes --dev / --stable; nothing else
        print(f"terraform-provider-oci: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    return serve()


def serve() -> int:
    if sys.stdin.isatty() and "TF_PLUGIN_MAGIC_COOKIE" not in os.environ:
        print("This is a Terraform plugin: Terraform starts it. See --help.", file=sys.stderr)
        return 1
    _configure_logging()
    try:
        import grpc  # noqa: F401 (tfx.serve imports it next; a broken install fails here, before the handshake)

        from provider.plugin import OciProvider
        from provider.tfx import serve as serve_plugin
        from provider.tfx import serve_with_tf_runner
    except ImportError as exc:
        # One line on stdout: what Terraform shows of a plugin that fails before its handshake.
        print(
            f"terraform-provider-oci: {sys.executable} cannot load what the provider needs ({exc}). "
            "Fix: reinstall terraform-provider-oci into that Python, then run 'terraform-provider-oci install'.",
            flush=True,
        )
        return 1

    if {"--dev", "--stable"} & set(sys.argv[1:]):
        serve_with_tf_runner(OciProvider())
        return 0
    serve_plugin(OciProvider())
    _exit_now()
    return 0  # not reached


def _exit_now() -> None:
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
    os._exit(0)


def _configure_logging() -> None:
    """Log lines go to stderr, which Terraform shows with TF_LOG (plain lines at DEBUG level)."""
    import logging
    import os

    wanted = (os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or "").upper()
    level = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO}.get(wanted, logging.WARNING)
    logging.basicConfig(stream=sys.stderr, level=level, format="[%(levelname)s] %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())
