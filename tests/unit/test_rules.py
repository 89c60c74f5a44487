"""Plan-time rules as pure functions: each rule, its path and its message."""

from __future__ import annotations

import pytest
from tf.types import Unknown

from provider import ecr
from provider.durations import parse_duration
from provider.registries import rules

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def make_ca_pem() -> str:
    """A throwaway self-signed CA certificate."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "test CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def problems(rule_set, **config):
    return [(p.path, p.summary) for p in rules.check(rule_set, config)]


def base(**overrides):
    config = {"name": "r", "endpoint": "https://harbor.example.com", "base_content_path": "charts"}
    config.update(overrides)
    return config


def test_a_valid_helm_configuration_has_no_problems():
    assert rules.check(rules.HELM_RULES, base(basic_auth={"username": "u", "password": "p"})) == []


@pytest.mark.parametrize(
    "endpoint",
    ["harbor.example.com", "harbor.example.com:8443", "127.0.0.1:5000", "https://h.example.com/v2", "http://h:80"],
)
def test_endpoints_that_are_accepted(endpoint):
    assert rules.endpoint_problem(endpoint) is None


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("", "empty"),
        (" harbor.example.com", "spaces"),
        ("ftp://harbor.example.com", "scheme"),
        ("https://user:pw@harbor.example.com", "credentials"),
        ("https://harbor.example.com/?x=1", "query"),
        ("https://harbor.example.com/#top", "fragment"),
        ("harbor example.com", "not a host"),
        ("https://", "no valid host"),
    ],
)
def test_endpoints_that_are_refused_say_why(endpoint, words):
    problem = rules.endpoint_problem(endpoint)
    assert problem is not None and words in problem


def test_zarf_refuses_sync_and_ecr_with_the_seed_messages():
    found = problems(rules.ZARF_RULES, **base(endpoint=ECR, auto_sync=True, ecr={"role_arn": "arn:aws:iam::1:role/x"}))
    assert (("auto_sync",), "Automatic synchronization is not supported for Zarf registries") in found
    # Issue 24: at a path Terraform can place inside the ecr block (("ecr",) quoted the resource's line).
    assert (("ecr", "access_key_id"), "AWS ECR is not supported for Zarf registries; use basic_auth") in found


def test_packs_always_sync_and_need_a_base_content_path():
    found = problems(rules.PACKS_RULES, **base(auto_sync=False, base_content_path=None))
    assert [p for p, _ in found] == [("auto_sync",), ("base_content_path",)]


def test_helm_sync_needs_a_base_content_path_unless_unknown():
    assert problems(rules.HELM_RULES, **base(auto_sync=True, base_content_path="  ")) == [
        (("base_content_path",), "base_content_path is required for auto_sync")
    ]
    assert problems(rules.HELM_RULES, **base(auto_sync=True, base_content_path=Unknown)) == []


def test_basic_auth_needs_both_values():
    found = problems(rules.HELM_RULES, **base(basic_auth={"username": "", "password": ""}))
    assert [p for p, _ in found] == [("basic_auth", "username"), ("basic_auth", "password")]


def test_one_auth_block_at_most():
    config = base(
        endpoint=ECR, basic_auth={"username": "u", "password": "p"}, ecr={"role_arn": "arn:aws:iam::1:role/x"}
    )
    assert (("ecr",), "Conflicting authentication blocks") in problems(rules.HELM_RULES, **config)


@pytest.mark.parametrize(
    ("ecr", "path", "summary"),
    [
        ({}, ("ecr",), "Missing ECR credentials"),
        (
            {"access_key_id": "A", "secret_access_key": "S", "role_arn": "arn:aws:iam::123456789012:role/r"},
            ("ecr", "role_arn"),
            "Conflicting ECR credentials",
        ),
        ({"access_key_id": "A"}, ("ecr", "secret_access_key"), "Empty ecr.secret_access_key"),
        ({"access_key_id": "A", "secret_access_key": "S", "external_id": "x"}, ("ecr", "external_id"), None),
        ({"role_arn": "arn:aws:iam::123456789012:user/bob"}, ("ecr", "role_arn"), "role_arn is not an IAM role ARN"),
    ],
)
def test_ecr_credentials(ecr, path, summary):
    found = problems(rules.HELM_RULES, **base(endpoint=ECR, ecr=ecr))
    assert path in [p for p, _ in found]
    if summary:
        assert (path, summary) in found


def test_ecr_credentials_unknown_at_plan_are_left_to_apply():
    assert problems(rules.HELM_RULES, **base(endpoint=ECR, ecr={"access_key_id": Unknown, "role_arn": None})) == []


def test_a_user_arn_is_named_as_such():
    found = rules.check(rules.HELM_RULES, base(endpoint=ECR, ecr={"role_arn": "arn:aws:iam::123456789012:user/bob"}))
    assert "IAM user ARN" in found[0].detail


@pytest.mark.parametrize("endpoint", [ECR, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"])
def test_ecr_hosts_accepted(endpoint):
    assert (
        problems(rules.HELM_RULES, **base(endpoint=endpoint, ecr={"role_arn": "arn:aws:iam::123456789012:role/r"}))
        == []
    )


def test_ecr_endpoint_with_scheme_gets_the_fix():
    found = rules.check(
        rules.HELM_RULES, base(endpoint=f"https://{ECR}", ecr={"access_key_id": "A", "secret_access_key": "S"})
    )
    assert [p.path for p in found] == [("endpoint",)]
    assert f'endpoint = "{ECR}"' in found[0].detail


def test_tls_ca_must_parse():
    garbage = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    assert problems(rules.HELM_RULES, **base(tls={"ca_certificate": garbage}))[0][0] == ("tls", "ca_certificate")
    assert problems(rules.HELM_RULES, **base(tls={"ca_certificate": "hello"}))[0][0] == ("tls", "ca_certificate")
    good = make_ca_pem()
    assert problems(rules.HELM_RULES, **base(tls={"ca_certificate": good + good})) == []
    assert problems(rules.HELM_RULES, **base(tls={"ca_certificate": good + "trailing junk"}))[0][0] == (
        "tls",
        "ca_certificate",
    )


@pytest.mark.parametrize("text", ["0s", "0m", "0h0m0s", "-5m", "-1h", "0", "-0.5s"])
def test_zero_and_negative_timeouts_are_refused_once_at_the_attribute(text):
    for field in ("create", "update"):
        assert problems(rules.HELM_RULES, **base(timeouts={field: text})) == [
            (("timeouts", field), f"timeouts.{field} must be longer than zero")
        ]


@pytest.mark.parametrize(
    ("endpoint", "refused"),
    [
        ("harbor.example.com:99999", True),
        ("harbor.example.com:0", True),
        ("https://harbor.example.com:65536/v2", True),
        ("[::1]:70000", True),
        ("harbor.example.com:65535", False),
        ("https://harbor.example.com:1", False),
        ("[::1]", False),
        ("https://[fe80::1]:443", False),
    ],
)
def test_endpoint_ports_outside_tcp_are_refused(endpoint, refused):
    expected = [(("endpoint",), "Invalid registry endpoint port")] if refused else []
    assert problems(rules.HELM_RULES, **base(endpoint=endpoint)) == expected


def test_a_port_rule_never_quotes_an_endpoint_with_credentials():
    found = rules.check(rules.HELM_RULES, base(endpoint="robot:Secret-Pa55@harbor.example.com:99999"))
    assert [p.summary for p in found] == ["Invalid registry endpoint"]  # the endpoint rule's, not the port's


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10m", 600),
        ("1h30m", 5400),
        ("90s", 90),
        ("2h", 7200),
        # Go's time.ParseDuration, as Terraform reads durations (issue 21, item 17): fractions, small units
        ("1.5h", 5400),
        ("500ms", 0.5),
        ("2h45m30.5s", 9930.5),
        (".5m", 30),
        ("1500us", 0.0015),
        ("1500\u00b5s", 0.0015),
        ("1500\u03bcs", 0.0015),
        ("1000000000ns", 1),
        ("+5m", 300),
        ("2562047h", 2562047 * 3600),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)
    assert problems(rules.HELM_RULES, **base(timeouts={"create": text})) == []


@pytest.mark.parametrize(
    "text",
    ["", "10", "ten minutes", "5d", "m", ".h", "1.5.5h", "\u0663m", "1\u0663m", " 10m", "10m ", "1 h", "2562048h", "-"],
)
def test_bad_durations_are_refused_at_plan(text):
    """Unicode digits ("\u0663" is Arabic-Indic three), spaces and Go's range are refused as Go refuses them."""
    assert parse_duration(text) is None
    assert problems(rules.HELM_RULES, **base(timeouts={"create": text})) == [
        (("timeouts", "create"), "Invalid timeouts.create")
    ]


