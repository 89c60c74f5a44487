"""A read-only client of the OCI distribution API with the limits preflight promises.

GET only. Every request gets the per-check timeout, clipped to what is left of the total budget;
a connection the peer resets is retried once, nothing else is. Authentication as clients of the
distribution spec do it: Basic credentials sent up front, and when the registry answers 401 with
a `Bearer` challenge, a token from the challenge's realm (with the Basic credentials, for the
challenge's service and scope), then the same request again with that token.

Imports httpx: loaded only when a preflight runs.
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from provider.preflight import challenge, net
from provider.preflight.findings import (
    BASIC_AUTH,
    BASIC_PASSWORD,
    BASIC_USERNAME,
    ENDPOINT,
    Failed,
    error,
)
from provider.problems import Path, Problem

log = logging.getLogger("provider.preflight")


class BudgetSpent(Exception):
    """The total time budget ran out; the checks that ran have passed."""


class Deadline:
    """The per-check timeout, never beyond the end of the total budget."""

    def __init__(self, timeout: float, budget: float):
        self.timeout = timeout
        self.budget = budget
        self.started = time.monotonic()

    def next_timeout(self) -> float:
        remaining = self.budget - self.elapsed()
        if remaining <= 0.01:
            raise BudgetSpent
        return min(self.timeout, remaining)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(default="", repr=False)
    path: Path = BASIC_PASSWORD  # where a rejection (401) is reported
    denied_path: Path = BASIC_USERNAME  # where a refusal (403: known, but may not read) is reported
    source: str = "the credentials"  # how messages name them, e.g. 'username "robot" and its password'

    def header(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


def base_url(endpoint: str) -> str:
    """The registry's root URL: https:// unless the endpoint says http://."""
    endpoint = endpoint.strip().rstrip("/")
    return endpoint if "://" in endpoint else f"https://{endpoint}"


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


