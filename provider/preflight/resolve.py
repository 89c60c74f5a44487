"""Host overrides for tests, in the spirit of curl's `--resolve`: connect elsewhere, keep the name.

TEST-ONLY. `{"123456789012.dkr.ecr.us-east-1.amazonaws.com:443": "127.0.0.1:5443"}` makes the
preflight connect to 127.0.0.1:5443 for that registry while the request keeps its `Host` header and
TLS server name, so the certificate is still checked against the registry's name. This is how
tests let a local docker-registry stand in for the ECR registry API. The environment variable
`PALETTE_OCI_PREFLIGHT_RESOLVE` sets the same map for a provider that Terraform starts:
`"host:port=127.0.0.1:port,host2:port=127.0.0.1:port2"`.
"""

from __future__ import annotations

from collections.abc import Mapping

ENV = "PALETTE_OCI_PREFLIGHT_RESOLVE"


class BadOverride(ValueError):
    pass


def parse(spec: str) -> dict[str, str]:
    """`"host:port=addr:port,..."` -> `{"host:port": "addr:port"}`."""
    overrides: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, target = item.partition("=")
        if not sep or not _host_port(name.strip()) or not _host_port(target.strip()):
            raise BadOverride(f'{ENV}: "{item}" is not host:port=address:port')
        overrides[name.strip().lower()] = target.strip()
    return overrides


def overrides(explicit: Mapping[str, str] | None, env: Mapping[str, str]) -> dict[str, str]:
    """The explicit map when given, else the one in the environment, else none."""
    if explicit is not None:
        return {name.lower(): target for name, target in explicit.items()}
    return parse(env.get(ENV, ""))


def split(host_port: str) -> tuple[str, int]:
    host, _, port = host_port.rpartition(":")
    return host.strip("[]"), int(port)


def _host_port(value: str) -> bool:
    host, sep, port = value.rpartition(":")
    return bool(sep and host and port.isdigit() and 0 < int(port) < 65536)