@pytest.mark.parametrize("endpoint", ["https://h/%zz", "https://h/charts%", "https://h/a%2", "http://h:5000/%g0"])
def test_an_invalid_percent_escape_is_refused_at_plan(endpoint):
    """Go's url.Parse refuses these (issue 21, item 17); "%2F" and a literal "%25" pass."""
    assert problems(rules.HELM_RULES, **base(endpoint=endpoint)) == [(("endpoint",), "Invalid registry endpoint")]
    assert "percent-escape" in (rules.endpoint_problem(endpoint) or "")
    assert problems(rules.HELM_RULES, **base(endpoint="https://h/a%2Fb%25c")) == []


@pytest.mark.parametrize(
    ("basic_auth", "path", "summary"),
    [
        ({"username": "u", "password": "p"}, None, None),
        ({"username": "u", "password_wo": "p", "password_wo_version": 1}, None, None),
        ({"username": "u", "password_wo": Unknown}, None, None),
        ({"username": "u"}, ("basic_auth", "password"), "Empty basic_auth.password"),
        (
            {"username": "u", "password": "p", "password_wo": "p"},
            ("basic_auth", "password_wo"),
            "Conflicting basic_auth.password and basic_auth.password_wo",
        ),
        ({"username": "u", "password_wo": " "}, ("basic_auth", "password_wo"), "Empty basic_auth.password_wo"),
        (
            {"username": "u", "password": "p", "password_wo_version": 2},
            ("basic_auth", "password_wo_version"),
            "basic_auth.password_wo_version without password_wo",
        ),
    ],
)
def test_exactly_one_of_password_and_password_wo(basic_auth, path, summary):
    found = problems(rules.HELM_RULES, **base(endpoint="charts.example.com", basic_auth=basic_auth))
    if summary is None:
        assert found == []
    else:
        assert (path, summary) in found