class RegistryClient:
    def __init__(
        self,
        endpoint: str,
        tls: dict[str, Any] | None,
        overrides: dict[str, str],
        deadline: Deadline,
        secrets: list[str],
    ):
        self.base = httpx.URL(base_url(endpoint))
        self.deadline = deadline
        self.secrets = secrets  # tokens join the values redacted from every message
        self.credentials: Credentials | None = None
        self._token: str | None = None
        self._http = net.client(tls, overrides, deadline.timeout)

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    @property
    def where(self) -> str:
        return f"{self.base.host}:{net.port_of(self.base)}"

    def url(self, path: str, params: dict[str, str] | None = None) -> httpx.URL:
        url = self.base.copy_with(path=self.base.path.rstrip("/") + path)
        return url.copy_merge_params(params) if params else url

    # ------------------------------------------------------------------------ requests

    def get(
        self, path: str, *, params: dict[str, str] | None = None, accept: str | None = None, anonymous: bool = False
    ) -> httpx.Response:
        """GET `path` under the registry root, authenticating as the registry asks."""
        url = self.url(path, params)
        headers = {"Accept": accept} if accept else {}
        response = self._send(url, {**headers, **self._authorization(anonymous)})
        if anonymous or response.status_code != 401:
            return response
        bearer = challenge.find(challenge.parse(response.headers.get_list("www-authenticate")), "bearer")
        if bearer is None:
            return response
        self._token = self._fetch_token(bearer)
        return self._send(url, {**headers, "Authorization": f"Bearer {self._token}"})

    def _authorization(self, anonymous: bool) -> dict[str, str]:
        if anonymous:
            return {}
        if self._token:
            return {"Authorization": f"Bearer {self._token}"}
        return {"Authorization": self.credentials.header()} if self.credentials else {}

    def _send(self, url: httpx.URL, headers: dict[str, str], what: str = "the registry") -> httpx.Response:
        for attempt in (1, 2):
            timeout = self.deadline.next_timeout()
            started = time.monotonic()
            try:
                response = self._http.get(url, headers=headers, timeout=timeout)
            except httpx.TransportError as exc:
                if attempt == 1 and net.is_reset(exc):
                    log.debug("preflight: GET %s: connection reset, retrying once", url.path)
                    continue
                if isinstance(exc, httpx.TimeoutException) and timeout < self.deadline.timeout:
                    raise BudgetSpent from None  # the budget, not the registry, cut this request short
                raise Failed(net.explain(exc, url, timeout, what)) from None
            log.debug("preflight: GET %s -> %s (%.3f s)", url.path, response.status_code, time.monotonic() - started)
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    # ------------------------------------------------------------------------ bearer tokens

    def _fetch_token(self, bearer: challenge.Challenge) -> str:
        realm = bearer.realm or ""
        if not realm.startswith(("https://", "http://")):
            raise Failed(
                error(
                    ENDPOINT,
                    "Unusable token challenge",
                    f'{self.where} asks for a Bearer token but names no usable token service (realm "{realm}").',
                )
            )
        params = {name: bearer.params[name] for name in ("service", "scope") if bearer.params.get(name)}
        url = httpx.URL(realm).copy_merge_params(params)
        if self.credentials is not None and url.scheme == "http" and self.base.scheme == "https":
            raise Failed(self._clear_text_realm(url))
        headers = {"Authorization": self.credentials.header()} if self.credentials else {}
        response = self._send(url, headers, what="the registry's token service")
        if response.status_code in (401, 403):
            raise Failed(self.rejection(response, via=f"The token service at {url.host}:{net.port_of(url)}"))
        body = json_body(response)
        token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise Failed(
                error(
                    ENDPOINT,
                    "Registry token service failed",
                    f"The token service {url.host}{url.path} of {self.where} answered HTTP {response.status_code} "
                    "without a token.",
                )
            )
        self.secrets.append(token)
        return token

    def _clear_text_realm(self, realm: httpx.URL) -> Problem:
        """An HTTPS registry whose Bearer challenge names a plain-http token service: the credentials,
        which the client sends there as Basic authentication, would cross the network readable by
        anyone on the way. An http:// endpoint is the user's own choice of clear text; this is not."""
        assert self.credentials is not None
        where = f"http://{realm.host}:{net.port_of(realm)}{realm.path}"
        return error(
            self.credentials.path,
            "Token service over plain HTTP",
            f"{self.where} serves HTTPS but sends clients for a Bearer token to {where}, over plain HTTP: "
            f"{self.credentials.source} would travel there in clear, so preflight did not send them. Have the "
            "registry name an https:// token service (the realm of its Bearer challenge: `auth.token.realm` in "
            "a distribution registry's configuration): Palette, too, sends the credentials there. To register it "
            'all the same, accepting that, set preflight = "off" in the provider block.',
        )

    # ------------------------------------------------------------------------ findings

    def rejection(self, response: httpx.Response, via: str = "") -> Problem:
        """The error for a 401/403: credentials missing, rejected, or without the right to read."""
        by = via or self.where
        if self.credentials is None:
            return error(
                BASIC_AUTH,
                "Registry requires credentials",
                f"{by} answered HTTP {response.status_code} to anonymous access. Add a basic_auth block with a "
                "username and password (or token) that may read the registry.",
            )
        if response.status_code == 403:
            return error(
                self.credentials.denied_path,
                "Registry refused access",
                f"{by} accepted {self.credentials.source} but refused to let them read (HTTP 403). Grant them "
                "read (pull) access to the repositories under base_content_path.",
            )
        return error(
            self.credentials.path,
            "Registry rejected the credentials",
            f"{by} rejected {self.credentials.source} (HTTP 401). Check them; for a robot account or an access "
            "token, check that it is not expired or revoked.",
        )


def describe_body(response: httpx.Response) -> str:
    """A few words about an unexpected answer, for messages: its content type, not its content."""
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    return f"HTTP {response.status_code}, {kind}"
