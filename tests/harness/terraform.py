"""Real Terraform in a temporary workspace, pointed at this checkout's provider.

`Terraform` is one installed build (scripts/install-terraform puts 1.0.3 and 1.15.5 under
.cache/terraform); `Workspace` is a directory with `main.tf`, a CLI config whose dev_overrides
send `palette/oci` to the virtualenv's `terraform-provider-oci`, and helpers for the commands a
user runs. Every command's output is kept on the result for assertions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_CACHE = Path(os.environ.get("TERRAFORM_CACHE", REPO / ".cache" / "terraform"))
VERSIONS = ("1.0.3", "1.15.5")
PROVIDER_DIR = Path(sys.executable).parent  # holds the terraform-provider-oci console script
# Added to every Workspace's environment: the session warm server's XDG_RUNTIME_DIR and PALETTE_OCI_WARM=1
# while a test that runs warm runs (acceptance tests not marked `cold`, tests/conftest.py); empty otherwise.
WARM_ENV: dict[str, str] = {}


def terraform_binary(version: str) -> Path:
    binary = TERRAFORM_CACHE / version / "terraform"
    if not binary.exists():
        raise RuntimeError(f"Terraform {version} is not installed at {binary}: run scripts/install-terraform")
    return binary


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        command = f"terraform {' '.join(self.args)} -> {self.returncode}"
        return f"{command}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class CommandFailed(AssertionError):
    def __init__(self, result: Result):
        super().__init__(str(result))
        self.result = result


class Workspace:
    """One Terraform working directory using the provider under test."""

    def __init__(self, directory: Path, version: str, env: dict[str, str] | None = None):
        self.dir = directory
        self.version = version
        self.binary = terraform_binary(version)
        self.dir.mkdir(parents=True, exist_ok=True)
        cli_config = self.dir / "terraformrc"
        cli_config.write_text(
            textwrap.dedent(
                f"""\
                provider_installation {{
                  dev_overrides {{
                    "palette/oci" = "{PROVIDER_DIR}"
                  }}
                  direct {{}}
                }}
                """
            )
        )
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.dir),
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            **WARM_ENV,
            **(env or {}),
        }

    @property
    def at_least_1_3(self) -> bool:
        return tuple(int(p) for p in self.version.split(".")[:2]) >= (1, 3)

    def write(self, main_tf: str, name: str = "main.tf") -> None:
        (self.dir / name).write_text(textwrap.dedent(main_tf))

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
        started = time.monotonic()
        completed = subprocess.run(
            [str(self.binary), *args],
            cwd=self.dir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        result = Result(
            list(args), completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started
        )
        if check and result.returncode != 0:
            raise CommandFailed(result)
        return result

    # -- the commands users run (dev_overrides: no init needed) ---------------------------------

    def plan(self, *args: str, check: bool = True) -> Result:
        return self.run("plan", "-no-color", "-input=false", *args, check=check)

    def plan_changes(self, *args: str) -> int:
        """`plan -detailed-exitcode`: 0 no changes, 2 changes; raises on errors."""
        result = self.run("plan", "-no-color", "-input=false", "-detailed-exitcode", *args, check=False)
        if result.returncode not in (0, 2):
            raise CommandFailed(result)
        return result.returncode

    def apply(self, *args: str, check: bool = True) -> Result:
        return self.run("apply", "-no-color", "-input=false", "-auto-approve", *args, check=check)

    def destroy(self, *args: str, check: bool = True) -> Result:
        return self.run("destroy", "-no-color", "-input=false", "-auto-approve", *args, check=check)

    def import_(self, address: str, id_: str, check: bool = True) -> Result:
        return self.run("import", "-no-color", "-input=false", address, id_, check=check)

    def state_rm(self, address: str) -> Result:
        return self.run("state", "rm", address)

    def show_json(self) -> dict[str, Any]:
        return json.loads(self.run("show", "-json").stdout or "{}")

    def resources(self) -> dict[str, dict[str, Any]]:
        """address -> attribute values, from `terraform show -json` (managed and data resources)."""
        root = self.show_json().get("values", {}).get("root_module", {})
        return {r["address"]: r["values"] for r in root.get("resources", [])}

    def outputs(self) -> dict[str, Any]:
        return {k: v["value"] for k, v in json.loads(self.run("output", "-json").stdout or "{}").items()}

    def reset(self) -> None:
        """Forget state and configuration (the emulator is reset separately)."""
        for path in self.dir.iterdir():
            if path.name.startswith("terraform.tfstate") or path.suffix == ".tf":
                path.unlink()
            elif path.name == ".terraform":
                shutil.rmtree(path)
