"""One Palette host over HTTP: a pooled httpx client with the API key, and the retry loop.

It knows nothing of Terraform, nor of registries: `provider.palette.client` says what to ask, this module
how. One `Transport` holds one pooled `httpx.Client`; Terraform calls the provider in parallel, so every
method may be called from several threads at once.

Retries (bounded by `max_retries`, exponential backoff with full jitter, `Retry-After` honoured):
- 429 and connection failures before anything was sent (refused, connect timeout): every request.
- 500, 502, 503, 504 and failures after the request went out (read timeout, connection reset or
  closed before the answer): idempotent requests only, that is everything `call` sends. GET, PUT and
  DELETE are idempotent by definition; the validate and sync POSTs store nothing, so repeating them
  is harmless. A create is not idempotent: `provider.palette.recovery` sends it, attempt by attempt.
- Never retried: 400, 401, 403, 404, 409, 422, other 4xx, TLS verification failures.

Logging: logger `provider.palette`, DEBUG, one line per attempt (method, path, status or failure,
duration, attempt). Bodies, headers and query strings are never logged.

Per request, only what differs is built: the URL from the path, the JSON body; the headers are
built once per client, and the client keeps no cookies (`LeanClient`). Terraform applies hundreds
of registries with 3 requests each, so httpx's per-request merging of client settings was a
measured part of the provider's CPU per registry (bench/rpc_profile.py).
"""

from __future__ import annotations

import json
import logging
import os
import random
import ssl
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from provider.palette.errors import ConfigurationError, PaletteError, TransportError, error_from_response, redact
from provider.palette.hosts import normalize_host as _normalize_host
from provider.palette.retry import (
    Disposition,
    Failure,
    RetryPolicy,
    describe_transport_failure,
    parse_retry_after,
    retry_delay,
    status_disposition,
)
from provider.palette.tls import tls_context
from provider.proxies import Route, route
from provider.redaction import redact_then_cut, remember
from provider.version import __version__

logger = logging.getLogger("provider.palette")
_M = TypeVar("_M", bound=BaseModel)

DEFAULT_USER_AGENT = f"terraform-provider-oci/{__version__}"
MAX_CONNECTIONS = 20
MAX_TIMEOUT = 86400.0  # seconds; a day is already more than any request needs
SECRET_FIELDS = frozenset({"password", "token", "secretKey", "secretToken", "key"})


def normalize_host(host: str, *, insecure: bool = False) -> str:
    """`hosts.normalize_host` (the rules users see at validate), and an address httpx can use
    (IDNA host names, ports)."""
    base = _normalize_host(host, insecure=insecure)
    try:
        httpx.URL(base)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"the Palette host {host!r} is not a usable address ({exc})") from None
    return base


