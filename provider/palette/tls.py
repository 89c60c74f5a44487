"""The TLS context the Palette client verifies an `https://` host with, built once per process.

Loading the trust store costs ~20 ms of CPU (`ssl.create_default_context`), and every provider process
that calls Palette made one: Terraform starts the provider 3-5 times per command. Here it is made once
per process for each CA setting, and the warm server (`terraform-provider-oci warm`) makes the default
one before it forks, so a launch with the server's trust settings finds it made.

Which trust store `create_default_context` loads depends on the environment at the time it is made:
OpenSSL reads SSL_CERT_FILE and SSL_CERT_DIR then. Both are part of the cache key, so a launch whose
environment names another trust store (a forked launch's environment is its own, not the server's)
gets a context of its own, never the server's. A plain `http://` host (loopback, or insecure) needs no
context at all: `provider.palette.transport` asks for none.

Standard library only: the warm server may call it before anything else of the client is imported.
"""

from __future__ import annotations

import functools
import os
import ssl

from provider.palette.errors import ConfigurationError

# The variables OpenSSL reads, when the context is made, to find the default trust store.
TRUST_STORE_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def tls_context(ca_pem: str | None = None) -> ssl.SSLContext:
    """The verifying context for `ca_pem` (PEM text, trusted besides the system's store) in this
    environment; the same object for the same settings, for the life of the process. Shared: callers
    must not change it. ConfigurationError when `ca_pem` is not a readable PEM bundle."""
    store = tuple(os.environ.get(name) for name in TRUST_STORE_VARIABLES)
    return _made(ca_pem or None, store)


@functools.lru_cache(maxsize=8)
def _made(ca_pem: str | None, store: tuple[str | None, ...]) -> ssl.SSLContext:
    """`store` is only the cache key: `create_default_context` reads the same variables itself."""
    context = ssl.create_default_context()
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigurationError(
                f"the CA certificate is not a readable PEM bundle ({type(exc).__name__}); "
                "give one or more '-----BEGIN CERTIFICATE-----' blocks"
            ) from None
    return context
