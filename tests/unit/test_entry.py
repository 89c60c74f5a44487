"""The executable outside Terraform: without go-plugin's magic cookie it says so and exits 1, whatever
stdin is, instead of serving and waiting for a Terraform that never comes; people's commands work
without the cookie."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from provider.launch.handover import MAGIC_COOKIE_KEY
from provider.version import __version__

EXECUTABLE = Path(sys.executable).parent / "terraform-provider-oci"
GO_PLUGIN_MESSAGE = (
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically\n"
)


def run(*args: str, cookie: str | None = None, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != MAGIC_COOKIE_KEY}
    if cookie is not None:
        env[MAGIC_COOKIE_KEY] = cookie
    return subprocess.run([str(EXECUTABLE), *args], env=env, stdin=stdin, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("cookie", [None, "", "not-the-cookie"], ids=["absent", "empty", "wrong"])
def test_without_the_cookie_it_exits_with_go_plugins_message(cookie: str | None) -> None:
    result = run(cookie=cookie)
    assert result.returncode == 1
    assert result.stderr.startswith(GO_PLUGIN_MESSAGE)
    assert result.stdout == ""


def test_stdin_does_not_matter() -> None:
    with open(os.devnull) as devnull:
        assert run(stdin=devnull.fileno()).returncode == 1
    assert run(stdin=subprocess.PIPE).returncode == 1


def test_peoples_commands_need_no_cookie() -> None:
    assert run("--version").stdout.strip() == f"terraform-provider-oci {__version__}"
    assert run("--help").stdout.startswith("usage: terraform-provider-oci")
    assert "install" in run("install", "--help").stdout + run("install", "--help").stderr


def test_main_reads_its_argv_parameter_not_sys_argv(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # `--dev` in sys.argv but not in argv: main(argv) must not start tf's debugging runner.
    from provider.__main__ import main

    monkeypatch.delenv(MAGIC_COOKIE_KEY, raising=False)
    monkeypatch.setattr(sys, "argv", ["terraform-provider-oci", "--dev"])
    assert main([]) == 1
    assert capsys.readouterr().err.startswith(GO_PLUGIN_MESSAGE)
