"""Findings: their paths and messages, and that no secret ever stays in one."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider.preflight import content, ecr, net, resolve
from provider.preflight.findings import MASK, error, redact, warning
from provider.preflight.registry import BudgetSpent, Deadline, base_url
from provider.preflight.run import is_distribution_api, run_preflight
from provider.problems import Problem

URL = httpx.URL("https://registry.example.com/v2/")


# ---------------------------------------------------------------------------- redaction


def test_redact_masks_every_secret_in_summary_and_detail():
    finding = error(("basic_auth", "password"), "bad hunter2", "user hunter2 / token abc.def")
    redacted = redact(finding, ["hunter2", "abc.def", ""])
    assert redacted == Problem(("basic_auth", "password"), f"bad {MASK}", f"user {MASK} / token {MASK}", "error")


def test_redact_masks_the_longer_secret_first():
    # "passwo" is inside "password1": masking "passwo" first would leave "rd1" behind.
    assert redact(warning((), "s", "x password1 y"), ["passwo", "password1"]).detail == f"x {MASK} y"


def test_a_short_secret_leaves_ordinary_words_alone():
    """Issue 24: `password = "e"` made the registry's "answered" read "answ******r******d". A secret
    shorter than MIN_SECRET_CHARS is not looked for in text; a longer one only as a whole token, until
    it is long enough (LONG_SECRET_CHARS) to be no piece of an ordinary word."""
    text = "the registry answered: password s3cret rejected (s3crets are case-sensitive)"
    assert redact(warning((), text, text), ["e"]).detail == text
    assert redact(warning((), text, text), ["s3cret"]).detail == text.replace("password s3cret", f"password {MASK}")
    long = "LongCanary-9f3b2c"
    assert redact(warning((), "s", f"x{long}y {long}"), [long]).detail == f"x{MASK}y {MASK}"


# A secret made of mask characters could re-form across a mask's edge; real ones have others too.
SECRET_TEXT = st.text(alphabet=st.characters(blacklist_characters="*"), min_size=1, max_size=20)
LONG_SECRET = st.text(alphabet=st.characters(blacklist_characters="*"), min_size=12, max_size=30)
TOKEN_SECRET = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd", "Pd")), min_size=6, max_size=11)


@given(secrets=st.lists(LONG_SECRET, min_size=1, max_size=3), parts=st.lists(st.text(max_size=20), min_size=4))
def test_no_long_secret_survives_redaction(secrets, parts):
    text = "".join(part + secrets[i % len(secrets)] for i, part in enumerate(parts))
    finding = redact(error(("endpoint",), text, text[::-1] + text), secrets)
    for secret in secrets:
        assert secret not in finding.summary and secret not in finding.detail


@given(secrets=st.lists(TOKEN_SECRET, min_size=1, max_size=3), parts=st.lists(st.text(max_size=20), min_size=4))
def test_no_secret_survives_redaction_as_a_token(secrets, parts):
    text = " ".join(part + " " + secrets[i % len(secrets)] + " " for i, part in enumerate(parts))
    finding = redact(error(("endpoint",), text, text), secrets)
    for secret in secrets:
        assert f" {secret} " not in finding.summary and f" {secret} " not in finding.detail


def test_aws_failures_never_quote_the_secret_but_name_the_code_and_attribute():
    keys = {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "s3cr3t/key"}
    finding = ecr.aws_failure("ecr:GetAuthorizationToken", "SignatureDoesNotMatch", "Check your key", keys)
    assert finding.path == ("ecr", "secret_access_key") and "SignatureDoesNotMatch" in finding.detail
    assert "s3cr3t/key" not in finding.summary + finding.detail


# ---------------------------------------------------------------------------- AWS errors


GET_TOKEN, ASSUME = "ecr:GetAuthorizationToken", "sts:AssumeRole"
KEYS, ROLE = {"access_key_id": "A"}, {"role_arn": "arn"}
KEY_ID, ROLE_ARN = ("ecr", "access_key_id"), ("ecr", "role_arn")


@pytest.mark.parametrize(
    ("action", "code", "ecr_values", "path", "summary"),
    [
        (GET_TOKEN, "UnrecognizedClientException", KEYS, KEY_ID, "AWS does not know the access key"),
        (GET_TOKEN, "InvalidClientTokenId", KEYS, KEY_ID, "AWS does not know the access key"),
        (GET_TOKEN, "AccessDeniedException", KEYS, KEY_ID, f"Not allowed to call {GET_TOKEN}"),
        (GET_TOKEN, "AccessDeniedException", ROLE, ROLE_ARN, f"Not allowed to call {GET_TOKEN}"),
        (GET_TOKEN, "ServerException", KEYS, KEY_ID, "AWS refused the ECR credentials"),
        (ASSUME, "AccessDenied", ROLE, ROLE_ARN, "AWS refused to assume the role"),
        (ASSUME, "InvalidClientTokenId", ROLE, ROLE_ARN, "This machine's AWS credentials were rejected"),
        (ASSUME, "RegionDisabledException", ROLE, ROLE_ARN, "Cannot assume the role"),
    ],
)
def test_aws_failures_land_on_the_attribute_that_fixes_them(action, code, ecr_values, path, summary):
    finding = ecr.aws_failure(action, code, "message", ecr_values)
    assert (finding.severity, finding.path, finding.summary) == ("error", path, summary)
    assert code in finding.detail


def test_the_aws_error_code_is_read_from_an_unparsed_xml_body():
    body = "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>bad token</Message></Error></ErrorResponse>"
    assert ecr.error_code({"Error": {"Code": "403", "Message": body}}) == ("InvalidClientTokenId", "bad token")
    assert ecr.error_code({"Error": {"Code": "AccessDenied", "Message": "no"}}) == ("AccessDenied", "no")
    assert ecr.error_code({}) == ("Error", "")


# ---------------------------------------------------------------------------- GET /v2/


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (200, {"docker-distribution-api-version": "registry/2.0", "content-type": "application/json"}, True),
        (200, {"content-type": "application/json; charset=utf-8"}, True),
        (401, {"www-authenticate": 'Basic realm="x"'}, True),
        (401, {"docker-distribution-api-version": "registry/2.0"}, True),
        (200, {"content-type": "text/html"}, False),
        (401, {}, False),
        (404, {"content-type": "application/json"}, False),
        (404, {"docker-distribution-api-version": "registry/2.0"}, False),
    ],
)
def test_is_distribution_api(status, headers, expected):
    assert is_distribution_api(status, headers) is expected


# ---------------------------------------------------------------------------- connections


def failed(cause: BaseException, kind: type[httpx.TransportError] = httpx.ConnectError) -> httpx.TransportError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise kind("connection failed") from inner
    except httpx.TransportError as outer:
        return outer


def certificate_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_code, exc.verify_message = code, message
    return exc


ENDPOINT, CA = ("endpoint",), ("tls", "ca_certificate")


@pytest.mark.parametrize(
    ("exc", "path", "summary"),
    [
        (failed(socket.gaierror(-2, "Name or service not known")), ENDPOINT, "Registry host not found"),
        (failed(ConnectionRefusedError(111, "Connection refused")), ENDPOINT, "Registry port closed"),
        (failed(certificate_error(20, "unable to get issuer")), CA, "Registry certificate not trusted"),
        (
            failed(certificate_error(62, "Hostname mismatch")),
            ENDPOINT,
            "Registry certificate does not match the endpoint",
        ),
        (failed(ssl.SSLError(1, "WRONG_VERSION_NUMBER")), ENDPOINT, "TLS handshake failed"),
        (failed(ConnectionResetError(104, "reset"), httpx.ReadError), ENDPOINT, "Registry dropped the connection"),
        (httpx.ConnectTimeout("timed out"), ENDPOINT, "Registry unreachable"),
        (httpx.ReadTimeout("timed out"), ENDPOINT, "Registry did not answer"),
        (httpx.UnsupportedProtocol("no"), ENDPOINT, "Cannot connect to the registry"),
    ],
)
def test_each_connection_failure_has_its_own_message(exc, path, summary):
    finding = net.explain(exc, URL, timeout=5.0)
    assert (finding.severity, finding.path, finding.summary) == ("error", path, summary)
    assert "registry.example.com" in finding.detail


def test_a_reset_is_worth_a_retry_and_a_refusal_is_not():
    assert net.is_reset(failed(ConnectionResetError(104, "reset"), httpx.ReadError))
    assert net.is_reset(httpx.RemoteProtocolError("Server disconnected without sending a response."))
    assert not net.is_reset(failed(ConnectionRefusedError(111, "refused")))
    assert not net.is_reset(httpx.ReadTimeout("timed out"))


# ---------------------------------------------------------------------------- content messages


def test_an_empty_base_path_names_the_existing_namespaces():
    finding = content.empty_path(["team-a/x", "team-b/y", "team-a/z"], "charts", "helm")
    assert (finding.severity, finding.path) == ("warning", ("base_content_path",))
    assert '"charts/"' in finding.detail and '"team-a", "team-b"' in finding.detail


def test_an_empty_registry_without_base_path_is_reported_at_the_endpoint():
    assert content.empty_path([], "", "helm").path == ("endpoint",)


@pytest.mark.parametrize("base", ["reg/spectro-packs", "reg/spectro-packs/archive"])
def test_a_packs_base_path_with_the_namespace_suggests_the_part_before_it(base):
    finding = content.empty_path(["reg/spectro-packs/archive/hello"], base, "pack")
    assert 'base_content_path = "reg"' in finding.detail


def test_in_scope_raises_the_warning_when_nothing_is_under_the_prefix():
    from provider.preflight.findings import Skipped

    assert content.in_scope(["charts/b", "charts/a", "other/c"], "charts", "helm") == ["charts/a", "charts/b"]
    with pytest.raises(Skipped):
        content.in_scope(["other/c"], "charts", "helm")


# ---------------------------------------------------------------------------- limits and inputs


def test_the_deadline_clips_the_timeout_and_then_ends_the_run():
    deadline = Deadline(timeout=5.0, budget=0.5)
    assert 0 < deadline.next_timeout() <= 0.5
    spent = Deadline(timeout=5.0, budget=0.0)
    with pytest.raises(BudgetSpent):
        spent.next_timeout()


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("harbor.example.com", "https://harbor.example.com"),
        ("http://h:5000/", "http://h:5000"),
        ("https://h/artifactory/api/docker/repo", "https://h/artifactory/api/docker/repo"),
    ],
)
def test_base_url(endpoint, url):
    assert base_url(endpoint) == url


def test_the_test_seam_lower_cases_names_and_defaults_to_none():
    assert resolve.overrides({"A.example.com:443": "127.0.0.1:5000"}) == {"a.example.com:443": "127.0.0.1:5000"}
    assert resolve.overrides(None) == {}
    assert resolve.split("[::1]:5000") == ("::1", 5000)


def test_no_environment_variable_reroutes_preflight_connections():
    # PALETTE_OCI_PREFLIGHT_RESOLVE was read by shipped code for tests only (issue 13): it is gone, and
    # no variable of that kind is read by the preflight.
    source = "".join(p.read_text() for p in Path(resolve.__file__).parent.glob("*.py"))
    assert "PALETTE_OCI_PREFLIGHT_RESOLVE" not in source
    assert "os.environ" not in source and "getenv" not in source


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        run_preflight({"endpoint": "h"}, "chart")  # type: ignore[arg-type]


def test_an_unexpected_failure_is_a_warning_not_a_crash(monkeypatch):
    from provider.preflight import registry

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(registry.RegistryClient, "get", broken)
    findings = run_preflight({"endpoint": "registry.example.com"}, "helm", resolve={})
    assert [(f.severity, f.summary) for f in findings] == [("warning", "Preflight could not finish")]
    assert "KeyError" in findings[0].detail


def test_ecrs_json_protocol_signature_error_names_the_secret_key():
    ecr_block = {"access_key_id": "AKIA", "secret_access_key": "s"}
    finding = ecr.aws_failure("ecr:GetAuthorizationToken", "InvalidSignatureException", "bad", ecr_block)
    assert (finding.path, finding.summary) == (("ecr", "secret_access_key"), "AWS rejected the secret access key")


@pytest.mark.parametrize(
    ("source", "advice"),
    [
        ("this resource", 'set preflight = "off" on this resource: its preflight = "plan" overrides the provider\'s.'),
        ("the environment variable PALETTE_OCI_PREFLIGHT", "set PALETTE_OCI_PREFLIGHT=off, where preflight"),
        ('preflight in the provider "oci" block', 'in the provider "oci" block (it says "plan"), or on this resource.'),
        ("the default", 'set preflight = "off" in the provider "oci" block, or on this resource.'),
    ],
)
def test_the_advice_to_turn_preflight_off_names_where_the_mode_was_set(source, advice):
    from provider.preflight.findings import OFF_HINT, name_where_preflight_is_set

    [named] = name_where_preflight_is_set([error(("endpoint",), "s", f"Refused. {OFF_HINT}")], "plan", source)
    assert named.detail.startswith("Refused. If only Palette's network can reach this registry, ")
    assert advice in named.detail and OFF_HINT not in named.detail
