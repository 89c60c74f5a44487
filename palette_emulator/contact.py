"""Contacting a registry the way Palette's validate endpoints do.

Basic registries: `GET {endpoint}/v2/` (https:// when the endpoint has no scheme) with the given
credentials and TLS settings, following a Bearer token challenge when the registry sends one.
ECR: `ecr.get_authorization_token` through boto3 with static keys, or after `sts.assume_role`
(with this process's own AWS credentials) for role-based access. boto3 honours
`AWS_ENDPOINT_URL`, which is how tests point it at moto.

Every failure is a `ContactFailed` whose message says what failed and never contains a secret.
"""

from __future__ import annotations

import functools
import re
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from .store import Family

ECR_HOST = re.compile(r"^(?:https?://)?\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?(?:/.*)?$")


class ContactFailed(Exception):
    """The registry could not be reached or refused us; the message is safe to show."""


def _redact(message: str, secrets: list[str]) -> str:
    # The provider's rule of where a secret is found in text: a short password must not turn the
    # registry's words into "answ******r******d".
    from provider.redaction import redact_secrets

    return redact_secrets(message, secrets, "******")


def check(family: Family, spec: dict[str, Any], timeout: float = 10.0) -> None:
    """Raise ContactFailed unless the registry described by `spec` accepts us."""
    if family == "basic":
        check_basic(spec, timeout)
    else:
        check_ecr(spec, timeout)


# Basic (OCI distribution) registries


def base_url(endpoint: str) -> str:
    endpoint = endpoint.strip().rstrip("/")
    return endpoint if "://" in endpoint else f"https://{endpoint}"


def _verify(tls: dict[str, Any]) -> ssl.SSLContext | bool:
    if tls.get("insecureSkipVerify"):
        return False
    try:
        return _trust((tls.get("ca") or "").strip())
    except (ssl.SSLError, ValueError) as exc:
        raise ContactFailed(f"spec.auth.tls.ca is not a usable PEM certificate bundle: {exc}") from exc


@functools.lru_cache(maxsize=64)
def _trust(ca: str) -> ssl.SSLContext:
    """One TLS context per CA bundle (the system's trust store when none), built once: loading a trust
    store costs tens of milliseconds, and validate and sync checks run for every registry."""
    return ssl.create_default_context(cadata=ca) if ca else ssl.create_default_context()


def _credentials(auth: dict[str, Any]) -> tuple[httpx.BasicAuth | None, dict[str, str]]:
    auth_type = auth.get("type") or ("basic" if auth.get("username") else "noAuth")
    if auth_type == "basic":
        return httpx.BasicAuth(auth.get("username", ""), auth.get("password", "")), {}
    if auth_type == "token":
        return None, {"Authorization": f"Bearer {auth.get('token', '')}"}
    return None, {}


def _bearer_challenge(response: httpx.Response) -> dict[str, str] | None:
    header = response.headers.get("www-authenticate", "")
    if not header.lower().startswith("bearer "):
        return None
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def _token(client: httpx.Client, challenge: dict[str, str], basic: httpx.BasicAuth | None) -> str | None:
    """The Docker token flow: ask the realm for a token with our credentials."""
    realm = challenge.get("realm")
    if not realm:
        return None
    params: dict[str, str] = {key: challenge[key] for key in ("service", "scope") if key in challenge}
    answer = client.get(realm, params=params, auth=basic)
    if answer.status_code != 200:
        return None
    body = answer.json()
    token = body.get("token") or body.get("access_token")
    return str(token) if token else None


def _probe(client: httpx.Client, url: str, auth: dict[str, Any]) -> httpx.Response:
    basic, headers = _credentials(auth)
    response = client.get(url, auth=basic, headers=headers)
    challenge = _bearer_challenge(response) if response.status_code == 401 else None
    if challenge is not None:
        token = _token(client, challenge, basic)
        if token:
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    return response


def _explain_status(response: httpx.Response, endpoint: str, auth: dict[str, Any]) -> str:
    status = response.status_code
    if status == 401:
        who = f"user '{auth['username']}'" if auth.get("username") else "anonymous access"
        return f"401 unauthorized: {endpoint} rejected the credentials ({who})"
    if status == 403:
        return f"access denied: {endpoint} answered 403 Forbidden to GET /v2/"
    if status == 404:
        return f"{endpoint} is not an OCI distribution registry: GET /v2/ answered 404"
    if status == 400 and response.url.scheme == "http":
        return f"{endpoint} answered HTTP 400 to GET /v2/ (does it speak HTTPS? use an https:// endpoint)"
    return f"{endpoint} answered HTTP {status} to GET /v2/"