def test_write_only_secret_keys_and_client_keys_count_as_given():
    keys = {"access_key_id": "A", "secret_access_key_wo": "S"}
    assert problems(rules.HELM_RULES, **base(endpoint=ECR, ecr=keys)) == []
    both = {**keys, "secret_access_key": "S"}
    assert (("ecr", "secret_access_key_wo"), "Conflicting ecr.secret_access_key and ecr.secret_access_key_wo") in (
        problems(rules.HELM_RULES, **base(endpoint=ECR, ecr=both))
    )
    assert not ecr.ecr_is_public({"secret_access_key_wo": "S"})


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("123456789012.dkr.ecr.eu-west-2.amazonaws.com", "eu-west-2"),
        ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("https://123456789012.dkr.ecr.eu-west-2.amazonaws.com", None),
        (ecr.PUBLIC_ECR_HOST, None),
    ],
)
def test_an_ecr_host_names_its_region(endpoint: str, region: str | None) -> None:
    assert ecr.ecr_region(endpoint) == region


# The summaries acceptance/test_plan_rules.py finds in one plan per kind, each at its path: the ones no
# test above states whole.
@pytest.mark.parametrize(
    ("rule_set", "config", "path", "summary"),
    [
        (rules.PACKS_RULES, base(auto_sync=False), ("auto_sync",), "Packs registries always synchronize"),
        (
            rules.PACKS_RULES,
            base(base_content_path=None),
            ("base_content_path",),
            "base_content_path is required for Packs registries",
        ),
        (
            rules.HELM_RULES,
            base(endpoint=f"https://{ECR}", ecr={"access_key_id": "A", "secret_access_key": "S"}),
            ("endpoint",),
            "Not an AWS ECR registry host",
        ),
        (
            rules.HELM_RULES,
            base(tls={"ca_certificate": "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n"}),
            ("tls", "ca_certificate"),
            "Invalid CA certificate",
        ),
        (rules.HELM_RULES, base(timeouts={"update": "\u0663m"}), ("timeouts", "update"), "Invalid timeouts.update"),
        (
            rules.HELM_RULES,
            base(timeouts={"create": "0s"}),
            ("timeouts", "create"),
            "timeouts.create must be longer than zero",
        ),
    ],
    ids=["packs-sync-off", "packs-path", "ecr-scheme", "tls-garbage", "timeouts-unicode-digit", "timeouts-zero"],
)
def test_each_rule_summary_at_its_path(rule_set, config, path, summary):
    assert problems(rule_set, **config) == [(path, summary)]
