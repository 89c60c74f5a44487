"""THE TEST SEAM of the preflight, in the spirit of curl's `--resolve`: connect elsewhere, keep the name.

`run_preflight(..., resolve={"123456789012.dkr.ecr.us-east-1.amazonaws.com:443": "127.0.0.1:5443"})`
makes the preflight connect to 127.0.0.1:5443 for that registry while the request keeps its `Host`
header and TLS server name, so the certificate is still checked against the registry's name.

Why a seam at all: an ECR endpoint is `<account>.dkr.ecr.<region>.amazonaws.com` with no port (443
is implied) and no scheme, so a local docker-registry can stand in for the ECR registry API only if
the connection goes elsewhere than that name says. Every other registry the tests use is reached at
its real address on 127.0.0.1.

It is a keyword argument of `run_preflight` and nothing else: no environment variable, no setting;
the provider (lifecycle.py) never passes it, so Terraform cannot reach it. Tests:
tests/preflight/test_preflight_ecr.py.
"""

from __future__ import annotations

from collections.abc import Mapping


def overrides(explicit: Mapping[str, str] | None) -> dict[str, str]:
    """`{"host:port": "address:port"}` with the names lower-cased; none when not given."""
    return {name.lower(): target for name, target in (explicit or {}).items()}


def split(host_port: str) -> tuple[str, int]:
    host, _, port = host_port.rpartition(":")
    return host.strip("[]"), int(port)