def _explain_transport(exc: httpx.HTTPError, endpoint: str) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"TLS certificate not trusted: {endpoint}: {cause.verify_message}; give the registry's CA in"
                " spec.auth.tls.ca or set spec.auth.tls.insecureSkipVerify"
            )
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {endpoint} failed: {cause.reason or cause} (is it plain HTTP? use http://)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return f"unreachable: {endpoint}: timed out"
    return f"unreachable: {endpoint}: {exc}"


def check_basic(spec: dict[str, Any], timeout: float = 10.0) -> None:
    endpoint = str(spec.get("endpoint", ""))
    auth = spec.get("auth") or {}
    secrets = [auth.get("password", ""), auth.get("token", "")]
    url = base_url(endpoint) + "/v2/"
    try:
        with httpx.Client(verify=_verify(auth.get("tls") or {}), timeout=timeout, follow_redirects=True) as client:
            response = _probe(client, url, auth)
    except httpx.InvalidURL as exc:
        raise ContactFailed(f"spec.endpoint '{endpoint}' is not a valid registry address: {exc}") from None
    except httpx.HTTPError as exc:
        raise ContactFailed(_redact(_explain_transport(exc, endpoint), secrets)) from None
    if response.status_code != 200:
        raise ContactFailed(_redact(_explain_status(response, endpoint, auth), secrets))


# AWS ECR


def ecr_region(spec: dict[str, Any]) -> str:
    match = ECR_HOST.match(str(spec.get("endpoint", "")).strip())
    region = match.group(1) if match else spec.get("defaultRegion")
    if not region:
        raise ContactFailed(
            "cannot tell the AWS region: spec.endpoint is not <account>.dkr.ecr.<region>.amazonaws.com"
            " and spec.defaultRegion is empty"
        )
    return str(region)


def check_ecr(spec: dict[str, Any], timeout: float = 10.0) -> None:
    if not spec.get("isPrivate"):
        return  # a public ECR registry needs no credentials
    import boto3  # imported here: only ECR checks need it, and it is slow to import
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    credentials = spec.get("credentials") or {}
    secrets = [credentials.get("secretKey", ""), credentials.get("secretToken", "")]
    region = ecr_region(spec)
    config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1})
    session = boto3.session.Session()
    step = "sts:AssumeRole"
    try:
        keys = _ecr_keys(session, credentials, region, config)
        step = "ecr:GetAuthorizationToken"
        ecr: Any = session.client("ecr", region_name=region, config=config, **keys)  # type: ignore[call-overload]
        ecr.get_authorization_token()
    except ClientError as exc:
        code, message = _aws_error(exc.response.get("Error", {}))
        raise ContactFailed(_redact(f"AWS {step} failed: {code}: {message}", secrets)) from None
    except BotoCoreError as exc:
        raise ContactFailed(_redact(f"AWS {step} failed: {exc}", secrets)) from None


def _aws_error(error: Mapping[str, Any]) -> tuple[str, str]:
    """(code, message) of an AWS error; some endpoints (moto's ECR) answer a JSON API with an XML body."""
    code, message = str(error.get("Code", "Error")), str(error.get("Message", ""))
    if message.lstrip().startswith("<"):
        xml_code = re.search(r"<Code>([^<]*)</Code>", message)
        xml_message = re.search(r"<Message>([^<]*)</Message>", message)
        code = xml_code.group(1) if xml_code else code
        message = xml_message.group(1) if xml_message else ""
    return code, message


def _ecr_keys(session: Any, credentials: dict[str, Any], region: str, config: Any) -> dict[str, str]:
    """Keyword arguments for an ECR client: the static keys, or the assumed role's temporary keys."""
    credential_type = credentials.get("credentialType") or "secret"
    if credential_type == "secret":
        return {
            "aws_access_key_id": credentials.get("accessKey", ""),
            "aws_secret_access_key": credentials.get("secretKey", ""),
        }
    if credential_type != "sts":
        raise ContactFailed(f"spec.credentials.credentialType '{credential_type}' is not supported by the emulator")
    sts = credentials.get("sts") or {}
    request = {"RoleArn": sts.get("arn", ""), "RoleSessionName": "palette-emulator"}
    if sts.get("externalId"):
        request["ExternalId"] = sts["externalId"]
    assumed = session.client("sts", region_name=region, config=config).assume_role(**request)["Credentials"]
    return {
        "aws_access_key_id": assumed["AccessKeyId"],
        "aws_secret_access_key": assumed["SecretAccessKey"],
        "aws_session_token": assumed["SessionToken"],
    }
