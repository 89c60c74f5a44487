"""Relative XDG paths are ignored, as the XDG Base Directory Specification says (issue 21, item 15): a
relative XDG_CACHE_HOME put the plugin's TLS private key in Terraform's working directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provider import tfx
from provider.launch import handover, install


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return home


@pytest.mark.parametrize("relative", ["cache", "./cache", "../cache", "~/cache"])
def test_the_plugin_key_never_lands_in_the_working_directory(home: Path, relative: str, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", relative)
    tfx.plugin_certificate()
    stored = home / ".cache" / "terraform-provider-oci" / "plugin-tls.json"
    assert stored.is_file()
    assert [p for p in (home.parent / "work").rglob("*")] == []
    assert not (home.parent / "cache").exists()
    assert handover.socket_dir() == str(home / ".cache" / "terraform-provider-oci")


def test_absolute_xdg_paths_are_used(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    tfx.plugin_certificate()
    assert (home / "xdg-cache" / "terraform-provider-oci" / "plugin-tls.json").is_file()
    assert install.python_record() == home / "xdg-config" / "terraform-provider-oci" / "python"


def test_the_python_record_and_the_launcher_ignore_a_relative_config_home(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "config")
    assert install.python_record() == home / ".config" / "terraform-provider-oci" / "python"
    launcher = install.launcher("0.0.0").decode()
    script = launcher.split("\nsite=\n")[0] + '\nprintf "%s" "$record"\n'  # up to where it reads the record
    printed = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert printed == str(home / ".config" / "terraform-provider-oci" / "python")