def secret_values(body: Any) -> list[str]:
    """Every secret string inside a wire body (fields named in SECRET_FIELDS), to scrub them
    from anything Palette might echo back."""
    found: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                found.append(value)
            else:
                found.extend(secret_values(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(secret_values(item))
    return found


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing. Palette authenticates every request by its ApiKey header, and
    a cookie it set (a load balancer's, say) would otherwise be sent back on later requests; Go's
    http.Client, as Spectro Cloud's SDK uses it, keeps no cookies either unless given a jar. Reading
    Set-Cookie into a jar costs ~0.05 ms per answer (urllib's request and response adapters)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class LeanClient(httpx.Client):
    """httpx's client without a cookie jar: `cookies` is always empty, and stays so."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None  # nothing is kept


def json_body(body: Any) -> bytes:
    """A body as httpx's `json=` encodes it (compact, UTF-8, NaN refused), so the bytes on the wire
    are the same as through `request(json=...)`."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _clean_header_value(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ConfigurationError(f"the {what} is empty")
    if any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in text):
        raise ConfigurationError(f"the {what} contains spaces, line breaks or non-ASCII characters")
    return text


class Transport:
    """Requests to one Palette host: each answer, or a typed error (`provider.palette.errors`)."""

    def __init__(
        self,
        host: str,
        api_key: str,
        *,
        ca_pem: str | None = None,
        insecure: bool = False,
        timeout: float = 30.0,
        max_retries: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`transport` is httpx's own argument, passed through (see `PaletteClient`)."""
        self.base_url = normalize_host(host, insecure=insecure)
        self._api_key = _clean_header_value(api_key, "Palette API key")
        remember([self._api_key])  # nothing the provider shows may quote it
        if not 0 < timeout <= MAX_TIMEOUT:  # beyond that, the socket layer overflows (and NaN fails both)
            raise ConfigurationError(
                f"the request timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {timeout:g}"
            )
        self.timeout = timeout
        self.policy = RetryPolicy(max_retries, backoff_base, backoff_cap, retry_after_cap)
        self._rng = rng or random.Random()
        # The proxy is ours to choose (provider.proxies): never one for a loopback host, NO_PROXY honoured.
        # trust_env=False keeps httpx from choosing again (and from reading ~/.netrc); TLS trust is ours anyway.
        self.proxy: Route | None = route(self.base_url, os.environ)
        # Plain http (loopback or insecure): no TLS, so no trust store to load (~20 ms per process).
        # https: the process's one context for these trust settings (`provider.palette.tls`).
        verify: ssl.SSLContext | bool = False
        if not insecure and not self.base_url.startswith("http://"):
            verify = tls_context(ca_pem)
        if transport is None and self.proxy is None and (verify is not False or self.base_url.startswith("http://")):
            # A direct connection: our transport on http.client, not httpcore (`provider.palette.connections`).
            from provider.palette.connections import HttpClientTransport

            ssl_context = verify if isinstance(verify, ssl.SSLContext) else None
            transport = HttpClientTransport(ssl_context=ssl_context, limit=MAX_CONNECTIONS)
        try:
            self.http = LeanClient(
                base_url=self.base_url,
                proxy=self.proxy.url if self.proxy else None,
                trust_env=False,
                headers={"ApiKey": self._api_key, "User-Agent": user_agent, "Accept": "application/json"},
                timeout=httpx.Timeout(timeout),
                limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS),
                verify=verify,
                follow_redirects=False,
                transport=transport,
            )
        except (ValueError, ImportError) as exc:  # httpx refuses the proxy URL (its message may quote credentials)
            if self.proxy is None:
                raise
            raise ConfigurationError(
                f"the proxy {self.proxy.shown} in {self.proxy.variable} cannot be used ({type(exc).__name__}); "
                f"give an http:// or https:// proxy URL in {self.proxy.variable}, or name the Palette host in NO_PROXY"
            ) from None
        # What `request()` would merge into each request, merged once: the origin URL paths are put
        # after (IDNA-encoded, no trailing slash), and the client's headers (httpx's defaults, ours).
        self._origin = str(self.http.base_url).rstrip("/")
        self._headers = httpx.Headers(self.http.headers)

    def request(
        self, method: str, path: str, *, body: Any = None, params: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """The request `http.request(method, path, json=body, params=params)` would build, with only
        what differs from one request to the next built here."""
        url: httpx.URL | str = self._origin + path
        if params:
            url = httpx.URL(url, params=params)
        if body is None:
            return httpx.Request(method, url, headers=self._headers)
        request = httpx.Request(method, url, headers=self._headers, content=json_body(body))
        request.headers["Content-Type"] = "application/json"  # after Content-Length, as `json=` puts it
        return request

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An idempotent request, retried as the module doc says; the answer, or a typed error."""
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self.attempt(method, path, attempt, body=body, params=params)
            disposition = disposition_of(outcome)
            if disposition is Disposition.OK:
                assert isinstance(outcome, httpx.Response)
                return outcome
            if disposition is Disposition.FINAL or attempt == self.policy.attempts:
                break
            self.pause(attempt, outcome)
        assert outcome is not None
        raise self.final_error(outcome, method, path, secret_values(body))

    def answer(self, path: str) -> httpx.Response:
        """`GET path`'s last answer whatever its status, retried as any GET (429 and 5xx; the last
        one is returned when retries run out). `terraform-provider-oci probe` records the shapes of
        Palette's answers, refusals included, which the typed methods turn into models or errors.
        TransportError when no answer arrives."""
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self.attempt("GET", path, attempt)
            disposition = disposition_of(outcome)
            if disposition in (Disposition.OK, Disposition.FINAL) or attempt == self.policy.attempts:
                break
            self.pause(attempt, outcome)
        assert outcome is not None
        if isinstance(outcome, Failure):
            raise self.final_error(outcome, "GET", path, [])
        return outcome

    def attempt_write(self, method: str, path: str, attempt: int, *, body: Any) -> httpx.Response | Failure:
        """`attempt` for a write: any exception once the request may have left is an unknown outcome."""
        try:
            return self.attempt(method, path, attempt, body=body)
        except Exception as exc:  # e.g. a bug deep in a transport: the write may have landed all the same
            logger.debug("%s %s: %s after sending", method, path, type(exc).__name__)
            return Failure(
                Disposition.MAYBE_PROCESSED,
                f"{type(exc).__name__} while waiting for the answer to {method} {path} from {self.base_url}",
            )

    def attempt(
        self,
        method: str,
        path: str,
        attempt: int,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response | Failure:
        """One request; the answer (read in full) or what went wrong. Registries are tenant-level:
        no request carries a ProjectUid header."""
        started = time.monotonic()
        try:
            response = self.http.send(self.request(method, path, body=body, params=params))
        except httpx.RequestError as exc:  # transport failures, and answers httpx cannot decode
            failure = describe_transport_failure(exc, self.base_url, f"{method} {path}")
            self._log(method, path, failure.message, started, attempt)
            return failure
        self._log(method, path, response.status_code, started, attempt)
        return response

    def _log(self, method: str, path: str, result: object, started: float, attempt: int) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug(
            "%s %s -> %s in %.0f ms (attempt %d/%d)", method, path, result, elapsed_ms, attempt, self.policy.attempts
        )

    def pause(self, attempt: int, outcome: httpx.Response | Failure) -> None:
        retry_after = None
        if isinstance(outcome, httpx.Response):
            retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
        delay = retry_delay(attempt, retry_after, self.policy, self._rng)
        logger.debug("retrying in %.2f s", delay)
        time.sleep(delay)

    def final_error(
        self, outcome: httpx.Response | Failure, method: str, path: str, secrets: list[str]
    ) -> PaletteError:
        retried = disposition_of(outcome) is not Disposition.FINAL and self.policy.max_retries > 0
        note = f" (after {self.policy.attempts} attempts)" if retried else ""
        if self.proxy is not None:  # what failed may be the proxy: say which, and who chose it
            note += f" ({self.proxy.words()})"
        if isinstance(outcome, Failure):
            return TransportError(redact(outcome.message, [self._api_key]) + note, method=method, path=path)
        if outcome.is_redirect:
            where = outcome.headers.get("Location") or "another address"
            return PaletteError(
                f"redirected to {redact_then_cut(where, 200, [self._api_key])}; give the address Palette's API "
                "answers at as the host",
                status=outcome.status_code,
                method=method,
                path=path,
            )
        return error_from_response(
            outcome.status_code,
            outcome.content,
            outcome.headers.get("Content-Type"),
            method=method,
            path=path,
            secrets=[self._api_key, *secrets],
            note=note,
            host=self.base_url,
        )


def disposition_of(outcome: httpx.Response | Failure) -> Disposition:
    if isinstance(outcome, Failure):
        return outcome.disposition
    return status_disposition(outcome.status_code)


def decode(model: type[_M], response: httpx.Response, method: str, path: str) -> _M:
    """The answer as `model`; a PaletteError (quoting no values) when it is not what the swagger says."""
    try:
        return model.model_validate(response.json())
    except ValueError as exc:  # JSONDecodeError and pydantic's ValidationError are both ValueErrors
        what = "is not JSON" if not isinstance(exc, ValidationError) else _shape_problem(exc)
        raise PaletteError(
            f"Palette answered {method} {path} with {response.status_code}, but the body {what}",
            method=method,
            path=path,
        ) from None


def _shape_problem(exc: ValidationError) -> str:
    first = exc.errors(include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "the top level"
    return f"does not have the expected shape ({where}: {first['msg']})"
