"""Provider settings: configuration first, then PALETTE_*, then SPECTROCLOUD_*, then defaults."""

from __future__ import annotations

import os

import pytest
from tf.types import Unknown

from provider.settings import DEFAULT_HOST, read_settings, removed_setting_problems


def test_defaults_with_only_a_key():
    settings, problems = read_settings({}, {"PALETTE_API_KEY": "k"})
    assert problems == [] and settings is not None
    assert (settings.host, settings.insecure, settings.request_timeout, settings.max_retries) == (
        DEFAULT_HOST,
        False,
        30.0,
        5,
    )
    assert settings.preflight == "apply"


def test_configuration_beats_palette_env_beats_spectrocloud_env():
    env = {"PALETTE_HOST": "p.example.com", "SPECTROCLOUD_HOST": "s.example.com", "SPECTROCLOUD_APIKEY": "sk"}
    settings, _ = read_settings({}, env)
    assert settings is not None and settings.host == "p.example.com" and settings.api_key == "sk"
    settings, _ = read_settings({"host": "c.example.com"}, env)
    assert settings is not None and settings.host == "c.example.com"


def test_missing_key_names_the_attribute_and_the_variable():
    settings, problems = read_settings({}, {})
    assert settings is None
    assert problems[0].path == ("api_key",)
    assert "PALETTE_API_KEY" in problems[0].detail and "api_key" in problems[0].detail


@pytest.mark.parametrize(
    ("config", "attribute"),
    [
        ({"insecure": "maybe"}, "insecure"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"preflight": "sometimes"}, "preflight"),
        ({"ca_certificate": "not a pem"}, "ca_certificate"),
    ],
)
def test_bad_values_are_named(config, attribute):
    settings, problems = read_settings({"api_key": "k", **config}, {})
    assert settings is None and [p.path for p in problems] == [(attribute,)]


def test_env_strings_are_parsed():
    env = {
        "PALETTE_API_KEY": "k",
        "PALETTE_INSECURE": "true",
        "PALETTE_MAX_RETRIES": "2",
        "PALETTE_OCI_PREFLIGHT": "off",
    }
    settings, problems = read_settings({}, env)
    assert problems == [] and settings is not None
    assert (settings.insecure, settings.max_retries, settings.preflight) == (True, 2, "off")


def test_the_key_is_not_in_the_repr():
    settings, _ = read_settings({"api_key": "CANARY-KEY"}, {})
    assert "CANARY-KEY" not in repr(settings)


# -------------------------------------------------------------------- empty strings, sources, the host


def test_an_empty_string_counts_as_unset_for_every_setting():
    config = {"host": "", "api_key": "", "ca_certificate": "", "insecure": "", "preflight": " "}
    env = {"PALETTE_API_KEY": "env-key", "PALETTE_HOST": "palette.corp.example", "PALETTE_OCI_PREFLIGHT": "off"}
    settings, problems = read_settings(config, env)
    assert problems == [] and settings is not None
    assert (settings.api_key, settings.host, settings.preflight) == ("env-key", "palette.corp.example", "off")
    settings, _ = read_settings({}, {"PALETTE_API_KEY": "", "SPECTROCLOUD_APIKEY": "sc-key"})
    assert settings is not None and settings.api_key == "sc-key"


def test_an_empty_key_says_which_sources_were_empty():
    _, problems = read_settings({"api_key": ""}, {"PALETTE_API_KEY": ""})
    (problem,) = problems
    assert problem.path == ("api_key",)
    assert 'api_key in the provider "oci" block and PALETTE_API_KEY are empty' in problem.detail
    assert "counts as unset" in problem.detail


def test_a_bad_value_names_its_source():
    _, problems = read_settings({"api_key": "k", "request_timeout": ""}, {"PALETTE_REQUEST_TIMEOUT": "soon"})
    (problem,) = problems
    assert problem.path == ("request_timeout",)
    assert "the environment variable PALETTE_REQUEST_TIMEOUT" in problem.detail


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("ftp://palette.corp.example", "scheme"),
        ("http://palette.corp.example", "plain http"),
        ("https://palette.corp.example?x=1", "query"),
        ("http://127.0.0.1:8080/v1", "adds /v1/... itself"),
        ("https://palette.corp.example/api", "has a path"),
    ],
)
def test_a_bad_host_is_a_problem_at_host(host, words):
    settings, problems = read_settings({"api_key": "k", "host": host}, {})
    assert settings is None
    (problem,) = problems
    assert problem.path == ("host",) and words in problem.detail
    assert 'host in the provider "oci" block' in problem.detail


