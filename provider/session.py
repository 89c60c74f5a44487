"""What Terraform's surfaces (resources, data sources, list resources, actions) may ask of the provider
that made them: the `Session` they receive (stdlib only: a Protocol, checked by mypy).

`provider.plugin.OciProvider` is the one implementation; the surfaces never reach past this list (the
provider's configuration, its list of resources), so a test may hand them a stand-in with these members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import threading

    from tf.utils import Diagnostics

    from provider.palette.client import PaletteClient
    from provider.settings import Settings


class Session(Protocol):
    @property
    def settings(self) -> Settings | None:
        """The provider's settings once configured (None before, or when its configuration has errors)."""
        ...

    @property
    def stopping(self) -> threading.Event:
        """Set when Terraform asks the operations in flight to end (StopProvider, after Ctrl-C)."""
        ...

    def palette(self, diags: Diagnostics) -> PaletteClient | None:
        """The Palette client; None, with a diagnostic, when the configuration cannot make one."""
        ...

    def proven_palette(self, diags: Diagnostics) -> PaletteClient | None:
        """The client once Palette has accepted its API key: for every call that may conclude "not found"."""
        ...

    def check_access(self, diags: Diagnostics) -> None:
        """Before a plan creates a registry: the host and the API key work (once per process)."""
        ...

    def setting_source(self, name: str) -> str:
        """Where the provider setting `name` was set (the provider block, which environment variable, or
        its default), for advice that says where to change it."""
        ...
