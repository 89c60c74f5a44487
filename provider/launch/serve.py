"""Serving Terraform: the plugin in this process, as Terraform started it (cold) or in a child the
warm server forked for a launch (`provider.launch.warm`, which passes `watch` and `finish`).

Imported by every cold launch (one a warm server serves never imports it): os, sys and the cookie
at the top; the plugin and grpc are imported inside `serve`, after the checks that need neither.
"""

from __future__ import annotations

import os
import sys

from provider.launch.handover import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE

TYPE_CHECKING = False  # typing costs ~7 ms to import, at every launch; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


# The plugin serves only when Terraform started it; anyone else gets go-plugin's own message and status 1.
NOT_STARTED_BY_TERRAFORM = (
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically\n"
)


def serve(
    args: list[str],
    watch: Callable[[Any, Callable[[], None] | None], None] | None = None,
    finish: Callable[[int], None] | None = None,
    before_serving: Callable[[], None] | None = None,
) -> int:
    """Serve Terraform. A launch forked by the warm server passes `watch` (what ends serving when
    its launcher is gone) and `finish` (reports the exit status to the launcher); a cold start may
    pass `before_serving`, run once the plugin is loaded and before Terraform is served (the CLI
    starts a warm server there for the next launches: serving imports nothing of the warm server)."""
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
    if before_serving is not None:
        before_serving()
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