def test_plain_http_to_a_remote_host_is_allowed_with_insecure():
    settings, problems = read_settings({"api_key": "k", "host": "http://palette.corp.example", "insecure": True}, {})
    assert problems == [] and settings is not None


def test_unknown_values_are_not_checked_and_not_replaced_by_the_environment():
    from tf.types import Unknown

    _, problems = read_settings({"api_key": "-", "host": Unknown}, {"PALETTE_HOST": "ftp://wrong"})
    assert problems == []
    _, problems = read_settings({"api_key": "-", "host": "http://palette.corp.example", "insecure": Unknown}, {})
    assert problems == []


# -------------------------------------------------------------------- issue 13: defects found while reading


def ca_problems(value: str) -> list[tuple[str, str, str]]:
    settings, problems = read_settings({"api_key": "k", "ca_certificate": value}, {})
    assert settings is None
    return [(p.path[0], p.summary, p.detail) for p in problems]


def test_a_long_ca_certificate_without_pem_is_a_problem_not_an_internal_error():
    # Path(text).is_file() raised OSError "File name too long" for a text longer than NAME_MAX.
    [(attribute, summary, detail)] = ca_problems("MIIB" + "x" * 5000)
    assert (attribute, summary) == ("ca_certificate", "Invalid Palette CA certificate")
    assert detail.startswith("No PEM certificate found")


def _as_nobody(check) -> None:  # type: ignore[no-untyped-def]
    """Run `check` in a child process without root's right to read any file (root runs CI)."""
    if os.geteuid() != 0:
        check()
        return
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, run, report through the exit status
        status = 1
        try:
            os.setgid(65534)
            os.setuid(65534)
            check()
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the check failed as an unprivileged user"


def test_an_unreadable_ca_certificate_file_is_a_problem(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    path.chmod(0)
    tmp_path.chmod(0o755)

    def check() -> None:
        [(attribute, summary, detail)] = ca_problems(str(path))
        assert (attribute, summary) == ("ca_certificate", "Invalid Palette CA certificate")
        assert "cannot be read (Permission denied)" in detail

    _as_nobody(check)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_a_ca_certificate_file_that_fails_to_read_is_a_problem():
    # /proc/self/mem is a regular file whose read fails (EIO): the same path as an unreadable file as root.
    [(attribute, summary, detail)] = ca_problems("/proc/self/mem")
    assert (attribute, summary) == ("ca_certificate", "Invalid Palette CA certificate")
    assert "The file '/proc/self/mem' cannot be read" in detail


def test_a_ca_certificate_file_that_is_not_text_is_a_problem(tmp_path):
    path = tmp_path / "ca.der"
    path.write_bytes(b"\x30\x82\xff\xfe")
    [(_, summary, detail)] = ca_problems(str(path))
    assert summary == "Invalid Palette CA certificate" and "is not a PEM text file" in detail


@pytest.mark.parametrize("value", [2.5, "2.5", "1e-3"])
def test_max_retries_must_be_a_whole_number(value):
    settings, problems = read_settings({"api_key": "k", "max_retries": value}, {})
    assert settings is None
    [problem] = problems
    assert problem.path == ("max_retries",) and "must be a whole number from 0 to 100" in problem.detail


@pytest.mark.parametrize("value", [3, 3.0, "3", "3.0"])
def test_max_retries_accepts_whole_numbers_written_any_way(value):
    settings, problems = read_settings({"api_key": "k", "max_retries": value}, {})
    assert problems == [] and settings is not None and settings.max_retries == 3


def test_a_removed_setting_is_a_warning_that_says_what_replaced_it() -> None:
    """`project` (removed in 0.2.0) in the provider block plans, ignored, with a warning at the attribute."""
    [problem] = removed_setting_problems({"project": "Team-A", "host": "h"})
    assert problem.path == ("project",) and problem.severity == "warning"
    assert "Registries are tenant-level in Palette; the provider ignores project; remove it" in problem.detail
    assert removed_setting_problems({"project": Unknown}) != []  # set, even if known only at apply
    assert removed_setting_problems({"project": None, "host": "h"}) == []
    settings, problems = read_settings({"project": "Team-A", "api_key": "k"}, {})
    assert problems == [] and settings is not None  # ignored: it changes nothing
