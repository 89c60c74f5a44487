"""ECR: moto for STS and ECR (authentication enforced), a docker-registry standing in for the
registry API behind the ECR host name (through the `resolve` override)."""

from __future__ import annotations

import pytest

from provider.preflight import run_preflight
from tests.preflight.conftest import EcrSetup


def summaries(findings):
    return [(f.severity, f.path, f.summary) for f in findings]


def test_static_keys_pass(aws_env: EcrSetup):
    keys = aws_env.keys
    ecr = {"access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
    assert run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve) == []


def test_an_unknown_access_key_is_an_error_at_the_key_with_the_aws_code(aws_env: EcrSetup):
    ecr = {"access_key_id": "AKIAUNKNOWN000000000", "secret_access_key": "whatever-secret-1"}
    findings = run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("error", ("ecr", "access_key_id"), "AWS does not know the access key")]
    assert "InvalidClientTokenId" in findings[0].detail


def test_a_wrong_secret_key_is_an_error_at_the_secret_without_it(aws_env: EcrSetup):
    ecr = {"access_key_id": aws_env.keys.access_key_id, "secret_access_key": "wrong-secret-Zq9"}
    findings = run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("error", ("ecr", "secret_access_key"), "AWS rejected the secret access key")]
    assert "SignatureDoesNotMatch" in findings[0].detail and "wrong-secret-Zq9" not in findings[0].detail


def test_a_role_with_its_external_id_passes(aws_env: EcrSetup):
    ecr = {"role_arn": aws_env.role_arn, "external_id": aws_env.external_id}
    assert run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve) == []


def test_a_wrong_external_id_is_an_error_at_the_role(aws_env: EcrSetup):
    ecr = {"role_arn": aws_env.role_arn, "external_id": "someone-else"}
    findings = run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("error", ("ecr", "role_arn"), "AWS refused to assume the role")]
    assert "AccessDenied" in findings[0].detail and "external_id" in findings[0].detail


def test_a_role_without_aws_credentials_here_is_a_warning(aws_env: EcrSetup, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    ecr = {"role_arn": aws_env.role_arn, "external_id": aws_env.external_id}
    findings = run_preflight(aws_env.values(ecr), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("warning", ("ecr", "role_arn"), "Role not checked: no AWS credentials here")]


def test_an_absent_base_path_is_a_warning_from_the_ecr_repository_list(aws_env: EcrSetup):
    keys = aws_env.keys
    ecr = {"access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
    findings = run_preflight(aws_env.values(ecr, "nothing-here"), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("warning", ("base_content_path",), "No content under base_content_path")]
    assert '"preflight-ecr"' in findings[0].detail


def test_a_repository_without_tags_is_a_warning(aws_env: EcrSetup):
    keys = aws_env.keys
    ecr = {"access_key_id": keys.access_key_id, "secret_access_key": keys.secret_access_key}
    findings = run_preflight(aws_env.values(ecr, "preflight-ecr/empty"), "helm", resolve=aws_env.resolve)
    assert summaries(findings) == [("warning", ("base_content_path",), "No tagged content under base_content_path")]


def test_the_override_keeps_the_certificate_checked_against_the_registry_name(aws_env: EcrSetup):
    # Same stand-in, reached as another ECR host: its certificate does not name that host.
    other = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    values = {**aws_env.values({"access_key_id": "AKIAANY", "secret_access_key": "x"}), "endpoint": other}
    findings = run_preflight(values, "helm", resolve={f"{other}:443": aws_env.registry.host})
    assert summaries(findings) == [("error", ("endpoint",), "Registry certificate does not match the endpoint")]
